import Yams

/// Collects the diagnostics of one configuration file while its reader walks the YAML tree,
/// so that a file with five mistakes is reported with five lines, each at its line:column.
final class ConfigurationDiagnostics {
    let file: String
    private(set) var all: [ConfigurationDiagnostic] = []

    init(file: String) { self.file = file }

    var hasErrors: Bool { all.contains { $0.severity == .error } }
    var warnings: [ConfigurationDiagnostic] { all.filter { $0.severity == .warning } }

    func location(of node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column)
    }

    func error(_ message: String, at node: Node) { all.append(.error(message, at: location(of: node))) }
    func error(_ message: String, at location: SourceLocation) { all.append(.error(message, at: location)) }
    func warning(_ message: String, at node: Node) { all.append(.warning(message, at: location(of: node))) }
    func warning(_ message: String, at location: SourceLocation) { all.append(.warning(message, at: location)) }
}

/// A YAML mapping read with a fixed set of allowed keys: an unknown key (usually a typo) is an
/// error at its own position, and every typed read reports a wrong type at the value.
struct YAMLMapping {
    let node: Node
    /// The dotted path of this mapping in the file (`backends.hello.health_check`), for messages.
    let path: String
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    private let diagnostics: ConfigurationDiagnostics

    /// Reads `node` as a mapping; reports and returns nil when it is something else.
    init?(_ node: Node, path: String, allowedKeys: [String], diagnostics: ConfigurationDiagnostics) {
        guard case .mapping(let mapping) = node else {
            diagnostics.error("\(path) must be a mapping of keys to values, found \(node.kindDescription)", at: node)
            return nil
        }
        self.node = node
        self.path = path
        self.diagnostics = diagnostics
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                diagnostics.error("\(path) has a key that is not a plain name", at: keyNode)
                continue
            }
            if !allowedKeys.contains(key) {
                diagnostics.error(
                    "unknown key '\(key)' in \(path); expected one of: \(allowedKeys.joined(separator: ", "))",
                    at: keyNode
                )
                continue
            }
            pairs.append((key, keyNode, value))
        }
        self.pairs = pairs
    }

    var keys: [String] { pairs.map(\.key) }

    subscript(key: String) -> Node? { pairs.first { $0.key == key }?.value }

    /// Where the value of `key` is (or this mapping, when the key is absent): value errors
    /// point at the value, so an editor jumps straight to what must change.
    func location(of key: String) -> SourceLocation {
        diagnostics.location(of: self[key] ?? node)
    }

    /// `path.key`, or just `key` at the top level.
    func qualified(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func string(_ key: String) -> String? {
        guard let value = self[key] else { return nil }
        guard let scalar = value.scalar else {
            diagnostics.error("\(qualified(key)) must be a text value, found \(value.kindDescription)", at: value)
            return nil
        }
        return scalar.string
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = self[key] else { return nil }
        guard let text = value.scalar?.string, let number = Int(text) else {
            diagnostics.error("\(qualified(key)) must be a whole number, found \(value.quotedDescription)", at: value)
            return nil
        }
        guard range.contains(number) else {
            diagnostics.error("\(qualified(key)) must be between \(range.lowerBound) and \(range.upperBound), found \(number)", at: value)
            return nil
        }
        return number
    }

    func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = self[key] else { return nil }
        guard let text = value.scalar?.string, let number = Double(text), number.isFinite else {
            diagnostics.error("\(qualified(key)) must be a number, found \(value.quotedDescription)", at: value)
            return nil
        }
        guard range.contains(number) else {
            diagnostics.error("\(qualified(key)) must be between \(range.lowerBound) and \(range.upperBound), found \(number)", at: value)
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        guard let value = self[key] else { return nil }
        switch value.scalar?.string {
        case "true": return true
        case "false": return false
        default:
            diagnostics.error("\(qualified(key)) must be true or false, found \(value.quotedDescription)", at: value)
            return nil
        }
    }

    func duration(_ key: String) -> Duration? {
        guard let text = string(key), let value = self[key] else { return nil }
        do {
            return try ConfigDuration.parse(text)
        } catch {
            diagnostics.error("\(qualified(key)): \(error)", at: value)
            return nil
        }
    }

    func bindAddress(_ key: String) -> BindAddress? {
        guard let text = string(key), let value = self[key] else { return nil }
        do {
            return try BindAddress(parsing: text)
        } catch {
            diagnostics.error("\(qualified(key)): \(error)", at: value)
            return nil
        }
    }

    /// A list of text values; a single value is accepted as a list of one.
    func strings(_ key: String) -> [String]? {
        guard let value = self[key] else { return nil }
        if let scalar = value.scalar { return [scalar.string] }
        guard case .sequence(let sequence) = value else {
            diagnostics.error("\(qualified(key)) must be a list of text values, found \(value.kindDescription)", at: value)
            return nil
        }
        var result: [String] = []
        for item in sequence {
            guard let text = item.scalar?.string else {
                diagnostics.error("\(qualified(key)) must hold only text values, found \(item.kindDescription)", at: item)
                continue
            }
            result.append(text)
        }
        return result
    }

    /// The elements of a list.
    func sequence(_ key: String) -> [Node]? {
        guard let value = self[key] else { return nil }
        guard case .sequence(let sequence) = value else {
            diagnostics.error("\(qualified(key)) must be a list, found \(value.kindDescription)", at: value)
            return nil
        }
        return Array(sequence)
    }

    /// A nested mapping with its own allowed keys.
    func mapping(_ key: String, allowedKeys: [String]) -> YAMLMapping? {
        guard let value = self[key] else { return nil }
        return YAMLMapping(value, path: qualified(key), allowedKeys: allowedKeys, diagnostics: diagnostics)
    }

    /// A mapping whose keys are names chosen by the user (`backends: {hello: ...}`), in file order.
    func namedEntries(_ key: String) -> [(name: String, keyNode: Node, value: Node)]? {
        guard let value = self[key] else { return nil }
        guard case .mapping(let mapping) = value else {
            diagnostics.error("\(qualified(key)) must map names to sections, found \(value.kindDescription)", at: value)
            return nil
        }
        var result: [(String, Node, Node)] = []
        for (keyNode, entry) in mapping {
            guard let name = keyNode.scalar?.string, !name.isEmpty else {
                diagnostics.error("\(qualified(key)) has a name that is not plain text", at: keyNode)
                continue
            }
            result.append((name, keyNode, entry))
        }
        return result
    }

    /// Reports an error about this mapping as a whole.
    func error(_ message: String) {
        diagnostics.error(path.isEmpty ? message : "\(path): \(message)", at: node)
    }
}

extension Node {
    /// How an operator would call this kind of YAML value, for "found a …" messages.
    var kindDescription: String {
        switch self {
        case .scalar(let scalar): "the value '\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    var quotedDescription: String { kindDescription }
}
