import AsyncHTTPClient
import NIOCore
import SRVBalancer

/// The example: a service's client for the hello-world service, whose ECS tasks AWS Cloud
/// Map publishes under an SRV name. Each call goes to a task the pool picks, and its outcome
/// goes back to the pool — a 5xx counts as a server error, a refused or broken connection as
/// a connection failure (retried on another task; a task that keeps failing is ejected).
/// The SRVBalancer documentation (Getting Started) shows this code; keep the two in step.
struct HelloWorldClient: Sendable {
    let pool: DiscoveredEndpoints
    let http: HTTPClient

    /// An AsyncHTTPClient set up for calls through a pool: a connection that is refused fails
    /// at once (AsyncHTTPClient would otherwise retry the same dead task until its 10 s
    /// connect timeout) so that the pool retries on another task, and a task that does not
    /// answer the connection at all is given up on after 1 s.
    static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(1)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// What one task answered.
    struct Reply: Sendable {
        var status: UInt
        var body: String
    }

    /// `GET /hello` on one of the service's tasks.
    func hello() async throws -> Reply {
        try await pool.withEndpoint(classify: { $0.status >= 500 ? .serverError : .success }) { endpoint in
            let request = HTTPClientRequest(url: "http://\(endpoint.authority)/hello")
            let response = try await http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 64 * 1024)
            return Reply(status: response.status.code, body: String(buffer: body))
        }
    }
}
