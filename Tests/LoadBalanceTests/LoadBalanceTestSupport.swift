@testable import LoadBalance

/// Shared helpers for LoadBalance tests: endpoint factories, pick counting and a chi-square
/// check with a fixed significance level, so every distribution test states its bound.

/// A fixed starting instant; every test advances from it, so results never depend on the
/// wall clock.
let t0 = ContinuousClock.now

func at(_ seconds: Double) -> ContinuousClock.Instant {
    t0.advanced(by: .milliseconds(Int64((seconds * 1000).rounded())))
}

/// `count` endpoints `10.0.0.1:8080`, `10.0.0.2:8080`, ... with the given weights/priority.
func makeEndpoints(_ count: Int, weight: UInt16 = 1, priority: UInt16 = 0, firstHost: Int = 1) -> [Endpoint] {
    (0..<count).map { Endpoint(address: "10.0.\((firstHost + $0) / 250).\((firstHost + $0) % 250)", port: 8080, weight: weight, priority: priority) }
}

/// An endpoint named `id` (also its address, for readable failures).
func endpoint(_ id: String, weight: UInt16 = 1, priority: UInt16 = 0) -> Endpoint {
    Endpoint(id: id, address: id, port: 80, weight: weight, priority: priority)
}

extension PickResult {
    /// The picked endpoint id, or `nil` for no endpoint.
    var id: String? { lease?.endpoint.id }
}

extension LoadBalancer {
    /// Picks once and completes at once with `outcome`; returns the endpoint id.
    func pickAndComplete(key: HashKey? = nil, now: ContinuousClock.Instant = t0, _ outcome: RequestOutcome = .success) -> String? {
        let result = pick(key: key, now: now)
        result.lease?.complete(outcome, now: now)
        return result.id
    }

    /// Counts completed picks per endpoint id over `count` picks.
    func histogram(_ count: Int, now: ContinuousClock.Instant = t0, picker: inout Picker<SplitMix64>) -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<count {
            let result = picker.pick(now: now)
            if let lease = result.lease {
                counts[lease.endpoint.id, default: 0] += 1
                lease.complete(.success, now: now)
            }
        }
        return counts
    }

    /// Picks (completing other picks as cancelled) until `id` comes up; returns its lease.
    func lease(on id: String, now: ContinuousClock.Instant = t0) -> Lease? {
        for _ in 0..<10_000 {
            guard let lease = pick(now: now).lease else { return nil }
            if lease.endpoint.id == id { return lease }
            lease.complete(.cancelled, now: now)
        }
        return nil
    }

    func health(of id: String, now: ContinuousClock.Instant = t0) -> EndpointHealth? {
        status(now: now).first { $0.endpoint.id == id }?.health
    }
}

/// Pearson's chi-square statistic of observed counts against expected shares.
func chiSquare(observed: [Int], expectedShares: [Double]) -> Double {
    let total = Double(observed.reduce(0, +))
    let shareSum = expectedShares.reduce(0, +)
    var statistic = 0.0
    for (count, share) in zip(observed, expectedShares) {
        let expected = total * share / shareSum
        statistic += (Double(count) - expected) * (Double(count) - expected) / expected
    }
    return statistic
}

/// Critical value of chi-square with `degrees` degrees of freedom at p = 0.001
/// (Wilson–Hilferty approximation, z = 3.0902): a correct sampler fails 1 in 1000 seeds.
func chiSquareCritical(degrees: Int) -> Double {
    let k = Double(degrees)
    let z = 3.0902
    let term = 1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot()
    return k * term * term * term
}
