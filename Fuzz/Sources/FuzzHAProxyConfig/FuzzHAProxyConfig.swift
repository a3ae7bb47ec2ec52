// libFuzzer target: proxyd's haproxy.cfg reader (Sources/proxyd/Configuration, compiled into
// this target through the `Configuration` symlink; see Fuzz/Package.swift for why).
// Property: any input either loads, and then haproxy.cfg -> model -> YAML -> model gives the
// same model (what `proxyd convert` promises), or is refused with errors that each name a line
// of the input; never a crash or hang.

/// A small fixed environment so `"$NAME"` expansion is exercised without reading the process's.
private let environment = ["HOME": "/home/proxy", "PORT": "8080", "EMPTY": "", "SPACED": "a b"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // ConfigurationFile refuses files that are not UTF-8 before the loader sees them.
    guard let text = String(validating: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self) else { return 0 }
    let file = "fuzz.cfg"
    // haproxy.cfg is line-based: LF and CRLF end lines (a lone CR does not), no columns.
    let lines = lineLengths(of: text, breaks: { $0 == "\n" })
    do {
        let loaded = try HAProxyConfigurationLoader.load(text: text, file: file, environment: environment)
        checkDiagnostics(loaded.warnings, file: file, lines: lines, columns: false, input: text)
        checkRoundTrip(loaded.configuration, input: text)
    } catch {
        if error.diagnostics.isEmpty || !error.diagnostics.contains(where: { $0.severity == .error }) {
            violated("a refused file without an error diagnostic", text)
        }
        checkDiagnostics(error.diagnostics, file: file, lines: lines, columns: false, input: text)
    }
    return 0
}
