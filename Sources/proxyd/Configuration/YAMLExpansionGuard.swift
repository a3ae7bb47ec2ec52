// libyaml itself (Yams's C module): its event parser is iterative and reports anchors and
// aliases before anything expands them. Yams exposes no event API of its own.
import CYaml

/// Refuses YAML that would take unbounded time or memory to compose, before Yams composes it.
///
/// Yams resolves an alias by copying the anchored node, so ten lines of nested aliases
/// ("billion laughs") describe a tree of 2^30 nodes: Yams's duplicate-key check hashes such a
/// key and the configuration reader walks such a condition for hours (both confirmed through
/// FuzzYAMLConfig as timeouts). Yams's composer and the reader also recurse once per nesting
/// level (libyaml itself stops at 1,000), so depth is capped well below what any thread's stack
/// holds. This guard walks libyaml's events once, counting every node as the expanded tree
/// would have it and the nesting depth, and stops at the limits — far above any real
/// configuration (the ECS example has about 60 nodes, 6 levels deep).
struct YAMLExpansionGuard {
    var maximumNodes = 100_000
    var maximumDepth = 128

    /// Why a document was refused, and where (libyaml's mark, 1-based).
    struct Refusal: Error, Equatable {
        var message: String
        var line: Int
        var column: Int
    }

    /// Returns normally for every document within the limits, and for text libyaml cannot parse
    /// (composing it reports the syntax error with its position).
    func check(_ yaml: String) throws(Refusal) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        if bytes.isEmpty { return }
        try bytes.withUnsafeMutableBufferPointer { (buffer) throws(Refusal) in
            guard let base = buffer.baseAddress else { return }
            yaml_parser_set_input_string(&parser, base, buffer.count)
            try walk(&parser)
        }
    }

    private func walk(_ parser: inout yaml_parser_t) throws(Refusal) {
        /// Expanded size of each anchored node, by anchor name (a later anchor of the same
        /// name replaces an earlier one, as in Yams).
        var anchored: [String: Int] = [:]
        /// For each open collection: its anchor and the node count when it started.
        var open: [(anchor: String?, startCount: Int)] = []
        var count = 0
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_SCALAR_EVENT:
                count += 1
                if let anchor = Self.name(event.data.scalar.anchor) { anchored[anchor] = 1 }
            case YAML_ALIAS_EVENT:
                // An undefined alias is Yams's error to report; count it as one node here.
                let size = Self.name(event.data.alias.anchor).flatMap { anchored[$0] } ?? 1
                count += size
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor = event.type == YAML_SEQUENCE_START_EVENT
                    ? Self.name(event.data.sequence_start.anchor) : Self.name(event.data.mapping_start.anchor)
                open.append((anchor, count))
                count += 1
                if open.count > maximumDepth {
                    throw Refusal(message: "YAML nested deeper than \(maximumDepth) levels", line: line, column: column)
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let collection = open.popLast() else { return }
                if let anchor = collection.anchor { anchored[anchor] = count - collection.startCount }
            default:
                continue
            }
            if count > maximumNodes {
                throw Refusal(
                    message: "YAML aliases expand this file to more than \(maximumNodes) values; write the repeated parts out, or use fewer nested aliases",
                    line: line, column: column)
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
