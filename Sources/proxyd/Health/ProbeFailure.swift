import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a health check probe failed, worded for an operator reading the log line that says an
/// endpoint went down.
enum ProbeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// No answer (connect or response head) within the check's timeout.
    case timeout(Duration)
    /// The endpoint refused the connection (nothing listens on the port).
    case refused
    /// The connection failed otherwise (unreachable, reset, ...); `reason` is NIO's error.
    case connectionFailed(reason: String)
    /// The HTTP response's status was outside the expected range.
    case unexpectedStatus(Int, expected: ClosedRange<Int>)
    /// The response was not HTTP/1.x that HTTPCore accepts; `reason` names the parse error.
    case malformedResponse(reason: String)
    /// The endpoint closed the connection before a complete response head.
    case closedBeforeResponse

    var description: String {
        switch self {
        case .timeout(let limit): "timeout after \(ConfigDuration.format(limit))"
        case .refused: "connection refused"
        case .connectionFailed(let reason): "connection failed: \(reason)"
        case .unexpectedStatus(let status, let expected):
            "status \(status) (expected \(expected.lowerBound == expected.upperBound ? "\(expected.lowerBound)" : "\(expected.lowerBound)-\(expected.upperBound)"))"
        case .malformedResponse(let reason): "malformed response: \(reason)"
        case .closedBeforeResponse: "closed before a response"
        }
    }

    /// Classifies an error from connecting (or from the connected channel) as a failure.
    /// `ChannelError.connectTimeout` is the check's own timeout expiring during connect.
    init(connectError error: any Error, timeout: Duration) {
        switch error {
        case ChannelError.connectTimeout:
            self = .timeout(timeout)
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            self = .refused
        case let error as NIOConnectionError:
            // Happy-eyeballs connects (host names) wrap one error per address tried.
            let refusedAll = !error.connectionErrors.isEmpty && error.connectionErrors.allSatisfy {
                ($0.error as? IOError)?.errnoCode == ECONNREFUSED
            }
            self = refusedAll ? .refused : .connectionFailed(reason: "\(error)")
        default:
            self = .connectionFailed(reason: "\(error)")
        }
    }
}
