/// Reads HAProxy's error pages: `http-errors NAME` sections of `errorfile` lines, and in
/// `defaults`, `frontend`, `backend` and `listen` sections the `errorfile CODE FILE`,
/// `errorfiles NAME [CODE…]` and `errorloc`/`errorloc302`/`errorloc303 CODE URL` directives.
///
/// Each directive sets the page of its codes in the section's ``HAProxyProxySettings``
/// (a `defaults` section passes them on); a later line replaces an earlier one's page for the
/// same code, as HAProxy applies them in order. `errorfiles` copies the named set's pages in
/// (HAProxy: "exactly the same as declaring all error files by hand"), so the model and the
/// YAML only know pages per listener and backend. Every file is read and checked here, at its
/// line (see ``ErrorPage``).
struct HAProxyErrorPagesReader {
    let diagnostics: ConfigurationDiagnostics

    /// The pages of every `http-errors` section, by section name.
    func sets(in sections: [HAProxySection]) -> [String: [Int: ErrorPage]] {
        var sets: [String: [Int: ErrorPage]] = [:]
        var lines: [String: Int] = [:]
        for section in sections where section.kind == .httpErrors {
            if let first = lines[section.name] {
                diagnostics.error("http-errors section '\(section.name)' is defined twice (first at line \(first))", line: section.line)
                continue
            }
            lines[section.name] = section.line
            var pages: [Int: ErrorPage] = [:]
            for line in section.directives {
                do throws(HAProxyLineError) {
                    guard line.keyword == "errorfile" else {
                        throw HAProxyLineError("'\(line.keyword)' is not allowed in \(section.label); it holds only errorfile lines")
                    }
                    let (code, page) = try errorfile(line.arguments)
                    pages[code] = page
                } catch {
                    diagnostics.error(error.message, line: line.number)
                }
            }
            sets[section.name] = pages
        }
        return sets
    }

    /// Applies one `errorfile`, `errorfiles` or `errorloc*` line of a proxy section.
    func read(_ line: HAProxyConfigLine, sets: [String: [Int: ErrorPage]], into pages: inout [Int: ErrorPage]) throws(HAProxyLineError) {
        switch line.keyword {
        case "errorfile":
            let (code, page) = try errorfile(line.arguments)
            pages[code] = page
        case "errorfiles":
            try errorfiles(Array(line.arguments), sets: sets, into: &pages)
        default:
            let keyword = line.keyword
            let arguments = Array(line.arguments)
            guard arguments.count == 2 else {
                throw HAProxyLineError("\(keyword) needs a status code and a URL, e.g. \(keyword) 503 https://status.example.com/")
            }
            let code = try Self.code(arguments[0], directive: keyword)
            do {
                pages[code] = try ErrorPage.redirect(to: arguments[1], status: keyword == "errorloc303" ? 303 : 302)
            } catch {
                throw HAProxyLineError("\(keyword) \(code): \(error.message)")
            }
        }
    }

    private func errorfile(_ words: ArraySlice<String>) throws(HAProxyLineError) -> (Int, ErrorPage) {
        let arguments = Array(words)
        guard arguments.count == 2 else {
            throw HAProxyLineError("errorfile needs a status code and a file, e.g. errorfile 503 /etc/haproxy/errors/503.http")
        }
        let code = try Self.code(arguments[0], directive: "errorfile")
        do {
            return (code, try ErrorPage.file(arguments[1]))
        } catch {
            throw HAProxyLineError("errorfile \(code): \(error.message)")
        }
    }

    private func errorfiles(_ arguments: [String], sets: [String: [Int: ErrorPage]], into pages: inout [Int: ErrorPage]) throws(HAProxyLineError) {
        guard let name = arguments.first else {
            throw HAProxyLineError("errorfiles needs the name of an http-errors section, e.g. errorfiles site-errors [503 …]")
        }
        guard let set = sets[name] else {
            throw HAProxyLineError("http-errors section '\(name)' is not defined\(ConfigurationValidator.hint(name, in: Set(sets.keys)))")
        }
        let codes = arguments.dropFirst()
        if codes.isEmpty {
            pages.merge(set) { _, new in new }
            return
        }
        for text in codes {
            let code = try Self.code(text, directive: "errorfiles")
            guard let page = set[code] else {
                throw HAProxyLineError("errorfiles: http-errors section '\(name)' has no errorfile for \(code)")
            }
            pages[code] = page
        }
    }

    /// A status code that can have an error page, or the error that says which can.
    static func code(_ text: String, directive: String) throws(HAProxyLineError) -> Int {
        guard let code = Int(text) else {
            throw HAProxyLineError("\(directive): '\(text)' is not a status code")
        }
        guard ErrorPage.statuses.contains(code) else {
            let known = ErrorPage.statuses.map(String.init).joined(separator: ", ")
            throw HAProxyLineError("\(directive): status code \(code) cannot have an error page; HAProxy 2.6 has them for \(known)")
        }
        return code
    }
}

