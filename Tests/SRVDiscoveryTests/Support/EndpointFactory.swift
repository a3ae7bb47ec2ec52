@testable import SRVDiscovery

/// Builds Cloud Map shaped endpoints for tests: task N on 10.0.0.N:8000+N.
enum EndpointFactory {
    static func task(_ number: Int, priority: UInt16 = 1, weight: UInt16 = 1, ttl: UInt32 = 10, port: UInt16? = nil) -> Endpoint {
        Endpoint(
            address: .v4(0x0A00_0000 | UInt32(number)),
            port: port ?? UInt16(8000 + number),
            priority: priority,
            weight: weight,
            target: "task-\(number)._hello-world-service.internal.",
            ttl: ttl
        )
    }

    static func answer(_ numbers: [Int], ttl: UInt32 = 10) -> SRVAnswer {
        SRVAnswer(endpoints: EndpointSet(numbers.map { task($0, ttl: ttl) }), ttl: ttl)
    }
}
