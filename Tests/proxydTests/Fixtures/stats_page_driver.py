#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol (--remote-debugging-pipe, so only the
standard library is needed) through proxyd's stats page, for AdminEndToEndTests:

  stats_page_driver.py CHROMIUM URL PROFILE_DIR SCREENSHOT.png [--token T] [--drain ID]

Opens URL; with --token, types the token into the page's form and submits it (as an operator
pastes it); waits for the endpoint table; with --drain, clicks that endpoint's drain button
and waits for the page to show it drained. Prints one JSON object: the DOM, the bounding box
of every chart, timeline and endpoint row, the screenshot's size, and for each box the pixel
variance inside it (a blank region has none), read from the PNG Chromium captured.
"""
import json
import os
import struct
import subprocess
import sys
import time
import zlib


class Browser:
    def __init__(self, chromium, profile):
        read_cmd, self.write_fd = os.pipe()   # we write commands, Chromium reads fd 3
        self.read_fd, write_evt = os.pipe()   # Chromium writes fd 4, we read
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-proxy-server",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--remote-debugging-pipe",
                "--window-size=1600,1200", "about:blank"]
        def child_fds():
            os.dup2(read_cmd, 3)
            os.dup2(write_evt, 4)
        self.process = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=child_fds,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(read_cmd)
        os.close(write_evt)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {expression}")

    def click(self, selector):
        box = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center', inline: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def png_pixels(data):
    """Width, height, channels and rows of an 8-bit non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, "unsupported PNG"
            channels = {2: 3, 6: 4, 0: 1, 4: 2}[color]
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 255
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
                line[i] = (line[i] + predictor) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def variance(image, box):
    width, height, channels, rows = image
    x0, y0 = max(0, int(box["x"])), max(0, int(box["y"]))
    x1, y1 = min(width, int(box["x"] + box["width"])), min(height, int(box["y"] + box["height"]))
    values = []
    for y in range(y0, y1):
        row = rows[y]
        for x in range(x0, x1):
            base = x * channels
            values.append(sum(row[base:base + min(3, channels)]) / min(3, channels))
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def main():
    chromium, url, profile, screenshot = sys.argv[1:5]
    options = sys.argv[5:]
    token = options[options.index("--token") + 1] if "--token" in options else None
    drain = options[options.index("--drain") + 1] if "--drain" in options else None
    browser = Browser(chromium, profile)
    report = {}
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        browser.send("Page.enable")
        browser.send("Runtime.enable")
        browser.send("Emulation.setDeviceMetricsOverride", {"width": 1600, "height": 1200, "deviceScaleFactor": 1, "mobile": False})
        browser.send("Page.navigate", {"url": url})
        browser.wait_for("document.readyState === 'complete' && document.querySelector('main') !== null")
        report["signInForm"] = browser.evaluate("document.getElementById('token-form') !== null")
        if token is not None:
            browser.evaluate("document.getElementById('token').focus()")
            browser.send("Input.insertText", {"text": token})
            browser.click("#token-form button[type=submit]")
        browser.wait_for("document.querySelector('table.endpoints') !== null")
        report["tokenInSessionStorage"] = browser.evaluate("sessionStorage.getItem('proxyd-admin-token')") == token if token else None
        report["tokenInDOM"] = bool(token) and browser.evaluate(f"document.documentElement.outerHTML.includes({json.dumps(token)})")
        if drain is not None:
            selector = f"button.action[data-action=drain][data-endpoint='{drain}']"
            browser.click(selector)
            try:
                browser.wait_for(f"(() => {{ const r = document.querySelector(\"tr[data-endpoint='{drain}']\"); return r && r.getAttribute('data-state') === 'drained'; }})()")
            except RuntimeError:
                status = browser.evaluate("(document.getElementById('action-status') || {}).textContent")
                raise RuntimeError(f"{drain} not shown drained; the page said: {status!r}")
            report["actionStatus"] = browser.evaluate("document.getElementById('action-status').textContent")
            browser.evaluate("window.scrollTo(0, 0)")
        report["dom"] = browser.evaluate("document.documentElement.outerHTML")
        report["boxes"] = browser.evaluate("""Array.from(document.querySelectorAll('svg.chart, svg.timeline, tr[data-endpoint]')).map(e => {
            const r = e.getBoundingClientRect();
            return {kind: e.tagName.toLowerCase() === 'tr' ? 'row' : e.getAttribute('class'), id: e.getAttribute('data-endpoint') || e.getAttribute('data-backend'),
                    x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height};
        })""")
        shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        import base64
        png = base64.b64decode(shot["data"])
        with open(screenshot, "wb") as file:
            file.write(png)
        image = png_pixels(png)
        report["screenshot"] = {"width": image[0], "height": image[1]}
        for box in report["boxes"]:
            box["variance"] = round(variance(image, box), 2)
    finally:
        browser.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
