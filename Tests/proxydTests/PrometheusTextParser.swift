/// A strict reader of the Prometheus text exposition format 0.0.4, for the tests of
/// `/metrics`: every line must be a `# HELP`, a `# TYPE` (before the family's samples, at most
/// once), another comment or a sample `name{label="value",…} value`; names and label names
/// must match the format's grammar, label values use only its three escapes, values must be
/// floats (or `+Inf`, `-Inf`, `NaN`). Histograms are checked too: buckets cumulative, a
/// `+Inf` bucket equal to `_count`.
struct PrometheusTextParser {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var text: String
        var description: String { "line \(line): \(reason): \(text)" }
    }

    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        var sampled: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                if parts.count >= 3 && parts[1] == "TYPE" {
                    let name = parts[2]
                    guard Self.isMetricName(name), parts.count == 4,
                          ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Failure(line: number, reason: "bad TYPE line", text: line)
                    }
                    guard types[name] == nil else { throw Failure(line: number, reason: "second TYPE for \(name)", text: line) }
                    guard !sampled.contains(name) else { throw Failure(line: number, reason: "TYPE after samples of \(name)", text: line) }
                    types[name] = parts[3]
                } else if parts.count >= 3 && parts[1] == "HELP" {
                    guard Self.isMetricName(parts[2]) else { throw Failure(line: number, reason: "bad HELP line", text: line) }
                }
                continue
            }
            let sample = try Self.sample(line, number: number)
            samples.append(sample)
            sampled.insert(Self.family(of: sample.name, types: types))
        }
        try checkHistograms()
    }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Sum of every sample of `name` whose labels include `labels`.
    func sum(_ name: String, where labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    private static func family(of name: String, types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    private func checkHistograms() throws {
        for (name, type) in types where type == "histogram" {
            let buckets = samples.filter { $0.name == name + "_bucket" }
            var series: [[String: String]: [(Double, Double)]] = [:]
            for bucket in buckets {
                guard let le = bucket.labels["le"], let bound = le == "+Inf" ? Double.infinity : Double(le) else {
                    throw Failure(line: 0, reason: "bucket without a valid le", text: "\(bucket)")
                }
                var key = bucket.labels
                key["le"] = nil
                series[key, default: []].append((bound, bucket.value))
            }
            for (labels, points) in series {
                let sorted = points.sorted { $0.0 < $1.0 }
                for index in sorted.indices.dropFirst() where sorted[index].1 < sorted[index - 1].1 {
                    throw Failure(line: 0, reason: "\(name) buckets not cumulative", text: "\(labels)")
                }
                guard let last = sorted.last, last.0 == .infinity else {
                    throw Failure(line: 0, reason: "\(name) has no +Inf bucket", text: "\(labels)")
                }
                guard value(name + "_count", labels) == last.1, value(name + "_sum", labels) != nil else {
                    throw Failure(line: 0, reason: "\(name)_count differs from the +Inf bucket or _sum is missing", text: "\(labels)")
                }
            }
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func sample(_ line: String, number: Int) throws -> Sample {
        let scalars = Array(line.unicodeScalars)
        var index = 0
        var name = ""
        while index < scalars.count, scalars[index] != "{", scalars[index] != " " {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        guard isMetricName(name) else { throw Failure(line: number, reason: "bad metric name", text: line) }
        var labels: [String: String] = [:]
        if index < scalars.count, scalars[index] == "{" {
            index += 1
            while true {
                guard index < scalars.count else { throw Failure(line: number, reason: "unterminated labels", text: line) }
                if scalars[index] == "}" { index += 1; break }
                var labelName = ""
                while index < scalars.count, scalars[index] != "=" {
                    labelName.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard isLabelName(labelName), index + 1 < scalars.count, scalars[index + 1] == "\"" else {
                    throw Failure(line: number, reason: "bad label name", text: line)
                }
                index += 2
                var value = ""
                while true {
                    guard index < scalars.count else { throw Failure(line: number, reason: "unterminated label value", text: line) }
                    let scalar = scalars[index]
                    if scalar == "\"" { index += 1; break }
                    if scalar == "\\" {
                        guard index + 1 < scalars.count else { throw Failure(line: number, reason: "dangling escape", text: line) }
                        switch scalars[index + 1] {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default: throw Failure(line: number, reason: "unknown escape", text: line)
                        }
                        index += 2
                        continue
                    }
                    value.unicodeScalars.append(scalar)
                    index += 1
                }
                guard labels.updateValue(value, forKey: labelName) == nil else {
                    throw Failure(line: number, reason: "repeated label \(labelName)", text: line)
                }
                if index < scalars.count, scalars[index] == "," { index += 1 }
            }
        }
        guard index < scalars.count, scalars[index] == " " else { throw Failure(line: number, reason: "no value", text: line) }
        let rest = String(String.UnicodeScalarView(scalars[(index + 1)...])).split(separator: " ").map(String.init)
        guard (1...2).contains(rest.count), let value = parseValue(rest[0]) else {
            throw Failure(line: number, reason: "bad value", text: line)
        }
        if rest.count == 2 && Int64(rest[1]) == nil { throw Failure(line: number, reason: "bad timestamp", text: line) }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
