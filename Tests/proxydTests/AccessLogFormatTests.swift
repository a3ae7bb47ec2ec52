import Testing
@testable import proxyd

/// Access log lines, byte for byte, in HAProxy's httplog format and as JSON.
@Suite("Access log formats")
struct AccessLogFormatTests {
    /// 2009-02-06 12:14:14.655 UTC, HAProxy's documentation example.
    private static let example = AccessLogRecord(
        clientAddress: "10.0.1.2", clientPort: 33317, acceptedAtMicros: 1_233_922_454_655_000,
        listener: "https", isTLS: true, backend: "hello", endpoint: "10.0.1.7:32768",
        requestHeadMillis: 10, queueMillis: 0, connectMillis: 30, responseMillis: 69, totalMillis: 109,
        status: 200, bytesSent: 2750, terminationState: "----", retries: 0,
        method: "GET", target: "/index.html", version: "HTTP/1.1"
    )

    @Test("httplog matches HAProxy's layout field by field")
    func httplog() {
        #expect(AccessLogFormat.httplog.format(Self.example)
            == #"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] https~ hello/10.0.1.7:32768 10/0/30/69/109 200 2750 - - ---- 0/0/0/0/0 0/0 "GET /index.html HTTP/1.1""#)
    }

    @Test("a request the proxy answered itself logs <NOSRV> and -1 timers")
    func answeredByProxy() {
        var record = Self.example
        record.isTLS = false
        record.listener = "http"
        record.backend = nil
        record.endpoint = nil
        record.connectMillis = -1
        record.responseMillis = -1
        record.status = 301
        record.terminationState = "LR--"
        #expect(AccessLogFormat.httplog.format(record).contains(" http <NOSRV>/<NOSRV> 10/0/-1/-1/109 301 2750 - - LR-- "))
    }

    @Test("control characters and quotes in the request line cannot forge log lines")
    func hostileRequestLine() {
        var record = Self.example
        record.target = "/a\"b\nc#d"
        #expect(AccessLogFormat.httplog.format(record).hasSuffix(#""GET /a#22b#0Ac#23d HTTP/1.1""#))
        #expect(AccessLogFormat.json.format(record).contains(#""target":"/a\"b\nc#d""#))
    }

    @Test("JSON lines carry every field with fixed keys")
    func json() {
        #expect(AccessLogFormat.json.format(Self.example) == #"{"time":"2009-02-06T12:14:14.655Z","client":"10.0.1.2:33317","listener":"https","tls":true,"backend":"hello","endpoint":"10.0.1.7:32768","method":"GET","target":"/index.html","version":"HTTP/1.1","status":200,"bytes":2750,"request_head_ms":10,"queue_ms":0,"connect_ms":30,"response_ms":69,"total_ms":109,"retries":0,"termination":"----"}"#)
    }

    @Test("civil time is right across leap days, year ends and before 1970", arguments: [
        (Int64(951_782_400_000_000), "2000-02-29T00:00:00.000Z"),
        (Int64(1_735_689_599_999_000), "2024-12-31T23:59:59.999Z"),
        (Int64(-1_000), "1969-12-31T23:59:59.999Z"),
        (Int64(0), "1970-01-01T00:00:00.000Z"),
    ])
    func civilTime(micros: Int64, expected: String) {
        #expect(AccessLogFormat.iso8601(micros) == expected)
    }
}
