import Foundation
import HTTPCore

/// A complete HTTP response that proxyd sends instead of its own short one for one status
/// (HAProxy's `errorfile CODE FILE`, `errorloc302/303 CODE URL`; YAML `error_pages:`).
///
/// The bytes are read and checked when the configuration loads, by HAProxy 2.6's rules
/// (`http_str_to_htx`): a status line and headers ending with an empty line, then the body;
/// no chunked body; a Content-Length that matches the body; no body on 204/304. A file that
/// fails is a load error at the directive's line, so a reload with a broken or missing file
/// keeps the running configuration. The page lives in the configuration (not just its path) so
/// that a reload notices a changed file.
struct ErrorPage: Sendable, Hashable {
    /// Where the page came from, as the configuration wrote it (for `proxyd convert`).
    enum Source: Sendable, Hashable {
        /// `errorfile CODE PATH` / `error_pages: {CODE: PATH}`.
        case file(String)
        /// `errorloc302`/`errorloc` (302) or `errorloc303` (303) `CODE URL`.
        case redirect(location: String, status: Int)
    }

    /// The statuses HAProxy 2.6 can answer with an error page (`http_err_codes` in its
    /// src/http.c; its manual lists all but 421 and 422). Others are refused at load.
    static let statuses: [Int] = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504]

    /// HAProxy's `tune.bufsize` default: a page must fit in one buffer (HAProxy truncates a
    /// larger file with a warning, which breaks it); proxyd refuses it instead.
    static let maximumSize = 16_384

    var source: Source
    /// The response as it is sent: the file's bytes, with a head written with bare LFs turned
    /// into CRLFs (HAProxy re-serializes the head, so such files work there too). Empty for
    /// an empty file (`/dev/null`): the connection is then closed without an answer, as
    /// HAProxy does (the classic `errorfile 408 /dev/null`).
    var response: [UInt8]

    /// Why a page was refused; `message` names the file and the rule it breaks.
    struct Problem: Error, Hashable, Sendable {
        var message: String
    }

    /// Reads and checks `path` (relative paths from the working directory, as HAProxy opens
    /// them).
    static func file(_ path: String) throws(Problem) -> ErrorPage {
        let bytes = try read(path)
        do {
            return ErrorPage(source: .file(path), response: try checked(bytes))
        } catch {
            throw Problem(message: "'\(path)' \(error.message)")
        }
    }

    /// HAProxy's `errorloc302`/`errorloc303` page: an empty redirect, byte for byte the one
    /// HAProxy builds (`http_parse_errorloc`).
    static func redirect(to location: String, status: Int) throws(Problem) -> ErrorPage {
        guard !location.isEmpty, location.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw Problem(message: "the location '\(location)' must be a URL without spaces or control characters")
        }
        let reason = status == 303 ? "See Other" : "Found"
        let text = "HTTP/1.1 \(status) \(reason)\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: \(location)\r\n\r\n"
        return ErrorPage(source: .redirect(location: location, status: status), response: Array(text.utf8))
    }

    private static func read(_ path: String) throws(Problem) -> [UInt8] {
        let descriptor = ConfigurationFileAccess.openReadOnly(path)
        guard descriptor >= 0 else { throw Problem(message: "cannot open '\(path)': \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data: Data
        do {
            // One byte more than the limit tells a file at the limit from a larger one.
            data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        } catch {
            throw Problem(message: "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        guard data.count <= maximumSize else {
            throw Problem(message: "'\(path)' is larger than \(maximumSize) bytes (HAProxy's tune.bufsize): an error page must fit in one buffer")
        }
        return Array(data)
    }

    /// The response to send for `bytes`, or the rule they break (message without the file).
    static func checked(_ bytes: [UInt8]) throws(Problem) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        let (head, body) = try headWithCRLF(bytes)
        var parser = HTTPHeadParser(kind: .response)
        let outcome: Result<HTTPHeadParser.Progress, HTTPParseError> = head.withUnsafeBytes { buffer in
            do throws(HTTPParseError) { return .success(try parser.parse(buffer)) } catch { return .failure(error) }
        }
        let progress: HTTPHeadParser.Progress
        switch outcome {
        case .success(let value): progress = value
        case .failure(let error): throw Problem(message: "is not an HTTP response: \(error.kind) at byte \(error.offset)")
        }
        guard case .complete(let length) = progress, length == head.count else {
            throw Problem(message: "is not an HTTP response: its head does not end with an empty line")
        }
        let parsed = parser.head
        guard parsed.status >= 200 else {
            throw Problem(message: "has status \(parsed.status): an interim (1xx) response cannot answer a request")
        }
        switch parsed.framing {
        case .chunked:
            throw Problem(message: "has a chunked body, which HAProxy does not support in an error page; give its length in Content-Length or leave both out")
        case .contentLength(let announced) where announced != body.count:
            throw Problem(message: "has a body of \(body.count) bytes but announces Content-Length: \(announced)")
        case .none where !body.isEmpty:
            throw Problem(message: "has a body, but a \(parsed.status) response has none")
        default:
            return head + body
        }
    }

    /// Splits the head (through its empty line) from the body; head lines ending in a bare LF
    /// get their CR. The body is left as it is.
    private static func headWithCRLF(_ bytes: [UInt8]) throws(Problem) -> (head: [UInt8], body: ArraySlice<UInt8>) {
        var head: [UInt8] = []
        head.reserveCapacity(min(bytes.count + 32, maximumSize))
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0x0A else {
                index += 1
                continue
            }
            var lineEnd = index
            if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            head += bytes[lineStart..<lineEnd]
            head += [0x0D, 0x0A]
            index += 1
            if lineEnd == lineStart {
                guard head.count > 2 else {
                    throw Problem(message: "is not an HTTP response: it must start with its status line (HTTP/1.1 CODE REASON), found an empty line")
                }
                return (head, bytes[index...])
            }
            lineStart = index
        }
        throw Problem(message: "is not an HTTP response: its head does not end with an empty line")
    }
}
