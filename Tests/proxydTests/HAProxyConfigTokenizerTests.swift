import Testing
@testable import proxyd

/// HAProxy's word rules (configuration manual §2.2): what each quoting and escaping form
/// yields, and the exact error for a line HAProxy would also refuse.
@Suite("haproxy.cfg tokenizer")
struct HAProxyConfigTokenizerTests {
    private func words(_ line: String, environment: [String: String] = [:]) throws -> [String] {
        try HAProxyConfigTokenizer.words(in: Substring(line), environment: environment)
    }

    @Test("words are separated by runs of spaces and tabs, leading indentation ignored")
    func whitespace() throws {
        #expect(try words("  \tserver  web1\t\t127.0.0.1:80   check ") == ["server", "web1", "127.0.0.1:80", "check"])
    }

    @Test("a blank or comment-only line has no words")
    func blankAndComment() throws {
        #expect(try words("").isEmpty)
        #expect(try words("    # just a comment").isEmpty)
    }

    @Test("an unquoted # starts a comment, even in the middle of a word")
    func commentAnywhere() throws {
        #expect(try words("bind :80 # public") == ["bind", ":80"])
        #expect(try words("acl a path_beg /x#y") == ["acl", "a", "path_beg", "/x"])
    }

    @Test("an escaped or quoted # is part of the word")
    func escapedHash() throws {
        #expect(try words(##"acl a path_beg /x\#y"##) == ["acl", "a", "path_beg", "/x#y"])
        #expect(try words(#"acl a path_beg "/x#y" '/z#w'"#) == ["acl", "a", "path_beg", "/x#y", "/z#w"])
    }

    @Test("a backslash escapes a space, a backslash and quotes")
    func backslashEscapes() throws {
        #expect(try words(#"set-header X-A hello\ world"#) == ["set-header", "X-A", "hello world"])
        #expect(try words(#"a\\b \"q\" \'s\'"#) == [#"a\b"#, #""q""#, "'s'"])
    }

    @Test("\\t, \\r, \\n and \\xHH are control characters and bytes; other escapes stay as written")
    func controlEscapes() throws {
        #expect(try words(#"a\tb c\r\nd \x41\x7a"#) == ["a\tb", "c\r\nd", "Az"])
        #expect(try words(#"rstatus ^2\d\d"#) == ["rstatus", #"^2\d\d"#])
    }

    @Test("double quotes keep spaces and single quotes, and still read escapes")
    func doubleQuotes() throws {
        #expect(try words(#"x "a b 'c' \"d\"""#) == ["x", #"a b 'c' "d""#])
    }

    @Test("single quotes keep everything literal, backslashes and dollars included")
    func singleQuotes() throws {
        #expect(try words(#"x 'a\ b $HOME "c"'"#, environment: ["HOME": "/root"]) == ["x", #"a\ b $HOME "c""#])
    }

    @Test("quoted and unquoted parts next to each other form one word; \"\" is an empty word")
    func concatenation() throws {
        #expect(try words(#"x a"b c"'d e'f "" y"#) == ["x", "ab cd ef", "", "y"])
    }

    @Test("$NAME and ${NAME} expand inside double quotes only; an unset variable is empty")
    func environmentVariables() throws {
        let environment = ["APP_PORT": "8081", "HOST": "app"]
        #expect(try words(#"server a "${HOST}.internal:$APP_PORT" $HOST '$HOST'"#, environment: environment)
            == ["server", "a", "app.internal:8081", "$HOST", "$HOST"])
        #expect(try words(#"x "[$UNSET]" "\$HOST" "$1""#, environment: environment) == ["x", "[]", "$HOST", "$1"])
    }

    @Test("an unterminated quote is refused, naming the quote")
    func unterminatedQuote() {
        #expect(throws: HAProxyConfigTokenizer.TokenizeError.unterminatedQuote("\"")) { try words(#"x "abc"#) }
        #expect(throws: HAProxyConfigTokenizer.TokenizeError.unterminatedQuote("'")) { try words("x 'abc") }
        #expect(HAProxyConfigTokenizer.TokenizeError.unterminatedQuote("'").description == "unterminated single quote ('); close it on the same line")
    }

    @Test("a trailing backslash is refused: haproxy.cfg has no line continuation")
    func noLineContinuation() {
        #expect(throws: HAProxyConfigTokenizer.TokenizeError.trailingBackslash) { try words(#"server a 127.0.0.1:80 \"#) }
    }

    @Test("\\x needs two hexadecimal digits")
    func badHexEscape() {
        #expect(throws: HAProxyConfigTokenizer.TokenizeError.badHexEscape(#"\xg1"#)) { try words(#"a\xg1"#) }
        #expect(throws: HAProxyConfigTokenizer.TokenizeError.badHexEscape(#"\x4"#)) { try words(#"a\x4"#) }
    }
}
