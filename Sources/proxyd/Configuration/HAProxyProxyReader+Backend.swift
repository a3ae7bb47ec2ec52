/// The back-side directives: `balance`, `hash-type`, `server`, `server-template`, `http-check`.
extension HAProxyProxyReader {
    /// `balance ALGORITHM`. Hash-based algorithms map to `ring_hash`, a consistent hash: HAProxy
    /// hashes with a map (`hash-type map-based`) unless told `hash-type consistent`, but with
    /// endpoints that come and go with DNS a map would move most keys on every change.
    func balance(_ arguments: ArraySlice<String>) throws(HAProxyLineError) -> BalanceConfiguration {
        guard let algorithm = arguments.first else { throw HAProxyLineError("balance needs an algorithm: roundrobin, leastconn, source, random, uri or hdr(NAME)") }
        let extra = arguments.dropFirst()
        var balance = BalanceConfiguration()
        switch algorithm {
        case "roundrobin", "static-rr": balance.strategy = .roundRobin
        case "leastconn": balance.strategy = .leastConnections
        case "source": balance.strategy = .sourceHash
        // HAProxy's `random` takes the least loaded of 2 draws unless told otherwise.
        case "random(1)": balance.strategy = .random
        case "random", "random(2)": balance.strategy = .powerOfTwoChoices
        case "uri":
            // HAProxy hashes the part before '?' unless told `whole`.
            let whole = extra.first == "whole" && extra.count == 1
            guard extra.isEmpty || whole else {
                throw HAProxyLineError("balance uri options other than 'whole' ('\(extra.joined(separator: " "))') are not supported; proxyd hashes the path before '?' (or, with 'whole', the whole URI)")
            }
            balance.strategy = .ringHash
            balance.hashKey = .uri(includeQuery: whole)
        case "first": throw HAProxyLineError("balance first is not supported; leastconn is the closest")
        default:
            if algorithm.hasPrefix("hdr("), algorithm.hasSuffix(")") {
                let header = String(algorithm.dropFirst(4).dropLast())
                guard !header.isEmpty, header.allSatisfy(\.isHTTPTokenCharacter) else { throw HAProxyLineError("balance \(algorithm): '\(header)' is not a header name") }
                guard extra.isEmpty else { throw HAProxyLineError("balance hdr options ('\(extra.joined(separator: " "))') are not supported") }
                balance.strategy = .ringHash
                balance.hashKey = .header(header)
            } else if algorithm.hasPrefix("random(") {
                throw HAProxyLineError("balance \(algorithm): proxyd draws 1 (random) or 2 (random(2), power of two choices)")
            } else {
                throw HAProxyLineError("balance '\(algorithm)' is not supported; supported: roundrobin, static-rr, leastconn, source, random, random(2), uri, hdr(NAME)")
            }
        }
        if algorithm != "uri" && !algorithm.hasPrefix("hdr(") && !extra.isEmpty {
            throw HAProxyLineError("balance \(algorithm) takes no options, found '\(extra.joined(separator: " "))'")
        }
        return balance
    }

    func hashType(_ line: HAProxyConfigLine) throws(HAProxyLineError) {
        switch line.arguments.first {
        case "consistent": return
        case "map-based":
            diagnostics.warning("hash-type map-based is ignored: proxyd always hashes consistently (ring_hash), so fewer clients move when endpoints change", line: line.number)
        default:
            throw HAProxyLineError("hash-type must be map-based or consistent")
        }
    }

    func server(_ line: HAProxyConfigLine, into proxy: inout HAProxyProxy) throws(HAProxyLineError) {
        let arguments = Array(line.arguments)
        guard arguments.count >= 2 else { throw HAProxyLineError("server needs a name and an address, e.g. server web1 127.0.0.1:8081 check") }
        let name = arguments[0]
        let address: BindAddress
        do {
            address = try BindAddress(parsing: arguments[1])
        } catch .missingPort {
            throw HAProxyLineError("server '\(name)': address '\(arguments[1])' has no port; write HOST:PORT (proxyd does not reuse the client's port)")
        } catch {
            throw HAProxyLineError("server '\(name)': \(error)")
        }
        guard address.port != 0 else { throw HAProxyLineError("server '\(name)': address '\(arguments[1])' needs a port other than 0") }
        if address.host.hasPrefix("_") {
            throw HAProxyLineError("server '\(name)': '\(address.host)' is an SRV name; write server-template \(name) 1 \(address.host) resolvers NAME to follow it")
        }
        if !proxy.templates.isEmpty {
            throw HAProxyLineError("a backend takes one server-template and no server lines in proxyd; split it into backends")
        }
        var options = HAProxyServerOptions()
        warn(try options.read(arguments.dropFirst(2)), line: line.number)
        proxy.servers.append(.init(name: name, address: address, options: options, line: line.number))
    }

    /// `server-template PREFIX COUNT _service._proto.name[:port] resolvers R [options]`: proxyd
    /// follows every SRV target rather than filling COUNT slots.
    func serverTemplate(_ line: HAProxyConfigLine, into proxy: inout HAProxyProxy) throws(HAProxyLineError) {
        let arguments = Array(line.arguments)
        guard arguments.count >= 3 else { throw HAProxyLineError("server-template needs a prefix, a count and a name, e.g. server-template web 10 _app._tcp.internal resolvers dns") }
        let prefix = arguments[0]
        let count = arguments[1]
        let range = count.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(range.count), range.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            throw HAProxyLineError("server-template count '\(count)' must be a number or a range such as 1-10")
        }
        var name = Substring(arguments[2])
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) { name = name[..<colon] }
        guard name.hasPrefix("_") else {
            throw HAProxyLineError("server-template on '\(name)' (an A/AAAA name) is not supported: proxyd discovers endpoints through SRV records, which carry each task's port; name the SRV record (e.g. _\(name.split(separator: ".").first ?? "app")._tcp.\(name.split(separator: ".").dropFirst().joined(separator: "."))), which Cloud Map and Consul publish")
        }
        var options = HAProxyServerOptions()
        warn(try options.read(arguments.dropFirst(3)), line: line.number)
        if !proxy.servers.isEmpty || !proxy.templates.isEmpty {
            throw HAProxyLineError("a backend takes one server-template and no server lines in proxyd; split it into backends")
        }
        proxy.templates.append(.init(prefix: prefix, count: count, srvName: String(name), options: options, line: line.number))
    }

    /// `http-check expect status|rstatus …` and `http-check send meth M uri U [ver V] [hdr Host H]`.
    func httpCheck(_ line: HAProxyConfigLine, into settings: inout HAProxyProxySettings) throws(HAProxyLineError) {
        var rest = line.arguments
        switch rest.popFirst() {
        case "expect":
            guard let kind = rest.popFirst() else { throw HAProxyLineError("http-check expect needs 'status CODE' or 'rstatus REGEX'") }
            guard let pattern = rest.popFirst(), rest.isEmpty else { throw HAProxyLineError("http-check expect \(kind) needs exactly one value") }
            switch kind {
            case "status":
                guard let range = HealthCheckConfiguration.expectedStatus(parsing: pattern) else {
                    throw HAProxyLineError("http-check expect status '\(pattern)' must be a code (200) or a range (200-399)")
                }
                settings.expectedStatus = range
            case "rstatus":
                settings.expectedStatus = try Self.statusRange(regex: pattern)
            case "!":
                throw HAProxyLineError("http-check expect ! (negated) is not supported; write the statuses that mean healthy")
            default:
                throw HAProxyLineError("http-check expect \(kind) is not supported: proxyd checks the response status (status or rstatus)")
            }
        case "send":
            var request = settings.checkRequest?.value ?? .init()
            while let key = rest.popFirst() {
                guard let value = rest.popFirst() else { throw HAProxyLineError("http-check send \(key) needs a value") }
                switch key {
                case "meth": request.method = value
                case "uri": request.path = value
                case "ver": break
                case "hdr":
                    guard value.lowercased() == "host", let host = rest.popFirst() else {
                        throw HAProxyLineError("http-check send hdr: only the Host header is supported")
                    }
                    request.host = host
                default:
                    throw HAProxyLineError("http-check send \(key) is not supported; proxyd reads meth, uri, ver and hdr Host")
                }
            }
            settings.checkRequest = .init(value: request, line: line.number)
        case "disable-on-404":
            diagnostics.warning("http-check disable-on-404 is ignored: a 404 marks the endpoint down", line: line.number)
        case let other?:
            throw HAProxyLineError("http-check \(other) is not supported; proxyd reads expect and send")
        case nil:
            throw HAProxyLineError("http-check needs 'expect' or 'send'")
        }
    }


    /// The status regexes that say "this first digit (or class of them), any two after":
    /// `^2`, `^[23]`, `^2[0-9][0-9]$`, `2\d\d`, `^(2|3)`. Anything else is refused rather than
    /// guessed at.
    static func statusRange(regex: String) throws(HAProxyLineError) -> ClosedRange<Int> {
        let refusal = HAProxyLineError("http-check expect rstatus '\(regex)' is too complex to translate; write http-check expect status 200-399")
        var rest = Substring(regex)
        let anchored = rest.hasPrefix("^")
        if anchored { rest = rest.dropFirst() }
        if rest.hasSuffix("$") { rest = rest.dropLast() }
        var digits: [Int] = []
        if let first = rest.first, let digit = first.wholeNumberValue {
            digits = [digit]
            rest = rest.dropFirst()
        } else if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            if inner.count == 3, inner.dropFirst().first == "-", let low = inner.first?.wholeNumberValue, let high = inner.last?.wholeNumberValue, low <= high {
                digits = Array(low...high)
            } else if inner.allSatisfy(\.isNumber) {
                digits = inner.compactMap(\.wholeNumberValue)
            }
            rest = rest[rest.index(after: close)...]
        } else if rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
            let inner = rest[rest.index(after: rest.startIndex)..<close].split(separator: "|")
            if inner.allSatisfy({ $0.count == 1 && $0.first?.isNumber == true }) { digits = inner.compactMap { $0.first?.wholeNumberValue } }
            rest = rest[rest.index(after: close)...]
        }
        guard let low = digits.min(), let high = digits.max(), (1...5).contains(low), high <= 5, high - low + 1 == Set(digits).count else { throw refusal }
        var anyDigits = 0
        while !rest.isEmpty {
            if rest.hasPrefix(".") { rest = rest.dropFirst() } else if rest.hasPrefix("\\d") { rest = rest.dropFirst(2) } else if rest.hasPrefix("[0-9]") { rest = rest.dropFirst(5) } else { throw refusal }
            anyDigits += 1
        }
        guard anyDigits <= 2, anchored || anyDigits == 2 else { throw refusal }
        return (low * 100)...(high * 100 + 99)
    }
}
