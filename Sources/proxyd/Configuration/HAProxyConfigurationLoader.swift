/// Reads a haproxy.cfg into the same ``ProxyConfiguration`` the YAML reader produces, so the
/// daemon runs either and `proxyd convert` can print the equivalent YAML.
///
/// Every problem is reported as `file:line` with what to do; supported directives translate,
/// harmless process directives warn, and anything that would change behaviour proxyd cannot
/// reproduce is an error. Where the file says nothing, proxyd's defaults apply, not HAProxy's
/// (HAProxy's are infinite timeouts and no health checks; proxyd's are documented in the model).
enum HAProxyConfigurationLoader {
    static func load(text: String, file: String, environment: [String: String] = [:]) throws(ConfigurationError) -> LoadedConfiguration {
        let diagnostics = ConfigurationDiagnostics(file: file)
        var lines: [HAProxyConfigLine] = []
        for (index, text) in physicalLines(text).enumerated() {
            let line = text.hasSuffix("\r") ? text.dropLast() : text
            do {
                let words = try HAProxyConfigTokenizer.words(in: line, environment: environment)
                if !words.isEmpty { lines.append(HAProxyConfigLine(number: index + 1, words: words)) }
            } catch {
                diagnostics.error("\(error)", line: index + 1)
            }
        }
        let sections = HAProxySection.sections(of: lines, diagnostics: diagnostics)
        var configuration = ProxyConfiguration()
        var bindDefaults = HAProxyGlobalReader.BindDefaults()
        for section in sections where section.kind == .global {
            HAProxyGlobalReader(diagnostics: diagnostics).read(section, into: &configuration, bindDefaults: &bindDefaults)
        }
        let logReader = HAProxyLogReader(diagnostics: diagnostics)
        let globalLog = logReader.readGlobal(sections.filter { $0.kind == .global })
        var reader = HAProxyProxyReader(diagnostics: diagnostics, certificateBase: bindDefaults.certificateBase, tlsDefaults: bindDefaults.tls)
        // HAProxy resolves `errorfiles` after parsing: an http-errors section may come later.
        reader.httpErrors = HAProxyErrorPagesReader(diagnostics: diagnostics).sets(in: sections)
        reader.globalLog = globalLog
        var defaults = HAProxyProxySettings()
        var proxies: [HAProxyProxy] = []
        for section in sections {
            switch section.kind {
            case .global, .httpErrors: continue
            case .resolvers:
                if let resolver = HAProxyResolversReader(diagnostics: diagnostics).read(section) { configuration.resolvers.append(resolver) }
            case .defaults:
                // HAProxy: each defaults section starts afresh and applies to the sections after it.
                defaults = reader.read(section, inheriting: HAProxyProxySettings()).settings
            case .frontend, .backend, .listen:
                proxies.append(reader.read(section, inheriting: defaults))
            }
        }
        HAProxyModelBuilder(diagnostics: diagnostics, resolvers: Set(configuration.resolvers.map(\.name))).build(proxies, into: &configuration)
        logReader.build(proxies, global: globalLog, into: &configuration)
        if !diagnostics.hasErrors && configuration.listeners.isEmpty {
            diagnostics.error("no listeners: add a frontend or listen section with a bind line (e.g. bind :80)", line: 1)
        }
        if !diagnostics.hasErrors {
            ConfigurationValidator.validate(configuration, into: diagnostics)
        }
        if diagnostics.hasErrors {
            throw ConfigurationError(diagnostics: diagnostics.all)
        }
        return LoadedConfiguration(configuration: configuration, warnings: diagnostics.warnings)
    }

    /// Whether a file's first directive opens a HAProxy section, for files not named `*.cfg`.
    static func looksLikeHAProxy(_ text: String) -> Bool {
        for line in physicalLines(text) {
            guard let words = try? HAProxyConfigTokenizer.words(in: line), let first = words.first else { continue }
            return HAProxySection.isSectionKeyword(first)
        }
        return false
    }

    /// The file's lines without their ends. Editors on Windows start files with a byte order
    /// mark and end lines with CRLF (one Character in Swift, so a separator of its own).
    private static func physicalLines(_ text: String) -> [Substring] {
        let body = text.unicodeScalars.first == "\u{FEFF}" ? Substring(text.unicodeScalars.dropFirst()) : Substring(text)
        return body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }
}
