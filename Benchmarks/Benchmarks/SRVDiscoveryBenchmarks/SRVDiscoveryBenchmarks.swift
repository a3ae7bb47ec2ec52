// What one watcher refresh costs on the CPU once the bytes have arrived: turning a decoded
// 60-task SRV answer with glue into endpoints (SRVResolver), and deciding whether the new set
// differs from the last (EndpointSet construction + comparison). Network time is not measured.
import Benchmark
import DNSWire
import Logging
import SRVDiscovery

/// Answers every SRV question with one prebuilt answer: 60 Cloud Map tasks with A glue.
struct PrebuiltResolver: DNSResolving {
    let answer: DNSAnswer
    let counters = ResolverCounters()

    func lookup(_ name: DomainName, type: RecordType) async throws(ResolverError) -> DNSAnswer {
        answer
    }
}

func cloudMapAnswer(tasks: Int) throws -> DNSAnswer {
    let service = try DomainName("_hello-world-service.internal.")
    var srv: [ResourceRecord] = []
    var glue: [ResourceRecord] = []
    for index in 0..<tasks {
        let target = try DomainName("task-\(index)._hello-world-service.internal.")
        srv.append(ResourceRecord(name: service, ttl: 10, data: .srv(SRV(priority: 1, weight: 1, port: UInt16(30000 + index), target: target))))
        glue.append(ResourceRecord(name: target, ttl: 10, data: .a(IPv4Address(10, 0, UInt8(index / 250), UInt8(index % 250 + 1)))))
    }
    return DNSAnswer(question: Question(name: service, type: .srv), canonicalName: service, records: srv, additionals: glue, ttl: 10)
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal, .throughput]
    let configuration = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(5), maxIterations: 100_000)

    Benchmark("SRVResolver: 60-task SRV answer with glue -> endpoints", configuration: configuration) { benchmark in
        let resolver = SRVResolver(resolver: PrebuiltResolver(answer: try cloudMapAnswer(tasks: 60)), logger: Logger(label: "bench"))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await resolver.resolveSRV("_hello-world-service.internal."))
        }
    }

    Benchmark("EndpointSet: build 60 endpoints and compare with the previous set", configuration: configuration) { benchmark in
        let resolver = SRVResolver(resolver: PrebuiltResolver(answer: try cloudMapAnswer(tasks: 60)), logger: Logger(label: "bench"))
        let previous = try await resolver.resolveSRV("_hello-world-service.internal.").endpoints
        let endpoints = Array(previous.reversed())
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let set = EndpointSet(endpoints)
            blackHole(set.hasSameMembers(as: previous))
        }
    }
}
