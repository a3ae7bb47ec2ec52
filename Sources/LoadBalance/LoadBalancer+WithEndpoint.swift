extension LoadBalancer {
    /// Picks an endpoint, runs `body` against it and completes the lease from how it ended —
    /// the few-lines way for a service to balance its own outgoing calls.
    ///
    /// - Parameters:
    ///   - key: hash key for hash strategies.
    ///   - isolation: the caller's actor, inferred (`#isolation`); `body` runs on it, so it may
    ///     use the caller's non-`Sendable` state without a hop.
    ///   - classify: turns `body`'s result into an outcome (say `.serverError` for a 5xx
    ///     response); every result counts as success by default.
    ///   - failure: turns an error thrown by `body` into an outcome; by default a
    ///     connection failure, feeding outlier detection. `CancellationError` is always
    ///     `.cancelled`.
    ///   - body: the call to make.
    /// - Throws: ``LoadBalancerError/noEndpoint(_:)`` when there is nothing to pick, or
    ///   whatever `body` throws.
    public func withEndpoint<Result>(
        key: HashKey? = nil,
        isolation: isolated (any Actor)? = #isolation,
        classify: (Result) -> RequestOutcome = { _ in .success },
        failure: (any Error) -> RequestOutcome = { _ in .connectionFailure },
        _ body: (Endpoint) async throws -> Result
    ) async throws -> Result {
        let lease: Lease
        switch pick(key: key, now: .now) {
        case .endpoint(let picked):
            lease = picked
        case .noEndpoint(let reason):
            throw LoadBalancerError.noEndpoint(reason)
        }
        let result: Result
        do {
            result = try await body(lease.endpoint)
        } catch {
            lease.complete(error is CancellationError ? .cancelled : failure(error), now: .now)
            throw error
        }
        lease.complete(classify(result), now: .now)
        return result
    }
}
