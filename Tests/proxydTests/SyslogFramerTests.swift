import Testing

@testable import proxyd

/// The bytes of each syslog header format for a fixed clock, host and PID. The expected lines
/// are what HAProxy 2.6.12 sent to a UDP receiver for the same settings (captured with
/// `log 127.0.0.1:PORT [format F] FACILITY`, `log-tag`, `log-send-hostname`), with only the
/// clock, PID and message put to fixed values.
@Suite("syslog framing")
struct SyslogFramerTests {
    /// 2026-12-06T02:53:50.149123Z.
    static let instant = SyslogFramer.LocalInstant(microsSinceEpoch: 1_796_525_630_149_123, utcOffsetSeconds: 0)
    static let message = #"127.0.0.1:47414 [06/Dec/2026:02:53:50.149] fe app/<NOSRV> 0/-1/-1/-1/0 200 73 - - LR-- 0/0/0/0/0 0/0 "GET /x HTTP/1.1""#

    private func framed(_ target: SyslogTarget, identity: SyslogFramer.Identity = .init(tag: "haproxy", pid: 14977),
                        level: SyslogTarget.Level = .info, instant: SyslogFramer.LocalInstant = instant, message: String = message) -> String {
        var bytes: [UInt8] = []
        SyslogFramer(identity: identity).frame(message, level: level, for: target, at: instant, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func udp(_ facility: SyslogTarget.Facility, format: SyslogTarget.Format? = nil, maxLength: Int = 1024) -> SyslogTarget {
        SyslogTarget(address: .udp(host: "127.0.0.1", port: 514), maxLength: maxLength, format: format, facility: facility)
    }

    @Test("without a format: RFC 3164 without the host name, the day padded with a space, TAG[PID]:")
    func localFormat() {
        #expect(framed(udp(.local0)) == "<134>Dec  6 02:53:50 haproxy[14977]: \(Self.message)\n")
    }

    @Test("format rfc3164 names the host 'localhost' when log-send-hostname is not set")
    func rfc3164WithoutHostname() {
        #expect(framed(udp(.local3, format: .rfc3164)) == "<158>Dec  6 02:53:50 localhost haproxy[14977]: \(Self.message)\n")
    }

    @Test("log-send-hostname makes a target without a format RFC 3164 with the host name")
    func hostnameMakesRFC3164() {
        let identity = SyslogFramer.Identity(tag: "mytag", pid: 15846, hostname: "myhost")
        #expect(framed(udp(.local0), identity: identity) == "<134>Dec  6 02:53:50 myhost mytag[15846]: \(Self.message)\n")
    }

    @Test("format rfc5424: version 1, microseconds and offset, host, tag, PID, no message id, no structured data")
    func rfc5424() {
        let identity = SyslogFramer.Identity(tag: "mytag", pid: 15846, hostname: "myhost")
        #expect(framed(udp(.local1, format: .rfc5424), identity: identity) == "<142>1 2026-12-06T02:53:50.149123+00:00 myhost mytag 15846 - - \(Self.message)\n")
        #expect(framed(udp(.local1, format: .rfc5424)) == "<142>1 2026-12-06T02:53:50.149123+00:00 - haproxy 14977 - - \(Self.message)\n")
    }

    @Test("times are local: the offset moves the clock and is written as +hh:mm or -hh:mm")
    func localTime() {
        let paris = SyslogFramer.LocalInstant(microsSinceEpoch: Self.instant.microsSinceEpoch, utcOffsetSeconds: 3_600)
        #expect(framed(udp(.local0), instant: paris).hasPrefix("<134>Dec  6 03:53:50 haproxy[14977]: "))
        let newfoundland = SyslogFramer.LocalInstant(microsSinceEpoch: Self.instant.microsSinceEpoch, utcOffsetSeconds: -(3 * 3_600 + 1_800))
        #expect(framed(udp(.local0, format: .iso), instant: newfoundland).hasPrefix("2026-12-05T23:23:50.149123-03:30 "))
        let tenth = SyslogFramer.LocalInstant(microsSinceEpoch: Self.instant.microsSinceEpoch + 4 * 86_400_000_000, utcOffsetSeconds: 0)
        #expect(framed(udp(.local0), instant: tenth).hasPrefix("<134>Dec 10 02:53:50 "))
    }

    @Test("priority, short, timed, iso and raw formats")
    func shortFormats() {
        #expect(framed(udp(.local0, format: .priority)) == "<134>\(Self.message)\n")
        #expect(framed(udp(.local4, format: .short)) == "<6>\(Self.message)\n")
        #expect(framed(udp(.local4, format: .timed)) == "<6>2026-12-06T02:53:50.149123+00:00 \(Self.message)\n")
        #expect(framed(udp(.local4, format: .iso)) == "2026-12-06T02:53:50.149123+00:00 \(Self.message)\n")
        #expect(framed(udp(.local4, format: .raw)) == "\(Self.message)\n")
    }

    @Test("len cuts a datagram to N bytes before its line feed, a stdout line to N bytes with it")
    func lengthLimit() {
        let identity = SyslogFramer.Identity(tag: "mytag", pid: 15846, hostname: "myhost")
        let instant = SyslogFramer.LocalInstant(microsSinceEpoch: 1_796_525_647_910_788, utcOffsetSeconds: 0)
        let message = #"127.0.0.1:43642 [06/Dec/2026:02:54:07.910] fe fe/<NOSRV> 0/-1/-1/-1/0 200 73 - - LR-- 1/1/0/0/0 0/0 "GET /x?y=1 HTTP/1.1""#
        // HAProxy 2.6 sent exactly this for `log 127.0.0.1:PORT len 100 format rfc5424 local1`.
        #expect(framed(udp(.local1, format: .rfc5424, maxLength: 100), identity: identity, instant: instant, message: message)
                == "<142>1 2026-12-06T02:54:07.910788+00:00 myhost mytag 15846 - - 127.0.0.1:43642 [06/Dec/2026:02:54:07\n")
        let stdout = SyslogTarget(address: .standardOutput, maxLength: 80, format: .raw, facility: .local0)
        let line = framed(stdout, message: String(repeating: "x", count: 200))
        #expect(line == String(repeating: "x", count: 79) + "\n")
    }

    @Test("the PRI is facility × 8 + level; a message more severe than the minimum level is sent at it")
    func priority() {
        var target = udp(.local2, format: .priority)
        #expect(framed(target, level: .err).hasPrefix("<147>"))
        target.minimumLevel = .notice
        #expect(target.sendingLevel(for: .info) == .info)
        #expect(target.sendingLevel(for: .emerg) == .notice)
        #expect(target.sendingLevel(for: .notice) == .notice)
        #expect(framed(udp(.kern, format: .priority), level: .emerg).hasPrefix("<0>"))
        #expect(framed(udp(.local7, format: .priority), level: .debug).hasPrefix("<191>"))
    }

    @Test("a target takes messages at least as severe as its level")
    func levelFilter() {
        var target = udp(.local1)
        target.level = .notice
        #expect(target.sendingLevel(for: .info) == nil)
        #expect(target.sendingLevel(for: .notice) == .notice)
        #expect(target.sendingLevel(for: .alert) == .alert)
        #expect(udp(.local0).sendingLevel(for: .debug) == .debug)
    }

    @Test("an empty log-tag leaves the tag out, as HAProxy does")
    func emptyTag() {
        #expect(framed(udp(.local0), identity: .init(tag: "", pid: 1)) == "<134>Dec  6 02:53:50 \(Self.message)\n")
    }
}
