// libFuzzer target: proxyd's YAML configuration loader (Sources/proxyd/Configuration, compiled
// into this target through the `Configuration` symlink; see Fuzz/Package.swift for why).
// Property: any input either loads, and then its model survives model -> YAML -> model, or is
// refused with errors that each point at a line:column inside the input; never a crash or hang.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // ConfigurationFile refuses files that are not UTF-8 before the loader sees them.
    guard let text = String(validating: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self) else { return 0 }
    let file = "fuzz.yaml"
    // libyaml's line breaks: LF, CR, CRLF, NEL, LS and PS.
    let lines = lineLengths(of: text, breaks: { ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) })
    do {
        let loaded = try YAMLConfigurationLoader.load(yaml: text, file: file)
        checkDiagnostics(loaded.warnings, file: file, lines: lines, columns: true, input: text)
        checkRoundTrip(loaded.configuration, input: text)
    } catch {
        if error.diagnostics.isEmpty || !error.diagnostics.contains(where: { $0.severity == .error }) {
            violated("a refused file without an error diagnostic", text)
        }
        checkDiagnostics(error.diagnostics, file: file, lines: lines, columns: true, input: text)
    }
    return 0
}
