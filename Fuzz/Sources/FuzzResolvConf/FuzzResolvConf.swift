// libFuzzer entry point for SRVDiscovery's resolv.conf parser: any bytes, read as text, must
// either parse into a configuration within glibc's limits or throw a ResolvConfError that
// names a line of the input — never crash, hang or accept values outside the caps.
import SRVDiscovery

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let config = try ResolvConfParser(source: "fuzz").parse(text)
        if config.nameservers.isEmpty || config.nameservers.count > ResolverConfig.maximumNameservers
            || config.attempts < 1 || config.attempts > ResolverConfig.maximumAttempts
            || config.ndots < 0 || config.ndots > ResolverConfig.maximumNdots
            || config.timeout < .seconds(1) || config.timeout > .seconds(ResolverConfig.maximumTimeoutSeconds)
        {
            fatalError("configuration outside glibc's limits: \(config)")
        }
        _ = config.candidateNames(for: "_hello-world-service.internal")
    } catch {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        if error.line < 1 || error.line > lines {
            fatalError("error names line \(error.line) of a \(lines)-line input: \(error)")
        }
    }
    return 0
}
