/// One string ACL, compiled: the sample it reads, how it compares it, and `-i`.
/// `path_end -i .php .html` is `ACLStringMatch(sample: .path, test: .suffix([".php", ".html"]), ignoreCase: true)`.
struct ACLStringMatch: Sendable, Hashable {
    var sample: ACLSample
    var test: ACLStringTest
    /// `-i`: the test's string patterns are stored lower-case and samples compared so.
    var ignoreCase: Bool = false
}
