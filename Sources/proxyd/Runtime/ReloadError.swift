import Foundation
import NIOCore

/// Why a reload was refused. The running configuration keeps serving, untouched; every case
/// points at the line of the file to fix, as `proxyd check` does.
enum ReloadError: Error, Sendable, CustomStringConvertible {
    /// The file does not load: syntax, types, cross-references (every problem found).
    case configuration(ConfigurationError)
    /// A listener's certificates do not load.
    case certificate(listener: String, location: SourceLocation, problem: String)
    /// A backend cannot be built (its balancer refused its servers, or its resolver's
    /// resolv.conf does not load).
    case backend(name: String, location: SourceLocation, problem: String)
    /// A new listener cannot bind its address.
    case bind(ListenerBindError)
    /// The proxy is not serving (not started yet, or shutting down).
    case notRunning
    /// The proxy was started without a configuration file to read again.
    case noConfigurationFile

    var description: String {
        switch self {
        case .configuration(let error): error.description
        case .certificate(let listener, let location, let problem): "\(location): error: listener '\(listener)': \(problem)"
        case .backend(let name, let location, let problem): "\(location): error: backend '\(name)': \(problem)"
        case .bind(let error): error.description
        case .notRunning: "proxyd is not serving (starting or shutting down)"
        case .noConfigurationFile: "proxyd was started without a configuration file to reload"
        }
    }
}

/// A listener that cannot bind, with the hint an operator needs for the usual causes: the
/// address is taken, or a port below 1024 without root or `CAP_NET_BIND_SERVICE` (after
/// `user:` dropped root, a reload can no longer open such ports).
struct ListenerBindError: Error, Sendable, CustomStringConvertible {
    var listener: String
    var address: BindAddress
    var location: SourceLocation
    var errno: Int32?
    var problem: String

    init(listener: ListenerConfiguration, error: any Error) {
        self.init(name: listener.name, address: listener.bind, location: listener.location, error: error)
    }

    /// The admin listener could not bind (`admin.bind`).
    init(admin: AdminConfiguration?, error: any Error) {
        let bind = admin?.bind ?? AdminConfiguration().bind
        self.init(name: "admin", address: bind, location: SourceLocation(file: "admin.bind", line: 0), error: error)
    }

    private init(name: String, address: BindAddress, location: SourceLocation, error: any Error) {
        self.listener = name
        self.address = address
        self.location = location
        if let io = error as? IOError {
            errno = io.errnoCode
            problem = String(cString: strerror(io.errnoCode))
        } else {
            errno = nil
            problem = "\(error)"
        }
    }

    var description: String {
        var text = "\(location): error: listener '\(listener)' cannot bind \(address): \(problem)"
        if errno == EACCES && address.port < 1024 && address.port > 0 {
            text += " (ports below 1024 need root or CAP_NET_BIND_SERVICE; proxyd runs as uid \(geteuid())"
            text += " — run it from deploy/proxyd.service, which grants the capability, or bind before dropping root with 'user:')"
        } else if errno == EADDRINUSE {
            text += " (another process, or another listener of this file, holds the address)"
        }
        return text
    }
}
