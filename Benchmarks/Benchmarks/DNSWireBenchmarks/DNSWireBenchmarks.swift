// DNSWire hot paths: decoding and encoding the answers proxyd's SRV watcher handles on every
// refresh. Inputs:
// - ECS-like answer: what Cloud Map gives for an ECS service with 3 tasks — 1 question, 3 SRV
//   records, 3 A records of the targets in Additional, EDNS OPT; names compressed (289 octets).
// - 60-SRV answer: the same with 60 tasks and 60 A records, larger than any UDP answer, as
//   fetched over TCP after TC (4678 octets).
import Benchmark
import DNSWire

/// A Cloud Map-style SRV answer for `_hello-world-service.internal` with `tasks` tasks.
func ecsAnswer(tasks: Int) -> Message {
    let service = (try? DomainName("_hello-world-service.internal")) ?? .root
    var message = Message(
        header: Header(id: 0x1A2B, isResponse: true, authoritativeAnswer: true, recursionDesired: true, recursionAvailable: true),
        questions: [Question(name: service, type: .srv)],
        edns: EDNS(udpPayloadSize: 1232))
    for index in 0..<tasks {
        let target = (try? DomainName("ip-10-0-\(index / 200)-\(index % 200 + 10).hello-world-service.internal")) ?? .root
        message.answers.append(ResourceRecord(
            name: service, ttl: 10, data: .srv(SRV(priority: 1, weight: 1, port: 8080, target: target))))
        message.additionals.append(ResourceRecord(
            name: target, ttl: 10, data: .a(IPv4Address(10, 0, UInt8(index / 200), UInt8(index % 200 + 10)))))
    }
    return message
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 1000,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    for (label, tasks) in [("ECS answer 3 SRV + 3 A", 3), ("60 SRV + 60 A (TCP)", 60)] {
        let message = ecsAnswer(tasks: tasks)
        let bytes = (try? message.encode()) ?? []

        Benchmark("decode \(label), \(bytes.count) octets") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Message(decoding: bytes))
            }
        }

        Benchmark("encode \(label), \(bytes.count) octets") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try message.encode())
            }
        }
    }
}
