/// The stats page's style sheet and script, served from the admin listener itself
/// (`/stats.css`, `/stats.js`) so that the page needs no external resource and runs under a
/// strict Content-Security-Policy (`script-src 'self'; style-src 'self'`): no inline script
/// or style anywhere. Neither holds data or secrets, so they are served without the token.
enum StatsPageAssets {
    /// The page's Content-Security-Policy: its own style sheet, script and fetches only.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let css = """
    body{font:13px system-ui,sans-serif;margin:1.2em;color:#222;background:#fafafa}
    h1{margin:0 0 .2em}h2{margin:1.4em 0 .3em}
    table{border-collapse:collapse;margin-bottom:.8em;background:#fff}
    th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}
    th{background:#e8e8ee;text-align:center}td.name{text-align:left}
    tr.up td.state{background:#c8efc0}tr.down td.state,tr.ejected td.state{background:#f5b8b8}
    tr.draining td.state,tr.drained td.state,tr.maint td.state{background:#f3e3a8}
    tr.backend td{font-weight:600;background:#f0f0f6}
    .muted{color:#777}.chart{background:#fff;border:1px solid #ddd;display:block}
    .bar{fill:#8fb3de}.p50{fill:none;stroke:#2a8a3a;stroke-width:1.5}.p99{fill:none;stroke:#d2691e;stroke-width:1.5}
    .axis{stroke:#bbb}.added{fill:#2a8a3a}.removed{fill:#c0392b}.timeline{background:#fff;border:1px solid #ddd;display:block}
    .legend span{margin-right:1em}.k50{color:#2a8a3a}.k99{color:#d2691e}.kreq{color:#5f8dc4}
    button.action{font-size:12px;margin:0 2px}#token-form{margin:1em 0;padding:.8em;border:1px solid #ccc;background:#fff;display:inline-block}
    #action-status{min-height:1.2em}
    """

    /// Keeps the operator's admin token in this tab's `sessionStorage` (pasted into the
    /// form; never in the HTML, a cookie or the URL, so neither the server's pages nor a
    /// cross-site form can carry it), sends it as `Authorization: Bearer` to fetch the page
    /// and to call the admin API from the drain/ready buttons, and refreshes the page's
    /// `<main>` every few seconds.
    static let script = """
    // proxyd stats page: token in sessionStorage, periodic refresh, drain/ready buttons.
    (function () {
      "use strict";
      var KEY = "proxyd-admin-token";
      var refresh = Number(document.body.getAttribute("data-refresh")) || 5;
      function token() { return sessionStorage.getItem(KEY); }
      function headers() { var t = token(); return t ? { "Authorization": "Bearer " + t } : {}; }
      function say(text) { var s = document.getElementById("action-status"); if (s) { s.textContent = text; } }
      function load() {
        return fetch(location.pathname, { headers: headers(), cache: "no-store" }).then(function (r) {
          if (r.status === 401) { if (token()) { sessionStorage.removeItem(KEY); say("the token was refused"); } return; }
          return r.text().then(function (html) {
            var main = new DOMParser().parseFromString(html, "text/html").querySelector("main");
            var current = document.querySelector("main");
            if (main && current) { current.replaceWith(document.importNode(main, true)); }
            document.body.setAttribute("data-loaded", String(Date.now()));
          });
        }).catch(function (e) { say("refresh failed: " + e); });
      }
      document.addEventListener("submit", function (event) {
        if (event.target.id !== "token-form") { return; }
        event.preventDefault();
        var field = document.getElementById("token");
        if (field && field.value) { sessionStorage.setItem(KEY, field.value); field.value = ""; }
        load();
      });
      document.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("button.action") : null;
        if (!button) { return; }
        if (!token()) { say("paste the admin token first"); return; }
        var url = "/api/backends/" + encodeURIComponent(button.getAttribute("data-backend")) +
          "/endpoints/" + encodeURIComponent(button.getAttribute("data-endpoint")) + "/" + button.getAttribute("data-action");
        fetch(url, { method: "POST", headers: headers() }).then(function (r) {
          return r.text().then(function (body) { say(button.getAttribute("data-action") + " " + button.getAttribute("data-endpoint") + ": " + r.status + " " + body); });
        }).then(load);
      });
      if (token() && !document.querySelector("table.endpoints")) { load(); }
      setInterval(function () { if (token()) { load(); } }, refresh * 1000);
    })();
    """
}
