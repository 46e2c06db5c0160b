/// A response's status line and headers; the body is read from `BodyReader`.
public struct ResponseHead: Sendable {
    public let status: Int
    public let reason: String
    /// Header names lower-cased.
    public let headers: [String: String]

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Reads one response body with the framing its head announced.
public struct BodyReader {
    enum Framing { case length(Int), chunked, untilClose, none }

    let connection: SocketConnection
    var framing: Framing
    private var done = false

    init(connection: SocketConnection, head: ResponseHead, requestMethod: String) throws(ClientError) {
        self.connection = connection
        if requestMethod == "HEAD" || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) {
            framing = .none
        } else if head.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            framing = .chunked
        } else if let length = head.header("content-length") {
            guard let n = Int(length), n >= 0 else { throw ClientError(.protocolError, "bad Content-Length \"\(length)\"") }
            framing = .length(n)
        } else {
            framing = .untilClose
        }
    }

    /// The next piece of the body (one chunk when chunked); nil at its end.
    public mutating func next() throws(ClientError) -> [UInt8]? {
        if done { return nil }
        switch framing {
        case .none:
            done = true
            return nil
        case .length(let remaining):
            if remaining == 0 {
                done = true
                return nil
            }
            let piece = try connection.readExactly(min(remaining, 65536))
            framing = .length(remaining - piece.count)
            return piece
        case .untilClose:
            let piece = try connection.readSome()
            if piece.isEmpty {
                done = true
                return nil
            }
            return piece
        case .chunked:
            let line = try connection.readLine()
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(), radix: 16) else {
                throw ClientError(.protocolError, "bad chunk size \"\(line)\"")
            }
            if size == 0 {
                // Trailers until the empty line.
                while try !connection.readLine().isEmpty {}
                done = true
                return nil
            }
            let piece = try connection.readExactly(size)
            _ = try connection.readExactly(2)
            return piece
        }
    }

    /// The rest of the body.
    public mutating func readAll() throws(ClientError) -> [UInt8] {
        var body: [UInt8] = []
        while let piece = try next() { body.append(contentsOf: piece) }
        return body
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
