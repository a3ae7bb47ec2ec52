import CMallocCounter
import Foundation
import HTTPCore
import NIOCore
import Testing
@testable import proxyd

/// Request facts from a raw request head, parsed by HTTPCore as the forwarding path parses it.
enum ACLTestRequests {
    static func facts(_ head: String, client: String = "203.0.113.7", tls: Bool = false, sni: String? = nil) throws -> RequestFacts {
        var parser = HTTPHeadParser(kind: .request)
        let buffer = ByteBuffer(string: head)
        let progress = try buffer.withUnsafeReadableBytes { try parser.parse($0) }
        try #require(progress != .needMore, "incomplete head: \(head)")
        let message = HTTPMessageHead(bytes: buffer, head: parser.head)
        return RequestFacts(target: message.target, host: message.firstValue(of: .host), isTLS: tls, clientAddress: client,
                            clientPort: 40_000, listenerPort: 80, serverName: sni, headers: .head(message))
    }

    static func get(_ target: String, _ fields: [String] = [], method: String = "GET", client: String = "203.0.113.7",
                    tls: Bool = false, sni: String? = nil) throws -> RequestFacts {
        try facts("\(method) \(target) HTTP/1.1\r\nHost: example.com\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n",
                  client: client, tls: tls, sni: sni)
    }
}

@Suite("ACL criteria: compiled as HAProxy reads them")
struct ACLCriteriaParserTests {
    private func compile(_ line: String) throws(HAProxyLineError) -> RuleCondition {
        try HAProxyConditionParser.criterion(ArraySlice(line.split(separator: " ").map(String.init)))
    }

    private func error(_ line: String) -> String? {
        do throws(HAProxyLineError) {
            _ = try compile(line)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("each fetch compiles to its sample and HAProxy's default matching method")
    func defaults() throws {
        #expect(try compile("path /a") == .sample(.init(sample: .path, test: .exact(["/a"]))))
        #expect(try compile("path_beg /a") == .pathPrefix(["/a"]))
        #expect(try compile("path_end .php") == .sample(.init(sample: .path, test: .suffix([".php"]))))
        #expect(try compile("path_sub adm") == .sample(.init(sample: .path, test: .substring(["adm"]))))
        #expect(try compile("path_dir img") == .sample(.init(sample: .path, test: .directory(["img"]))))
        #expect(try compile("path_dom com") == .sample(.init(sample: .path, test: .domain(["com"]))))
        #expect(try compile("path_len 1:5") == .sample(.init(sample: .path, test: .length([1...5]))))
        #expect(try compile("url_beg /x") == .sample(.init(sample: .url, test: .prefix(["/x"]))))
        #expect(try compile("query a=1") == .sample(.init(sample: .query, test: .exact(["a=1"]))))
        #expect(try compile("hdr(X-Api) v2") == .sample(.init(sample: .header("x-api"), test: .exact(["v2"]))))
        #expect(try compile("req.hdr(x-api) -m beg v") == .sample(.init(sample: .header("x-api"), test: .prefix(["v"]))))
        #expect(try compile("hdr_beg(host) www.") == .sample(.init(sample: .header("host"), test: .prefix(["www."]))))
        #expect(try compile("hdr_end(host) .com") == .sample(.init(sample: .header("host"), test: .suffix([".com"]))))
        #expect(try compile("hdr_sub(user-agent) curl") == .sample(.init(sample: .header("user-agent"), test: .substring(["curl"]))))
        #expect(try compile("hdr_dom(host) example") == .sample(.init(sample: .header("host"), test: .domain(["example"]))))
        #expect(try compile("hdr(host) -i A.example.com") == .host(["a.example.com"]))
        #expect(try compile("urlp(id) 42") == .sample(.init(sample: .urlParameter(name: "id", delimiter: 0x3F), test: .exact(["42"]))))
        #expect(try compile("url_param(id,;) 42") == .sample(.init(sample: .urlParameter(name: "id", delimiter: 0x3B), test: .exact(["42"]))))
        #expect(try compile("ssl_fc_sni a.example.com") == .sample(.init(sample: .serverName, test: .exact(["a.example.com"]))))
        #expect(try compile("ssl_fc_sni_end .example.com") == .sample(.init(sample: .serverName, test: .suffix([".example.com"]))))
        #expect(try compile("method GET HEAD") == .method(ACLMethodMatch(patterns: ["GET", "HEAD"])))
        #expect(try compile("src 10.0.0.0/8 192.168.1.7 2001:db8::/32") == .source([
            .v4(address: 0x0A00_0000, mask: 0xFF00_0000), .v4(address: 0xC0A8_0107, mask: .max),
            .v6(address: UInt128(0x2001_0db8) << 96, prefixLength: 32),
        ]))
        #expect(try compile("ssl_fc") == .tls)
    }

    @Test("-i lower-cases the patterns once; -m overrides the default; -- ends the flags; -n changes nothing")
    func flags() throws {
        #expect(try compile("path_end -i .PHP") == .sample(.init(sample: .path, test: .suffix([".php"]), ignoreCase: true)))
        #expect(try compile("path_beg -i /API") == .sample(.init(sample: .path, test: .prefix(["/api"]), ignoreCase: true)))
        #expect(try compile("hdr_beg(host) -m end .com") == .sample(.init(sample: .header("host"), test: .suffix([".com"]))))
        #expect(try compile("hdr(x-token) -m found") == .sample(.init(sample: .header("x-token"), test: .found)))
        #expect(try compile("query -m found") == .sample(.init(sample: .query, test: .found)))
        #expect(try compile("path -- -i") == .sample(.init(sample: .path, test: .exact(["-i"]))))
        #expect(try compile("src -n 10.0.0.1") == .source([.v4(address: 0x0A00_0001, mask: .max)]))
        #expect(try compile("src 10.1.2.3/255.0.255.0") == .source([.v4(address: 0x0A00_0200, mask: 0xFF00_FF00)]))
        #expect(try compile("path_reg -i ^/a[0-9]+$") == .sample(.init(sample: .path, test: .regex([try ACLRegex("^/a[0-9]+$", ignoreCase: true)]), ignoreCase: true)))
        #expect(try compile("method -i purge") == .method(ACLMethodMatch(patterns: ["purge"], ignoreCase: true)))
    }

    @Test("bad input is refused with the reason")
    func errors() {
        #expect(error("src 10.0.0.0/33") == "'10.0.0.0/33' is not a valid IPv4 network: the prefix length must be 0 to 32")
        #expect(error("src 2001:db8::/129") == "'2001:db8::/129' is not a valid IPv6 network: the prefix length must be 0 to 128")
        #expect(error("src 10.12") == "'10.12' is not a valid IPv4 or IPv6 address (write a dotted quad such as 10.0.0.0/8 or an IPv6 address such as 2001:db8::/32; proxyd resolves no host names in ACLs)")
        #expect(error("src 10.0.0.0/255.0.x.0") == "'10.0.0.0/255.0.x.0' is not a valid IPv4 network: '255.0.x.0' is not a dotted mask")
        #expect(error("path_reg ^/(a") == "regex '^/(a' does not compile: Unmatched ( or \\(")
        #expect(error("path_reg ^/\\d+") == "regex '^/\\d+' uses '\\d', which is PCRE syntax: proxyd compiles POSIX extended regular expressions (write [0-9] for \\d, [[:alnum:]_] for \\w, [[:space:]] for \\s)")
        #expect(error("path_reg ^/a.*?b") == "regex '^/a.*?b' uses a lazy or possessive quantifier ('*?'), which is PCRE syntax: proxyd compiles POSIX extended regular expressions (write [0-9] for \\d, [[:alnum:]_] for \\w, [[:space:]] for \\s)")
        #expect(error("cook(session) x") == "ACL criterion 'cook(session)' is not supported; supported: \(HAProxyACLCriterionParser.supportedCriteria)")
        #expect(error("path -x /a") == "'-x' is not a valid ACL option (supported: -i, -m, -f, -n, --). Please use '--' before any pattern beginning with a '-'")
        #expect(error("path -M -f a.map") == "ACL flag -M (load a map file) is not supported; list the patterns with -f")
        #expect(error("path -u 3 /a") == "ACL flag -u (an id for HAProxy's runtime ACL commands) is not supported; drop it")
        #expect(error("path -m foo /a") == "unknown matching method 'foo' when parsing ACL expression (supported: str, beg, end, sub, dir, dom, reg, len, found)")
        #expect(error("hdr(x) -m int 3") == "matching method 'int' is not supported with hdr(x); supported: str, beg, end, sub, dir, dom, reg, len, found")
        #expect(error("path_len lt 5") == "operator 'lt' is not supported with -m len; write a range instead (':4' for lt 5, '6:' for gt 5)")
        #expect(error("path_len 5:2") == "'5:2' is not a length or a range of lengths (N, N:M, :M or N:)")
        #expect(error("hdr(x) -m found y") == "'-m found' takes no pattern: it only tests that hdr(x) exists")
        #expect(error("path_end") == "path_end needs at least one pattern (write '-m found' to test that it exists)")
        #expect(error("hdr(x,1) y") == "hdr(x,1): an occurrence number is not supported; proxyd matches every occurrence, as HAProxy's ACLs do without one")
        #expect(error("hdr() y") == "hdr() needs a header name, e.g. hdr(host); proxyd does not match every header at once")
        #expect(error("src -m str 10.0.0.1") == "src matches IP networks; '-m str' is not supported with it")
        #expect(error("method -m beg G") == "method matches method names; '-m beg' is not supported with it")
        #expect(error("req.ssl_sni a") == "req.ssl_sni reads the SNI from a raw TLS ClientHello (TCP mode); proxyd terminates TLS, so write ssl_fc_sni")
        #expect(error("path,lower /a") == "'path,lower': converters after a fetch are not supported; use a matching method (-i, -m beg…) instead")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-acl-empty-\(UUID().uuidString).lst").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(error("path -f \(empty) -i /b") == "put -i before -f: proxyd applies -i to every pattern of the ACL, files included")
    }

    @Test("-f reads one pattern per line, skipping blank lines and # comments; a bad line is named by file and line")
    func patternFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-acl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("office.lst").path
        try "# office networks\n10.0.0.0/8\n\n   192.168.0.0/16\r\n#2001:db8::/32\n::1\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try compile("src -f \(good) 172.16.0.1") == .source([
            .v4(address: 0x0A00_0000, mask: 0xFF00_0000), .v4(address: 0xC0A8_0000, mask: 0xFFFF_0000), .v6(address: 1, prefixLength: 128),
            .v4(address: 0xAC10_0001, mask: .max),
        ]))
        let bad = directory.appendingPathComponent("bad.lst").path
        try "10.0.0.0/8\n10.0.0.0/8 # office\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(error("src -f \(bad)") == "\(bad):2: '10.0.0.0/8 # office' is not a valid IPv4 network: the prefix length must be 0 to 32")
        #expect(error("src -f \(directory.path)/missing.lst")?.hasPrefix("cannot read ACL pattern file '\(directory.path)/missing.lst'") == true)
    }

    @Test("in haproxy.cfg a bad criterion is refused at its line; predefined ACLs resolve unless declared")
    func inFile() throws {
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(front: ["acl office src 10.0.0.0/40"])) == [
            "haproxy.cfg:3: error: '10.0.0.0/40' is not a valid IPv4 network: the prefix length must be 0 to 32",
        ])
        let loaded = try HAProxyTestFiles.load(HAProxyTestFiles.file(front: ["use_backend app if METH_GET LOCALHOST", "use_backend app unless FALSE"]))
        #expect(loaded.configuration.listeners[0].routes.map(\.condition) == [
            .all([.method(ACLMethodMatch(patterns: ["GET", "HEAD"])), .source([.v4(address: 0x7F00_0000, mask: 0xFF00_0000), .v6(address: 1, prefixLength: 128)])]),
            .not(.not(.always)),
        ])
    }
}

@Suite("ACL criteria: evaluated on the request as HAProxy evaluates them")
struct ACLCriteriaEvaluationTests {
    #if DEBUG
    static let isOptimized = false
    #else
    static let isOptimized = true
    #endif

    private func holds(_ criterion: String, _ facts: RequestFacts) throws -> Bool {
        try HAProxyConditionParser.criterion(ArraySlice(criterion.split(separator: " ").map(String.init))).matches(facts)
    }

    @Test("src matches IPv4 and IPv6 clients against networks, across families as HAProxy maps them")
    func source() throws {
        let office = "src 10.0.0.0/8 2001:db8::/32"
        #expect(try holds(office, ACLTestRequests.get("/", client: "10.1.2.3")))
        #expect(try !holds(office, ACLTestRequests.get("/", client: "11.1.2.3")))
        #expect(try holds(office, ACLTestRequests.get("/", client: "2001:db8::5")))
        #expect(try holds(office, ACLTestRequests.get("/", client: "::ffff:10.9.9.9")))
        #expect(try holds(office, ACLTestRequests.get("/", client: "2002:0a01:0203::1")))
        #expect(try holds("src ::ffff:0:0/96", ACLTestRequests.get("/", client: "192.0.2.1")))
        #expect(try !holds(office, ACLTestRequests.get("/", client: "")))
    }

    @Test("method: known methods by exact bytes; others by bytes, or ignoring case under -i")
    func method() throws {
        #expect(try holds("method GET HEAD", ACLTestRequests.get("/")))
        #expect(try !holds("method POST", ACLTestRequests.get("/")))
        #expect(try holds("method PURGE", ACLTestRequests.get("/", method: "PURGE")))
        #expect(try !holds("method purge", ACLTestRequests.get("/", method: "PURGE")))
        #expect(try holds("method -i purge", ACLTestRequests.get("/", method: "PURGE")))
        #expect(try holds("method PATCH", ACLTestRequests.get("/", method: "PATCH")))
        #expect(try !holds("method -i get", ACLTestRequests.get("/")))
    }

    @Test("path, url and query are read from the target as HAProxy splits it")
    func target() throws {
        let request = try ACLTestRequests.get("/static/img/logo.PNG?v=3&x")
        #expect(try holds("path /static/img/logo.PNG", request))
        #expect(try holds("path_end -i .png", request))
        #expect(try !holds("path_end .png", request))
        #expect(try holds("path_dir img", request))
        #expect(try holds("path_dir static/img", request))
        #expect(try !holds("path_dir im", request))
        #expect(try holds("path_dom logo", request))
        #expect(try holds("path_sub /img/", request))
        #expect(try holds("path_reg ^/static/[a-z]+/", request))
        #expect(try holds("path_len 20:30", request))
        #expect(try holds("url_end &x", request))
        #expect(try holds("query v=3&x", request))
        #expect(try holds("query -m found", request))
        #expect(try !holds("query -m found", ACLTestRequests.get("/a")))
        #expect(try holds("query -m found", ACLTestRequests.get("/a?")))
        #expect(try holds("path /p", ACLTestRequests.get("http://example.com/p?q")))
        #expect(try !holds("path -m found", ACLTestRequests.get("*", method: "OPTIONS")))
    }

    @Test("hdr() tests every comma-separated value of every occurrence; -m found sees an empty header")
    func headers() throws {
        let request = try ACLTestRequests.get("/", ["Accept: text/html, application/json", "X-Tag: \"a,b\"", "X-Tag: c", "X-Empty:"])
        #expect(try holds("hdr(accept) application/json", request))
        #expect(try holds("hdr(Accept) text/html", request))
        #expect(try !holds("hdr(accept) text/html,", request))
        #expect(try holds("hdr(x-tag) \"a,b\"", request))
        #expect(try holds("hdr(x-tag) c", request))
        #expect(try holds("hdr_beg(x-tag) \"a", request))
        #expect(try holds("hdr_sub(accept) -i JSON", request))
        #expect(try holds("hdr(x-empty) -m found", request))
        #expect(try holds("hdr_len(x-empty) 0", request))
        #expect(try !holds("hdr(x-missing) -m found", request))
        #expect(try holds("hdr_dom(host) example", request))
        #expect(try holds("hdr_end(host) .com", request))
        #expect(try holds("hdr(host) EXAMPLE.com", ACLTestRequests.facts("GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")))
    }

    @Test("url_param finds each value of a parameter, after ? or the delimiter, between & and ;")
    func urlParameters() throws {
        let request = try ACLTestRequests.get("/a?x=1&id=7;id=42&idx=9")
        #expect(try holds("urlp(id) 42", request))
        #expect(try holds("urlp(id) 7", request))
        #expect(try !holds("urlp(id) 9", request))
        #expect(try holds("urlp(idx) -m found", request))
        #expect(try !holds("urlp(ID) -m found", request))
        #expect(try holds("url_param(s,;) abc", ACLTestRequests.get("/p;s=abc")))
        #expect(try !holds("urlp(id) -m found", ACLTestRequests.get("/a")))
    }

    @Test("ssl_fc_sni is the SNI of a TLS connection, absent on plain HTTP")
    func serverName() throws {
        #expect(try holds("ssl_fc_sni_end .example.com", ACLTestRequests.get("/", tls: true, sni: "a.example.com")))
        #expect(try holds("ssl_fc_sni -i A.EXAMPLE.COM", ACLTestRequests.get("/", tls: true, sni: "a.example.com")))
        #expect(try !holds("ssl_fc_sni -m found", ACLTestRequests.get("/", tls: true)))
        #expect(try !holds("ssl_fc_sni -m found", ACLTestRequests.get("/", sni: "a.example.com")))
    }

    /// In a debug build the unspecialised generic code of the standard library allocates on
    /// its own (iterating an array of structs does), so the count is only meaningful in an
    /// optimised build, which is what runs in production:
    /// `swift test -c release -Xswiftc -enable-testing --filter ACLCriteriaEvaluationTests`.
    @Test("evaluating every kind of criterion allocates nothing per request (optimised build)",
          .enabled(if: ACLCriteriaEvaluationTests.isOptimized, "the allocation count is exact only in an optimised build"))
    func noAllocation() throws {
        let lines = [
            "src 10.0.0.0/8 2001:db8::/32", "method -i GET purge", "path_end -i .php .png", "path_dir img", "path_reg ^/static/[a-z]+/",
            "path_len 1:100", "url_sub v=", "query -m found", "hdr(accept) application/json", "hdr_sub(user-agent) -i CURL", "hdr_dom(host) example",
            "hdr(x-missing) -m found", "urlp(id) 42", "ssl_fc_sni_end .example.com", "hdr(host) -i example.com", "path_beg /static", "ssl_fc",
        ]
        let conditions = try lines.map { try HAProxyConditionParser.criterion(ArraySlice($0.split(separator: " ").map(String.init))) }
        // One expression holding every criterion, and with every combinator.
        let all = RuleCondition.any([.all(conditions), .not(.any(conditions))])
        let requests = try [
            ACLTestRequests.get("/static/img/a.png?v=1&id=42", ["Accept: text/html, application/json", "User-Agent: curl/8"], client: "10.1.1.1", tls: true, sni: "a.example.com"),
            ACLTestRequests.get("/index.php", method: "PURGE", client: "2001:db8::1"),
            ACLTestRequests.get("/x/img/a?id=4", method: "purge", client: "192.0.2.1"),
        ]
        var matched = 0
        for request in requests {  // warm-up (glibc builds a regex's DFA states lazily)
            for condition in conditions + [all] where condition.matches(request) { matched += 1 }
        }
        let perRound = matched
        let everything = conditions + [all]
        let before = cmalloccounter_thread_allocations()
        for _ in 0..<1_000 {
            for request in requests {
                for condition in everything where condition.matches(request) { matched += 1 }
            }
        }
        let allocations = cmalloccounter_thread_allocations() - before
        #expect(perRound > requests.count && matched == 1_001 * perRound)
        #expect(allocations == 0, "\(allocations) allocations in 1,000 rounds of \(lines.count) criteria over \(requests.count) requests")
        // The counter does count: one array is one allocation.
        let probe = cmalloccounter_thread_allocations()
        let array = Array(repeating: matched, count: 64)
        #expect(cmalloccounter_thread_allocations() - probe >= 1 && array.count == 64)
    }
}

@Suite("ACL criteria: YAML keys and proxyd convert")
struct ACLCriteriaYAMLTests {
    private static let backend = """
        backends:
          app:
            servers: ["127.0.0.1:9000"]
        listeners:
          - bind: 127.0.0.1:8080
            backend: app
            routes:
              - backend: app
                when:

        """

    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("each criterion key reads into the same condition haproxy.cfg gives")
    func keys() throws {
        let yaml = Self.backend + """
                      src: [10.0.0.0/8, "2001:db8::/32"]
                      method: { names: [GET, purge], ignore_case: true }
                      path: { suffix: [.PHP], ignore_case: true }
                      url: { prefix: [/x] }
                      query: { exists: true }
                      header: { name: X-Api, regex: ["^v[0-9]$"] }
                      url_param: { name: id, equals: ["42"], delimiter: ";" }
                      sni: { length: ["3:", "1"] }
            """
        let condition = try #require(try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml").configuration.listeners.first?.routes.first?.condition)
        let cfg = try HAProxyTestFiles.load(HAProxyTestFiles.file(front: [
            "use_backend app if { src 10.0.0.0/8 2001:db8::/32 } { method -i GET purge } { path_end -i .PHP } { url_beg /x } { query -m found } { hdr_reg(X-Api) ^v[0-9]$ } { urlp(id,;) 42 } { ssl_fc_sni -m len 3: 1 }",
        ])).configuration.listeners[0].routes[0].condition
        #expect(condition == cfg)
    }

    @Test("bad criterion values are refused at the key with the reason")
    func errorsAtKeys() {
        #expect(errors(Self.backend + "          src: [10.0.0.0/33]\n") == [
            "test.yaml:10:16: error: listeners[0].routes[0].when.src: '10.0.0.0/33' is not a valid IPv4 network: the prefix length must be 0 to 32",
        ])
        #expect(errors(Self.backend + "          path: { regex: [\"(a\"] }\n") == [
            "test.yaml:10:17: error: listeners[0].routes[0].when.path: regex '(a' does not compile: Unmatched ( or \\(",
        ])
        #expect(errors(Self.backend + "          path: { prefix: [/a], suffix: [.b] }\n") == [
            "test.yaml:10:17: error: listeners[0].routes[0].when.path: needs exactly one of: equals, prefix, suffix, contains, dir, domain, regex, length, exists",
        ])
        #expect(errors(Self.backend + "          header: { equals: [a] }\n") == [
            "test.yaml:10:19: error: listeners[0].routes[0].when.header: `header:` needs `name:`, a valid header name",
        ])
    }

    @Test("proxyd convert round-trips every criterion, flag and matching method")
    func convertRoundTrip() throws {
        let criteria = [
            "src 10.0.0.0/8 192.168.1.7 10.1.0.0/255.255.0.255 2001:db8::/32 ::1", "method GET HEAD", "method -i purge GET",
            "path /a", "path_beg /a", "path_beg -i /A", "path_end .php", "path_sub adm", "path_dir img", "path_dom com", "path_reg -i ^/a[0-9]+$",
            "path_len 1:5 7 9:", "url_beg /x", "url -m sub y", "query a=1", "query -m found", "hdr(X-Api) v2", "hdr_beg(host) www.", "hdr_end(host) .com",
            "hdr_sub(user-agent) -i curl", "hdr_dom(host) example", "hdr_reg(x) ^a", "hdr_len(x) :4", "hdr(x-token) -m found", "hdr(host) -i A.example.com",
            "urlp(id) 42", "url_param(id,;) 42", "urlp_beg(id) 4", "ssl_fc_sni a.example.com", "ssl_fc_sni_end -i .EXAMPLE.com", "ssl_fc_sni -m found", "ssl_fc",
        ]
        let text = HAProxyTestFiles.file(front: criteria.enumerated().map { "acl c\($0.offset) \($0.element)" }
            + criteria.indices.map { "use_backend app if c\($0) || !c\(($0 + 1) % criteria.count)" })
        let original = try HAProxyTestFiles.load(text).configuration
        let yaml = try ConfigurationYAMLWriter.yaml(for: original)
        let reread = try YAMLConfigurationLoader.load(yaml: yaml, file: "converted.yaml").configuration
        #expect(reread.listeners[0].routes.count == criteria.count)
        for (index, route) in original.listeners[0].routes.enumerated() {
            #expect(reread.listeners[0].routes[index].condition == route.condition, "\(criteria[index])")
        }
    }
}
