// Shared by FuzzYAMLConfig and FuzzHAProxyConfig (symlinked into both targets, like the
// Configuration sources themselves): the properties every configuration load must have.
//
// 1. A refused file carries at least one error, and every diagnostic (errors and warnings)
//    points inside the input: the fuzzed file's name, a line the input has and, for YAML, a
//    column on that line.
// 2. A loaded model written as YAML (ConfigurationYAMLWriter, what `proxyd check` and
//    `proxyd convert` print) reads back without errors as the same model, source locations
//    aside; and writing that model again gives the same text (the writer is a fixed point).

/// Why a property failed; `fatalError` with it so libFuzzer saves the input.
func violated(_ what: String, _ input: String) -> Never {
    fatalError("\(what)\n--- input (\(input.utf8.count) bytes) ---\n\(input)\n---")
}

/// The lengths in Unicode scalars of each line of `text`, split at the line breaks `breaks`
/// names: the measure a diagnostic's line and column must fall inside.
func lineLengths(of text: String, breaks isBreak: (Unicode.Scalar) -> Bool) -> [Int] {
    var lengths: [Int] = []
    var current = 0
    var previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
        if scalar == "\n" && previous == "\r" && isBreak("\r") {
            // CRLF is one break: the CR already ended the line.
        } else if isBreak(scalar) {
            lengths.append(current)
            current = 0
        } else {
            current += 1
        }
        previous = scalar
    }
    lengths.append(current)
    return lengths
}

/// Property 1: every diagnostic names `file`, a line of the input and (when `columns`) a
/// column within that line, one past its end included (libyaml reports "end of line" there).
func checkDiagnostics(_ diagnostics: [ConfigurationDiagnostic], file: String, lines: [Int], columns: Bool, input: String) {
    for diagnostic in diagnostics {
        let location = diagnostic.location
        guard location.file == file else { violated("diagnostic names another file: \(diagnostic)", input) }
        guard (1...lines.count).contains(location.line) else {
            violated("diagnostic at line \(location.line) of a \(lines.count)-line input: \(diagnostic)", input)
        }
        guard columns else { continue }
        guard let column = location.column else { violated("YAML diagnostic without a column: \(diagnostic)", input) }
        guard (1...lines[location.line - 1] + 1).contains(column) else {
            violated("diagnostic at column \(column) of a \(lines[location.line - 1])-character line: \(diagnostic)", input)
        }
    }
}

/// The model with every source location cleared: the YAML written for a model has other lines.
func withoutLocations(_ configuration: ProxyConfiguration) -> ProxyConfiguration {
    let nowhere = SourceLocation(file: "", line: 0, column: nil)
    var c = configuration
    for i in c.listeners.indices {
        c.listeners[i].location = nowhere
        for j in c.listeners[i].rules.indices { c.listeners[i].rules[j].location = nowhere }
        for j in c.listeners[i].routes.indices { c.listeners[i].routes[j].location = nowhere }
    }
    for i in c.backends.indices {
        c.backends[i].location = nowhere
        if case .servers(var servers) = c.backends[i].membership {
            for j in servers.indices { servers[j].location = nowhere }
            c.backends[i].membership = .servers(servers)
        }
    }
    for i in c.resolvers.indices { c.resolvers[i].location = nowhere }
    return c
}

/// Property 2: model -> YAML -> model is the identity, and the YAML is a fixed point.
func checkRoundTrip(_ configuration: ProxyConfiguration, input: String) {
    let yaml: String
    do {
        yaml = try ConfigurationYAMLWriter.yaml(for: configuration)
    } catch {
        violated("a loaded model failed to write as YAML: \(error)", input)
    }
    let reloaded: ProxyConfiguration
    do {
        reloaded = try YAMLConfigurationLoader.load(yaml: yaml, file: "written.yaml").configuration
    } catch {
        violated("the YAML written for a loaded model is refused:\n\(error)\n--- written ---\n\(yaml)", input)
    }
    guard withoutLocations(reloaded) == withoutLocations(configuration) else {
        violated("the YAML written for a loaded model reads back as another model\n--- written ---\n\(yaml)\n--- model ---\n\(configuration)\n--- reread ---\n\(reloaded)", input)
    }
    guard let again = try? ConfigurationYAMLWriter.yaml(for: reloaded), again == yaml else {
        violated("writing the reread model gives other YAML\n--- first ---\n\(yaml)", input)
    }
}
