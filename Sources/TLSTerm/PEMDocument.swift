/// The blocks of a PEM file (RFC 7468), split and checked without decoding the DER inside.
///
/// A PEM file as HAProxy's `crt` reads it holds certificates and one private key in any
/// order, possibly with text between blocks (RFC 7468 §2 allows explanatory text, certbot and
/// some CAs add it). This parser finds the `-----BEGIN x-----` / `-----END x-----` pairs,
/// checks that the body is base64 (plus RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED`)
/// and reports the 1-based line of the first problem, so an operator can open the file there.
struct PEMDocument: Sendable, Equatable {
    /// One `BEGIN`/`END` block.
    struct Block: Sendable, Equatable {
        /// The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`, `PRIVATE KEY`.
        var label: String
        /// The 1-based line of the `BEGIN` line.
        var line: Int
        /// True when an RFC 1421 header says `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL
        /// encrypted `RSA PRIVATE KEY` / `EC PRIVATE KEY`).
        var hasEncryptedHeader: Bool
        /// The block's text from `BEGIN` to `END` inclusive, for OpenSSL's PEM reader.
        var text: String
    }

    /// Why a PEM file cannot be split into blocks.
    struct ParseError: Error, Equatable {
        /// 1-based line of the problem.
        var line: Int
        /// What is wrong there.
        var reason: String
    }

    /// The blocks, in file order.
    var blocks: [Block]

    /// Splits `text` into blocks. Lines may end in `\n` or `\r\n`.
    init(parsing text: String) throws(ParseError) {
        var blocks: [Block] = []
        var open: (label: String, line: Int, lines: [Substring], inHeaders: Bool, encrypted: Bool)?
        var lineNumber = 0
        // Character-wise, "\r\n" is one newline Character; isNewline covers it, "\n" and "\r".
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if var current = open {
                if let label = Self.marker("-----END ", in: trimmed) {
                    guard label == current.label else {
                        throw ParseError(line: lineNumber, reason: "END \(label) does not close BEGIN \(current.label) of line \(current.line)")
                    }
                    guard current.lines.count > 1 else {
                        throw ParseError(line: lineNumber, reason: "\(label) block is empty")
                    }
                    current.lines.append(trimmed)
                    blocks.append(Block(
                        label: label, line: current.line, hasEncryptedHeader: current.encrypted,
                        text: current.lines.joined(separator: "\n") + "\n"
                    ))
                    open = nil
                    continue
                }
                if Self.marker("-----BEGIN ", in: trimmed) != nil {
                    throw ParseError(line: lineNumber, reason: "BEGIN inside the \(current.label) block of line \(current.line) (missing END line)")
                }
                if current.inHeaders, trimmed.contains(":") {
                    // RFC 1421 §4.6 encapsulated header, e.g. Proc-Type / DEK-Info.
                    if trimmed.hasPrefix("Proc-Type:"), trimmed.contains("ENCRYPTED") { current.encrypted = true }
                    current.lines.append(trimmed)
                    open = current
                    continue
                }
                current.inHeaders = false
                if let bad = trimmed.first(where: { !Self.isBase64($0) }) {
                    throw ParseError(line: lineNumber, reason: "character '\(bad)' is not base64 in the \(current.label) block")
                }
                current.lines.append(trimmed)
                open = current
            } else if let label = Self.marker("-----BEGIN ", in: trimmed) {
                open = (label, lineNumber, [trimmed], true, false)
            } else if Self.marker("-----END ", in: trimmed) != nil {
                throw ParseError(line: lineNumber, reason: "END line without a BEGIN line")
            }
        }
        if let current = open {
            throw ParseError(line: current.line, reason: "BEGIN \(current.label) has no END line")
        }
        self.blocks = blocks
    }

    /// The label of a `-----BEGIN label-----` / `-----END label-----` line, else nil.
    private static func marker(_ prefix: String, in line: Substring) -> String? {
        guard line.hasPrefix(prefix) else { return nil }
        var rest = line.dropFirst(prefix.count)
        while rest.last == " " || rest.last == "\t" { rest = rest.dropLast() }
        guard rest.hasSuffix("-----") else { return nil }
        return String(rest.dropLast(5))
    }

    private static func isBase64(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="),
            UInt8(ascii: " "), UInt8(ascii: "\t"):
            return true
        default:
            return false
        }
    }
}
