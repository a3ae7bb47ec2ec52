import ArgumentParser
import Foundation
import Logging

/// Standard error as a `TextOutputStream`, for the command line's own messages.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

/// What every subcommand that reads a configuration does: load it, or print one
/// `file:line:column: error: …` line per problem to standard error and exit 1.
func loadConfigurationOrExit(_ path: String) throws -> LoadedConfiguration {
    do {
        return try ConfigurationFile.load(path: path)
    } catch {
        var standardError = StandardError()
        print(error.description, to: &standardError)
        throw ExitCode(1)
    }
}

/// Logs to standard error at `level` (one of swift-log's level names; `info` if unknown).
func bootstrapLogging(level: String) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = Logger.Level(rawValue: level) ?? .info
        return handler
    }
}
