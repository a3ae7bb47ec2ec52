/// A response proxyd answers from the configuration instead of forwarding the request
/// (`http-request return`, or `http-request deny` with a payload): HAProxy's "http reply".
///
/// Checked when the file is loaded (status range, body allowed, header names), so answering a
/// request only renders the `hdr` values.
struct ConfiguredResponse: Sendable, Hashable {
    /// One `hdr NAME VALUE` field; the value may use the request's `%[fetch]` samples.
    struct Header: Sendable, Hashable {
        var name: String
        var value: HeaderValueTemplate
    }

    /// The response for one request, its header values rendered.
    struct Rendered: Sendable, Hashable {
        var status: Int
        var contentType: String?
        var body: String
        var headers: [HTTPFieldText]
    }

    /// A rendered header field.
    struct HTTPFieldText: Sendable, Hashable {
        var name: String
        var value: String
    }

    /// HAProxy's default for `return` is 200.
    var status: Int = 200
    /// Sent only with a body: HAProxy ignores it for an empty response, and requires it for a
    /// non-empty one.
    var contentType: String?
    /// The payload, sent as is (HAProxy `string`).
    var body: String = ""
    var headers: [Header] = []

    /// HAProxy accepts any status from 200 to 599 for `return` (1xx cannot end an exchange).
    static let statuses = 200...599

    /// Fields proxyd writes itself from the body (HAProxy ignores them in `hdr`).
    static let framingFields: Set<String> = ["content-length", "transfer-encoding", "content-type", "connection"]

    /// Why this response cannot be answered as written, or nil. Shared by both readers so that
    /// haproxy.cfg and YAML refuse the same things with the same words.
    var problem: String? {
        guard Self.statuses.contains(status) else { return "status \(status) is out of range; a returned status must be 200 to 599" }
        if !body.isEmpty {
            if [204, 304].contains(status) { return "status \(status) cannot have a body (RFC 9110 §15.3.5, §15.4.5)" }
            if contentType == nil { return "a body needs a content type (content-type TYPE), as HAProxy requires" }
        }
        if let header = headers.first(where: { Self.framingFields.contains($0.name.lowercased()) }) {
            return "header '\(header.name)' cannot be set: proxyd writes Content-Length, Content-Type and Connection itself"
        }
        return nil
    }
}
