import Testing
@testable import TLSTerm

@Suite("HostnameTable selects by SNI: exact, then one-label wildcard (RFC 6125 §6.4.3)")
struct HostnameTableTests {
    private func table() -> HostnameTable<String> {
        var table = HostnameTable<String>()
        table.insert("example.com", "apex")
        table.insert("*.example.com", "wildcard")
        table.insert("api.example.com", "api")
        return table
    }

    @Test("an exact name wins over the wildcard that also covers it")
    func exactBeatsWildcard() {
        #expect(table().lookup("api.example.com") == "api")
    }

    @Test("a wildcard covers exactly one label")
    func wildcardOneLabel() {
        #expect(table().lookup("www.example.com") == "wildcard")
        #expect(table().lookup("a.b.example.com") == nil)
    }

    @Test("a wildcard does not cover the apex")
    func wildcardNotApex() {
        var table = HostnameTable<String>()
        table.insert("*.example.com", "wildcard")
        #expect(table.lookup("example.com") == nil)
    }

    @Test("names compare case-insensitively and ignore a trailing dot")
    func normalisation() {
        #expect(table().lookup("WWW.Example.COM.") == "wildcard")
        #expect(table().lookup("Example.com") == "apex")
    }

    @Test("partial-label wildcards and bytes outside host names are not indexed")
    func rejectsOddPatterns() {
        var table = HostnameTable<String>()
        let partial = table.insert("w*.example.com", "x")
        let space = table.insert("exa mple.com", "x")
        #expect(partial == false)
        #expect(space == false)
        #expect(table.lookup("*.example.com") == nil)
    }

    @Test("the first insert of a name wins")
    func firstWins() {
        var table = HostnameTable<String>()
        let first = table.insert("a.test", "first")
        let second = table.insert("A.test", "second")
        #expect(first)
        #expect(second == false)
        #expect(table.lookup("a.test") == "first")
    }
}
