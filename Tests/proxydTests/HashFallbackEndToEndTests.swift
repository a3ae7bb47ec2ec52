import Foundation
import Testing

/// `balance hdr(NAME)` (YAML `hash_key: header:NAME`): requests carrying the header stick to
/// one task; requests without it take turns over every task, as HAProxy's round-robin
/// fallback does (they used to hash the empty string and all land on one task).
@Suite("Hash key fallback end to end", .serialized)
struct HashFallbackEndToEndTests {
    /// The task that answered each response in `reply` (hello-backend's first body line).
    static func tasks(in reply: String) -> [String] {
        reply.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("hello from ") }.map { String($0.dropFirst("hello from ".count)) }
    }

    /// `count` pipelined GETs on one connection (the last one closes it), with `header` lines.
    static func answers(_ fixture: ProxyFixture, count: Int, header: String) async throws -> [String] {
        let socket = try fixture.connect()
        var requests = ""
        for index in 0..<count {
            requests += "GET /item/\(index) HTTP/1.1\r\nHost: a\r\n\(header)\(index == count - 1 ? "Connection: close\r\n" : "")\r\n"
        }
        try socket.send(requests)
        let reply = try await socket.receiveAll(timeout: .seconds(20))
        let tasks = Self.tasks(in: reply)
        #expect(tasks.count == count, "\(reply.prefix(2_000))")
        return tasks
    }

    @Test("without the header, 30 requests spread over all 3 tasks; with it, 10 requests stay on one", arguments: ["ring_hash", "maglev", "bounded_load_hash"])
    func fallback(strategy: String) async throws {
        let fixture = try await ProxyFixture.running(tasks: 3) { fixture in
            """
            backends:
              hello:
                servers: [\(fixture.taskAddresses.map { "\"\($0)\"" }.joined(separator: ", "))]
                balance: { strategy: \(strategy), hash_key: "header:X-User" }
            listeners:
              - name: web
                bind: LISTEN
                backend: hello
            timeouts: { connect: 1s, server: 5s }
            """
        }
        defer { fixture.stop() }

        let keyless = try await Self.answers(fixture, count: 30, header: "")
        #expect(keyless.count == 30)
        let counts = Dictionary(keyless.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(Set(counts.keys) == ["task-1", "task-2", "task-3"], "\(counts)")
        if strategy != "bounded_load_hash" {
            // Turns, not chance: equal weights share the requests exactly. (Bounded loads walk
            // the ring from evenly spread points instead, to keep their load bound.)
            #expect(counts.values.allSatisfy { $0 == 10 }, "\(counts)")
        }

        let empty = try await Self.answers(fixture, count: 30, header: "X-User: \r\n")
        #expect(Set(empty).count == 3, "an empty header value falls back too: \(empty)")

        let sticky = try await Self.answers(fixture, count: 10, header: "X-User: alice\r\n")
        #expect(sticky.count == 10)
        #expect(Set(sticky).count == 1, "\(sticky)")
    }
}
