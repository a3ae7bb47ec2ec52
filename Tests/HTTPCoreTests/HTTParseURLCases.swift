/// httparse's URL tests (`urltest_*`, from the WHATWG URL suite) whose request-target is in
/// none of the four forms of RFC 9112 §3.2 (e.g. `GET example.com/`, `GET test`, `GET ?x`,
/// `GET \.\./`). httparse accepts any non-space bytes; we answer 400 invalidRequestTarget,
/// because a backend that resolves such a target differently from the proxy's routing
/// rules would bypass them.
enum HTTParseURLCases {
    static let refused: Set<String> = [
        "urltest_056", "urltest_057", "urltest_058", "urltest_059", "urltest_060", "urltest_066",
        "urltest_067", "urltest_119", "urltest_129", "urltest_130", "urltest_131", "urltest_132",
        "urltest_133", "urltest_145", "urltest_146", "urltest_147", "urltest_148", "urltest_149",
        "urltest_168", "urltest_169", "urltest_174", "urltest_175", "urltest_176", "urltest_177",
        "urltest_231", "urltest_232", "urltest_245", "urltest_248",
    ]
}
