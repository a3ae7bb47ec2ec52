import Foundation
import HTTPCore
import NIOCore
import Testing
@testable import proxyd

/// Files for the error page tests: Debian's pages (fixtures) and pages written per test.
enum ErrorPageFiles {
    static let debian = TestPaths.repository.appendingPathComponent("Tests/proxydTests/Fixtures/haproxy-errors").path

    static func debian(_ code: Int) -> String { "\(debian)/\(code).http" }

    /// A directory of its own for one test's files.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-errorpages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @discardableResult
    static func write(_ bytes: String, to name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes.utf8).write(to: url)
        return url.path
    }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}

@Suite("error pages: files checked at load")
struct ErrorPageFileTests {
    private func problem(_ text: String) -> String? {
        do {
            _ = try ErrorPage.checked(Array(text.utf8))
            return nil
        } catch {
            return error.message
        }
    }

    @Test("every Debian page loads as the exact bytes of its file")
    func debianPages() throws {
        for code in [400, 403, 408, 500, 502, 503, 504] {
            let page = try ErrorPage.file(ErrorPageFiles.debian(code))
            #expect(page.response == (try ErrorPageFiles.bytes(ErrorPageFiles.debian(code))))
            #expect(page.source == .file(ErrorPageFiles.debian(code)))
        }
    }

    @Test("a head written with bare LFs gets CRLFs; the body is left as written")
    func bareLFHead() throws {
        #expect(try ErrorPage.checked(Array("HTTP/1.1 503 Busy\nContent-Length: 3\n\nx\ny".utf8))
            == Array("HTTP/1.1 503 Busy\r\nContent-Length: 3\r\n\r\nx\ny".utf8))
    }

    @Test("an empty file is an empty page (HAProxy closes without answering)")
    func emptyFile() throws {
        #expect(try ErrorPage.file("/dev/null").response == [])
    }

    @Test("files HAProxy refuses are refused with the rule they break", arguments: [
        ("<html>Sorry</html>\n\n", "is not an HTTP response: invalidVersion at byte 0"),
        ("HTTP/1.1 503 Busy\r\nContent-Length: 2\r\n", "is not an HTTP response: its head does not end with an empty line"),
        ("\r\nHTTP/1.1 503 Busy\r\n\r\n", "is not an HTTP response: it must start with its status line (HTTP/1.1 CODE REASON), found an empty line"),
        ("HTTP/1.1 503 Busy\r\nBad Name: x\r\n\r\n", "is not an HTTP response: whitespaceBeforeColon at byte 22"),
        ("HTTP/1.1 100 Continue\r\n\r\n", "has status 100: an interim (1xx) response cannot answer a request"),
        ("HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "has a chunked body, which HAProxy does not support in an error page; give its length in Content-Length or leave both out"),
        ("HTTP/1.1 503 Busy\r\nContent-Length: 10\r\n\r\nshort", "has a body of 5 bytes but announces Content-Length: 10"),
        ("HTTP/1.1 204 No Content\r\n\r\nbody", "has a body, but a 204 response has none"),
    ])
    func refused(text: String, message: String) {
        #expect(problem(text) == message)
    }

    @Test("a missing file and a file over HAProxy's buffer size are refused with the path")
    func unreadable() throws {
        #expect(throws: ErrorPage.Problem(message: "cannot open '/nonexistent/503.http': No such file or directory")) {
            try ErrorPage.file("/nonexistent/503.http")
        }
        let directory = try ErrorPageFiles.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let body = String(repeating: "x", count: 16_384)
        let large = try ErrorPageFiles.write("HTTP/1.1 503 Busy\r\n\r\n" + body, to: "large.http", in: directory)
        #expect(throws: ErrorPage.Problem(message: "'\(large)' is larger than 16384 bytes (HAProxy's tune.bufsize): an error page must fit in one buffer")) {
            try ErrorPage.file(large)
        }
        let bad = try ErrorPageFiles.write("Sorry\n\n", to: "bad.http", in: directory)
        #expect(throws: ErrorPage.Problem(message: "'\(bad)' is not an HTTP response: invalidVersion at byte 0")) { try ErrorPage.file(bad) }
    }

    @Test("errorloc302 and errorloc303 pages are the bytes HAProxy builds")
    func redirects() throws {
        #expect(String(decoding: try ErrorPage.redirect(to: "https://status.example.com/", status: 302).response, as: UTF8.self)
            == "HTTP/1.1 302 Found\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: https://status.example.com/\r\n\r\n")
        #expect(String(decoding: try ErrorPage.redirect(to: "/oops", status: 303).response, as: UTF8.self)
            == "HTTP/1.1 303 See Other\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: /oops\r\n\r\n")
        #expect(throws: ErrorPage.Problem(message: "the location 'a b' must be a URL without spaces or control characters")) {
            try ErrorPage.redirect(to: "a b", status: 302)
        }
    }
}

@Suite("error pages: haproxy.cfg")
struct ErrorPageHAProxyTests {
    private let defaults = ["defaults", "    mode http"]

    @Test("defaults errorfiles go to every frontend and backend; a section's own line replaces one code")
    func inheritance() throws {
        let text = HAProxyTestFiles.file(
            back: ["errorfile 503 \(ErrorPageFiles.debian(500))", "server a1 127.0.0.1:9000"],
            prefix: defaults + [400, 403, 408, 500, 502, 503, 504].map { "    errorfile \($0) \(ErrorPageFiles.debian($0))" })
        let loaded = try HAProxyTestFiles.load(text)
        #expect(loaded.warnings.isEmpty)
        let configuration = loaded.configuration
        let debian = try Dictionary(uniqueKeysWithValues: [400, 403, 408, 500, 502, 503, 504].map { ($0, try ErrorPage.file(ErrorPageFiles.debian($0))) })
        #expect(configuration.listeners[0].errorPages == debian)
        var backend = debian
        backend[503] = try ErrorPage.file(ErrorPageFiles.debian(500))
        #expect(configuration.backends[0].errorPages == backend)
    }

    @Test("errorfiles imports a whole http-errors section or the codes listed, wherever the section is")
    func httpErrorsSections() throws {
        let text = HAProxyTestFiles.file(
            front: ["errorfiles site"], back: ["errorfiles site 503", "errorloc303 404 /missing", "server a1 127.0.0.1:9000"])
            + "http-errors site\n    errorfile 503 \(ErrorPageFiles.debian(503))\n    errorfile 403 \(ErrorPageFiles.debian(403))\n"
        let configuration = try HAProxyTestFiles.load(text).configuration
        #expect(configuration.listeners[0].errorPages.keys.sorted() == [403, 503])
        #expect(configuration.backends[0].errorPages.keys.sorted() == [404, 503])
        #expect(configuration.backends[0].errorPages[404]?.source == .redirect(location: "/missing", status: 303))
        #expect(configuration.backends[0].errorPages[503]?.source == .file(ErrorPageFiles.debian(503)))
    }

    @Test("a later errorfiles or errorfile line replaces an earlier one's page for the same code")
    func order() throws {
        let text = HAProxyTestFiles.file(front: ["errorfile 503 \(ErrorPageFiles.debian(502))", "errorfiles site", "errorloc 403 https://x.example/"])
            + "http-errors site\n    errorfile 503 \(ErrorPageFiles.debian(503))\n    errorfile 403 \(ErrorPageFiles.debian(403))\n"
        let pages = try HAProxyTestFiles.load(text).configuration.listeners[0].errorPages
        #expect(pages[503]?.source == .file(ErrorPageFiles.debian(503)))
        #expect(pages[403]?.source == .redirect(location: "https://x.example/", status: 302))
    }

    @Test("malformed error page lines, each with its exact error at its line", arguments: [
        ("errorfile 414 /etc/haproxy/errors/400.http", "haproxy.cfg:3: error: errorfile: status code 414 cannot have an error page; HAProxy 2.6 has them for 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504"),
        ("errorfile abc /x.http", "haproxy.cfg:3: error: errorfile: 'abc' is not a status code"),
        ("errorfile 503", "haproxy.cfg:3: error: errorfile needs a status code and a file, e.g. errorfile 503 /etc/haproxy/errors/503.http"),
        ("errorfile 503 /nonexistent/503.http", "haproxy.cfg:3: error: errorfile 503: cannot open '/nonexistent/503.http': No such file or directory"),
        ("errorfiles", "haproxy.cfg:3: error: errorfiles needs the name of an http-errors section, e.g. errorfiles site-errors [503 …]"),
        ("errorfiles sites", "haproxy.cfg:3: error: http-errors section 'sites' is not defined; did you mean 'site'?"),
        ("errorfiles site 404", "haproxy.cfg:3: error: errorfiles: http-errors section 'site' has no errorfile for 404"),
        ("errorloc 503", "haproxy.cfg:3: error: errorloc needs a status code and a URL, e.g. errorloc 503 https://status.example.com/"),
        ("errorloc302 301 /x", "haproxy.cfg:3: error: errorloc302: status code 301 cannot have an error page; HAProxy 2.6 has them for 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504"),
    ])
    func malformed(line: String, message: String) {
        let text = HAProxyTestFiles.file(front: [line]) + "http-errors site\n    errorfile 503 \(ErrorPageFiles.debian(503))\n"
        #expect(HAProxyTestFiles.errors(text) == [message])
    }

    @Test("an http-errors section holds only errorfile lines, once per name")
    func httpErrorsSectionProblems() {
        let text = HAProxyTestFiles.file()
            + "http-errors site\n    errorfile 503 \(ErrorPageFiles.debian(503))\n    option httplog\nhttp-errors site\n    errorfile 999 /x\n"
        #expect(HAProxyTestFiles.errors(text) == [
            "haproxy.cfg:8: error: 'option' is not allowed in http-errors 'site'; it holds only errorfile lines",
            "haproxy.cfg:9: error: http-errors section 'site' is defined twice (first at line 6)",
        ])
    }

    @Test("a file whose head is not HTTP is refused at the errorfile line with its path")
    func badFile() throws {
        let directory = try ErrorPageFiles.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try ErrorPageFiles.write("HTTP/1.1 503 Busy\r\nContent-Length: 9\r\n\r\nx", to: "503.http", in: directory)
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(back: ["errorfile 503 \(path)", "server a1 127.0.0.1:9000"]))
            == ["haproxy.cfg:5: error: errorfile 503: '\(path)' has a body of 1 bytes but announces Content-Length: 9"])
    }
}

@Suite("error pages: YAML")
struct ErrorPageYAMLTests {
    private func load(_ yaml: String) throws(ConfigurationError) -> ProxyConfiguration {
        try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml").configuration
    }

    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("top-level error_pages apply to every listener and backend unless they set the code")
    func topLevel() throws {
        let c = try load("""
            backends:
              app:
                servers: ["127.0.0.1:9000"]
                error_pages: {503: \(ErrorPageFiles.debian(502))}
            listeners:
              - bind: 127.0.0.1:8080
                backend: app
                error_pages: {404: {redirect: /missing, code: 303}}
            error_pages:
              503: \(ErrorPageFiles.debian(503))
              504: \(ErrorPageFiles.debian(504))
            """)
        #expect(c.backends[0].errorPages.mapValues(\.source) == [503: .file(ErrorPageFiles.debian(502)), 504: .file(ErrorPageFiles.debian(504))])
        #expect(c.listeners[0].errorPages.mapValues(\.source) == [
            404: .redirect(location: "/missing", status: 303), 503: .file(ErrorPageFiles.debian(503)), 504: .file(ErrorPageFiles.debian(504)),
        ])
    }

    @Test("bad error_pages entries are reported at their line and column")
    func malformed() {
        #expect(errors("""
            backends:
              app: {servers: ["127.0.0.1:9000"]}
            listeners:
              - bind: 127.0.0.1:8080
                backend: app
                error_pages:
                  414: /x.http
                  503: /nonexistent/503.http
                  504: {redirect: /x, code: 301}
            error_pages: /etc/haproxy/errors
            """) == [
            "test.yaml:7:7: error: listeners[0].error_pages: status code 414 cannot have an error page; HAProxy 2.6 has them for 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504",
            "test.yaml:8:12: error: listeners[0].error_pages.503: cannot open '/nonexistent/503.http': No such file or directory",
            "test.yaml:9:33: error: listeners[0].error_pages.504.code must be between 302 and 303, found 301",
            "test.yaml:10:14: error: error_pages must map status codes to error page files, found the value '/etc/haproxy/errors'",
        ])
    }
}

@Suite("error pages: which page answers")
struct ErrorPageLookupTests {
    private func page(_ text: String, code: Int = 503) throws -> ErrorPage {
        ErrorPage(source: .file("test"), response: try ErrorPage.checked(Array(text.utf8)))
    }

    private func listener(_ pages: [Int: ErrorPage], backend: String = "app") -> ListenerConfiguration {
        var listener = ListenerConfiguration(name: "web", bind: BindAddress(host: "127.0.0.1", port: 8080), location: .init(file: "t", line: 1, column: nil))
        listener.defaultBackend = backend
        listener.errorPages = pages
        return listener
    }

    private func backend(_ name: String, _ pages: [Int: ErrorPage]) -> BackendConfiguration {
        var backend = BackendConfiguration(name: name, membership: .servers([]), location: .init(file: "t", line: 1, column: nil))
        backend.errorPages = pages
        return backend
    }

    private func bytes(_ parts: [HTTPOutboundPart]) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .head(let head): text += String(buffer: head.bytes)
            case .body(let body): text += String(buffer: body)
            case .end, .tunnel: break
            }
        }
        return text
    }

    @Test("no page anywhere: no table, so proxyd's own responses cost one nil check")
    func noTable() {
        #expect(ErrorPageTable.make(listener: listener([:]), backends: [backend("app", [:])]) == nil)
    }

    @Test("the backend's page once a backend was chosen, else the listener's, else none")
    func precedence() throws {
        let front = try page("HTTP/1.1 503 Front\r\nContent-Length: 0\r\n\r\n")
        let back = try page("HTTP/1.1 503 Back\r\nContent-Length: 0\r\n\r\n")
        let other = try page("HTTP/1.1 502 Other\r\nContent-Length: 0\r\n\r\n")
        let table = try #require(ErrorPageTable.make(
            listener: listener([503: front, 502: other]), backends: [backend("app", [503: back]), backend("unused", [504: back])]))
        #expect(table.page(for: 503, backend: "app")?.status == 503)
        #expect(bytes(try #require(table.page(for: 503, backend: "app")).parts(keepAlive: true, headOnly: false).parts).contains("Back"))
        #expect(bytes(try #require(table.page(for: 503, backend: nil)).parts(keepAlive: true, headOnly: false).parts).contains("Front"))
        #expect(bytes(try #require(table.page(for: 502, backend: "app")).parts(keepAlive: true, headOnly: false).parts).contains("Other"))
        #expect(table.page(for: 504, backend: "app") == nil)
        #expect(table.page(for: 504, backend: "unused") == nil)
        #expect(table.page(for: 400, backend: nil) == nil)
    }

    @Test("Debian's page goes out byte for byte and always closes the connection")
    func debianPage() throws {
        let rendered = RenderedErrorPage(code: 503, page: try ErrorPage.file(ErrorPageFiles.debian(503)))
        let file = String(decoding: try ErrorPageFiles.bytes(ErrorPageFiles.debian(503)), as: UTF8.self)
        for keepAlive in [true, false] {
            let (parts, close) = rendered.parts(keepAlive: keepAlive, headOnly: false)
            #expect(bytes(parts) == file)
            #expect(close)
        }
        let (head, _) = rendered.parts(keepAlive: true, headOnly: true)
        #expect(bytes(head) == "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n")
    }

    @Test("a page with a length keeps the connection when the exchange may; closing adds Connection: close")
    func keepAlivePage() throws {
        let rendered = RenderedErrorPage(code: 503, page: try page("HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy"))
        let kept = rendered.parts(keepAlive: true, headOnly: false)
        #expect(bytes(kept.parts) == "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy")
        #expect(!kept.close)
        let closed = rendered.parts(keepAlive: false, headOnly: false)
        #expect(bytes(closed.parts) == "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy")
        #expect(closed.close)
    }

    @Test("an HTTP/1.1 page without a length closes after its body and says so")
    func untilClosePage() throws {
        let rendered = RenderedErrorPage(code: 502, page: try page("HTTP/1.1 502 Down\r\n\r\ndown"))
        let (parts, close) = rendered.parts(keepAlive: true, headOnly: false)
        #expect(bytes(parts) == "HTTP/1.1 502 Down\r\nConnection: close\r\n\r\ndown")
        #expect(close)
    }

    @Test("an empty page answers nothing and closes; a page's own status is what the client sees")
    func emptyAndOtherStatus() throws {
        let empty = LocalResponse.response(status: 408, location: nil, keepAlive: true, headOnly: false,
                                           page: RenderedErrorPage(code: 408, page: try ErrorPage.file("/dev/null")), allocator: .init())
        #expect(empty.parts.isEmpty && empty.close)
        let moved = LocalResponse.response(status: 503, location: nil, keepAlive: true, headOnly: false,
                                           page: RenderedErrorPage(code: 503, page: try ErrorPage.redirect(to: "/x", status: 303)), allocator: .init())
        #expect(moved.status == 303 && !moved.close)
        guard case .head(let head) = moved.parts.first else {
            Issue.record("no head")
            return
        }
        #expect(head.status == 503)  // what the codec sees: never a protocol switch
    }

    @Test("without a page, proxyd's own response; to HEAD without its body")
    func ownResponse() {
        let full = LocalResponse.response(status: 503, location: nil, keepAlive: true, headOnly: false, page: nil, allocator: .init())
        let head = LocalResponse.response(status: 503, location: nil, keepAlive: true, headOnly: true, page: nil, allocator: .init())
        #expect(bytes(full.parts).hasSuffix("503 Service Unavailable: No backend endpoint is available.\n"))
        #expect(bytes(head.parts) + "503 Service Unavailable: No backend endpoint is available.\n" == bytes(full.parts))
    }
}
