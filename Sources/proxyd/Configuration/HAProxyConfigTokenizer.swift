/// Splits haproxy.cfg lines into words by HAProxy's own rules (configuration manual §2.2,
/// "Quoting and escaping"), so that a value means here what it means to HAProxy:
///
/// - words are separated by runs of spaces and tabs;
/// - `#` outside quotes starts a comment, even in the middle of a word (write `\#` or quote it);
/// - a backslash escapes a space, `#`, a backslash or a quote; `\t`, `\r`, `\n` and `\xHH` are
///   control characters and bytes; any other backslash is kept as written (regexes stay intact);
/// - double quotes ("weak") keep spaces, `#` and single quotes literal but still read escapes
///   and expand `$NAME` / `${NAME}` from the environment;
/// - single quotes ("strong") keep everything literal;
/// - quoted and unquoted parts next to each other form one word, and `""` is an empty word.
///
/// HAProxy has no line continuation, so neither does this: a line ending in a backslash is an
/// error rather than silently joined with the next one.
enum HAProxyConfigTokenizer {
    /// Why a line could not be split, worded for the operator.
    enum TokenizeError: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(Character)
        case trailingBackslash
        case badHexEscape(String)
        /// U+FEFF inside a word: a byte-order mark pasted with copied text, invisible in most
        /// editors. (One at the very start of the file is skipped.)
        case byteOrderMark(String)

        var description: String {
            switch self {
            case .unterminatedQuote(let quote):
                "unterminated \(quote == "'" ? "single" : "double") quote (\(quote)); close it on the same line"
            case .trailingBackslash:
                "line ends with a backslash; haproxy.cfg has no line continuation: join the lines (write '\\\\' for a backslash)"
            case .badHexEscape(let text):
                "'\(text)' is not a valid escape; \\x needs two hexadecimal digits"
            case .byteOrderMark(let word):
                "'\(word.replacingOccurrences(of: "\u{FEFF}", with: "\\u{FEFF}"))' contains U+FEFF, a byte-order mark that most editors do not show; delete it"
            }
        }
    }

    /// The words of one line (without its line break); an empty array for a blank or
    /// comment-only line.
    static func words(in line: Substring, environment: [String: String] = [:]) throws(TokenizeError) -> [String] {
        var words: [String] = []
        var current: [Unicode.Scalar] = []
        var inWord = false
        var quote: Character?
        var scalars = line.unicodeScalars[...]

        func finishWord() {
            if inWord { words.append(String(String.UnicodeScalarView(current))) }
            current.removeAll(keepingCapacity: true)
            inWord = false
        }

        while let scalar = scalars.popFirst() {
            switch (scalar, quote) {
            case ("'", nil):
                quote = "'"
                inWord = true
            case ("'", "'"):
                quote = nil
            case ("\"", nil):
                quote = "\""
                inWord = true
            case ("\"", "\""):
                quote = nil
            case (_, "'"):
                current.append(scalar)
            case ("\\", _):
                inWord = true
                guard let next = scalars.popFirst() else { throw .trailingBackslash }
                switch next {
                case " ", "#", "\\", "'", "\"", "$": current.append(next)
                case "t": current.append("\t")
                case "r": current.append("\r")
                case "n": current.append("\n")
                case "x":
                    let digits = String(String.UnicodeScalarView(scalars.prefix(2)))
                    guard digits.unicodeScalars.count == 2, let byte = UInt8(digits, radix: 16) else {
                        throw .badHexEscape("\\x" + digits)
                    }
                    scalars = scalars.dropFirst(2)
                    current.append(Unicode.Scalar(byte))
                default:
                    current.append("\\")
                    current.append(next)
                }
            case ("$", "\""):
                if let (name, rest) = variableName(after: scalars) {
                    current.append(contentsOf: (environment[name] ?? "").unicodeScalars)
                    scalars = rest
                } else {
                    current.append(scalar)
                }
            case ("#", nil):
                finishWord()
                return words
            case (" ", nil), ("\t", nil):
                finishWord()
            default:
                inWord = true
                current.append(scalar)
            }
        }
        if let quote { throw .unterminatedQuote(quote) }
        finishWord()
        if let marked = words.first(where: { $0.unicodeScalars.contains("\u{FEFF}") }) { throw .byteOrderMark(marked) }
        return words
    }

    /// `NAME` or `{NAME}` after a `$`: a letter or underscore, then letters, digits and
    /// underscores (manual §2.3). Nil when what follows is not a variable name.
    private static func variableName(after scalars: Substring.UnicodeScalarView.SubSequence) -> (String, Substring.UnicodeScalarView.SubSequence)? {
        let isStart: (Unicode.Scalar) -> Bool = { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) }
        let isPart: (Unicode.Scalar) -> Bool = { isStart($0) || ("0"..."9").contains($0) }
        if scalars.first == "{" {
            let inner = scalars.dropFirst()
            let name = inner.prefix(while: isPart)
            guard let first = name.first, isStart(first), inner.dropFirst(name.count).first == "}" else { return nil }
            return (String(String.UnicodeScalarView(name)), inner.dropFirst(name.count + 1))
        }
        let name = scalars.prefix(while: isPart)
        guard let first = name.first, isStart(first) else { return nil }
        return (String(String.UnicodeScalarView(name)), scalars.dropFirst(name.count))
    }
}

/// One non-empty line of a haproxy.cfg: its 1-based number and its words.
struct HAProxyConfigLine: Sendable, Hashable {
    var number: Int
    var words: [String]

    /// The directive (first word).
    var keyword: String { words.first ?? "" }
    /// The words after the directive.
    var arguments: ArraySlice<String> { words.dropFirst() }
}
