/// One runtime API connection's rules, as HAProxy's CLI keeps them (management guide §9.3),
/// with no I/O: the handler feeds it each line and performs the steps it returns.
///
/// - A line holds one command or several separated by `;` (`\;` and `\ ` escape).
/// - Non-interactive (the default): the line's answers are written, then the connection
///   closes — `echo "show stat" | socat stdio /run/haproxy/admin.sock`.
/// - `prompt` toggles interactive mode: the connection stays open and each answer is
///   followed by the `> ` prompt, until `quit` or the idle timeout.
/// - Every answer ends with an empty line; commands above the session's level are answered
///   `Permission denied`; `user` / `operator` lower the level, never raise it.
struct RuntimeAPISession: Sendable {
    /// What the handler does, in order.
    enum Step: Sendable, Equatable {
        /// Write this text.
        case write(String)
        /// Let ``RuntimeAPIExecutor`` answer the command, then write its answer and `suffix`.
        case execute(RuntimeAPICommand, suffix: String)
        case close
    }

    private(set) var level: StatsSocketConfiguration.Level
    private(set) var interactive = false

    init(level: StatsSocketConfiguration.Level) {
        self.level = level
    }

    /// The steps for one received line (without its line feed).
    mutating func receive(line: String) -> [Step] {
        var steps: [Step] = []
        for words in Self.commands(in: line) {
            let command = RuntimeAPICommand.parse(words)
            switch command {
            case .quit:
                steps.append(.close)
                return steps
            case .prompt:
                interactive.toggle()
                steps.append(.write(suffix))
            case .lowerLevel(let lower):
                if lower < level { level = lower }
                steps.append(.write(suffix))
            case .showCLILevel:
                steps.append(.write(level.rawValue + "\n" + suffix))
            default:
                if command.requiredLevel > level {
                    steps.append(.write("Permission denied\n" + suffix))
                } else {
                    steps.append(.execute(command, suffix: suffix))
                }
            }
        }
        if !interactive { steps.append(.close) }
        return steps
    }

    /// What ends each answer: the empty line, and the prompt when interactive.
    private var suffix: String { interactive ? "\n> " : "\n" }

    /// The commands of a line: split at unescaped `;`, each into words at unescaped spaces
    /// and tabs; an empty line is one empty command (answered as an unknown one, as HAProxy).
    static func commands(in line: String) -> [[String]] {
        var commands: [[String]] = []
        var words: [String] = []
        var word = ""
        var escaped = false
        func endWord() {
            if !word.isEmpty { words.append(word) }
            word = ""
        }
        for character in line {
            if escaped {
                word.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case " ", "\t": endWord()
            case ";":
                endWord()
                commands.append(words)
                words = []
            case "\r": continue
            default: word.append(character)
            }
        }
        endWord()
        if !words.isEmpty || commands.isEmpty { commands.append(words) }
        return commands
    }
}
