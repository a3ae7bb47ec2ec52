extension ConfiguredResponse {
    /// The response for one request: the `hdr` values rendered from its facts.
    func rendered(_ facts: RequestFacts) -> Rendered {
        Rendered(status: status, contentType: body.isEmpty ? nil : contentType, body: body,
                 headers: headers.map { HTTPFieldText(name: $0.name, value: $0.value.render(facts)) })
    }
}
