import Testing
@testable import TLSTerm

@Suite("PEMDocument splits PEM files into blocks (RFC 7468)")
struct PEMDocumentTests {
    @Test("blocks are found in file order with text between them ignored")
    func blocksInOrder() throws {
        let text = "explanatory text\n-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\nsubject=CN = x\n-----BEGIN CERTIFICATE-----\r\nREVG\r\n-----END CERTIFICATE-----\r\n"
        let document = try PEMDocument(parsing: text)
        #expect(document.blocks.map(\.label) == ["PRIVATE KEY", "CERTIFICATE"])
        #expect(document.blocks.map(\.line) == [2, 6])
    }

    @Test("a legacy Proc-Type: 4,ENCRYPTED header marks the block encrypted")
    func legacyEncryptedHeader() throws {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nQUJD\n-----END RSA PRIVATE KEY-----\n"
        let document = try PEMDocument(parsing: text)
        #expect(document.blocks.first?.hasEncryptedHeader == true)
    }

    @Test("a BEGIN without END is malformed at the BEGIN line")
    func missingEnd() {
        #expect(throws: PEMDocument.ParseError(line: 2, reason: "BEGIN CERTIFICATE has no END line")) {
            try PEMDocument(parsing: "\n-----BEGIN CERTIFICATE-----\nQUJD\n")
        }
    }

    @Test("a non-base64 character is malformed at its line")
    func badBase64() {
        #expect(throws: PEMDocument.ParseError(line: 3, reason: "character '!' is not base64 in the CERTIFICATE block")) {
            try PEMDocument(parsing: "-----BEGIN CERTIFICATE-----\nQUJD\nQU!D\n-----END CERTIFICATE-----\n")
        }
    }

    @Test("an END with another label is malformed")
    func mismatchedEnd() {
        #expect(throws: PEMDocument.ParseError(line: 3, reason: "END PRIVATE KEY does not close BEGIN CERTIFICATE of line 1")) {
            try PEMDocument(parsing: "-----BEGIN CERTIFICATE-----\nQUJD\n-----END PRIVATE KEY-----\n")
        }
    }

    @Test("a BEGIN inside an open block is malformed (a truncated concatenation)")
    func nestedBegin() {
        #expect(throws: PEMDocument.ParseError(line: 3, reason: "BEGIN inside the CERTIFICATE block of line 1 (missing END line)")) {
            try PEMDocument(parsing: "-----BEGIN CERTIFICATE-----\nQUJD\n-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n")
        }
    }
}
