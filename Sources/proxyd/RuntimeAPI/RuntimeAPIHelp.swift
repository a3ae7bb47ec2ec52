/// `help` and the "Unknown command" answers, in HAProxy 2.6's layout (usage padded to 40
/// columns, then `: ` and the description), listing the commands proxyd serves.
enum RuntimeAPIHelp {
    static let commands: [(usage: String, description: String)] = [
        ("disable server <bk>/<srv>", "disable a server for maintenance (use 'set server' instead)"),
        ("enable server <bk>/<srv>", "enable a disabled server (use 'set server' instead)"),
        ("get weight <bk>/<srv>", "report a server's current weight"),
        ("operator", "lower the level of the current CLI session to operator"),
        ("set server <bk>/<srv> [opts]", "change a server's state or weight"),
        ("set weight <bk>/<srv>  (DEPRECATED)", "change a server's weight (use 'set server' instead)"),
        ("show backend", "list backends in the current running config"),
        ("show cli level", "display the level of the current CLI session"),
        ("show frontend", "list frontends in the current running config"),
        ("show info", "report information about the running process"),
        ("show resolvers [id]", "dumps counters from all resolvers section and associated name servers"),
        ("show servers state [<backend>]", "dump volatile server information (all or for a single backend)"),
        ("show stat [no-maint|up]*", "report counters for each proxy and server"),
        ("user", "lower the level of the current CLI session to user"),
        ("help [<command>]", "list matching or all commands"),
        ("prompt", "toggle interactive mode with prompt"),
        ("quit", "disconnect"),
    ]

    static func line(_ command: (usage: String, description: String)) -> String {
        let padded = command.usage.count < 40 ? command.usage + String(repeating: " ", count: 40 - command.usage.count) : command.usage
        return "  " + padded + ": " + command.description + "\n"
    }

    /// `help`: every command.
    static var text: String {
        "The following commands are valid at this level:\n" + commands.map(line).joined()
    }

    /// The answer to words that make no command: the commands sharing their first word (and
    /// help, prompt, quit) when there are some, else the whole list — HAProxy's two forms.
    static func unknown(_ words: [String]) -> String {
        let first = words.first ?? ""
        let matching = commands.dropLast(3).filter { !first.isEmpty && $0.usage.split(separator: " ").first.map(String.init) == first }
        if matching.isEmpty {
            return "Unknown command. Please enter one of the following commands only:\n" + commands.map(line).joined()
        }
        return "Unknown command, but maybe one of the following ones is a better match:\n"
            + (matching + commands.suffix(3)).map(line).joined()
    }
}
