import SwdockOS

extension EngineClient {
    /// Sends a request whose body is everything readable from `source` (a file, a pipe, STDIN),
    /// chunk-encoded as the docker CLI sends `load`, `import -` and `cp` archives, so nothing is
    /// held in memory. Reads the response head; error statuses are thrown with the daemon's
    /// message. The daemon may answer before the body ends (an unknown container, say): then
    /// the answer is what counts, not the broken pipe.
    public func upload(_ method: String, _ path: String, query: [(String, String)] = [], from source: FileDescriptor,
                       contentType: String = "application/x-tar",
                       headers: [(String, String)] = []) throws(ClientError) -> Response {
        let connection = try SocketConnection(address, timeout: timeout)
        var text = requestHead(method, path, query: query, headers: headers, versioned: true)
        text += "Content-Type: \(contentType)\r\nTransfer-Encoding: chunked\r\n\r\n"
        var sendError: ClientError?
        do {
            try connection.write(Array(text.utf8))
            while true {
                let chunk = try source.read(upTo: 1 << 20)
                if chunk.isEmpty { break }
                var frame = Array((String(chunk.count, radix: 16) + "\r\n").utf8)
                frame.append(contentsOf: chunk)
                frame.append(contentsOf: [13, 10])
                try connection.write(frame)
            }
            try connection.write(Array("0\r\n\r\n".utf8))
        } catch let error as ClientError {
            sendError = error
        } catch {
            throw ClientError(.localInput, "read the upload for \(method) \(path)", cause: "\(error)")
        }
        let head: ResponseHead
        do {
            head = try Self.readHead(connection)
        } catch {
            throw sendError ?? error
        }
        var response = Response(head: head, body: try BodyReader(connection: connection, head: head, requestMethod: method),
                                connection: connection)
        if head.status >= 400 {
            try Self.check(head, try response.body.readAll())
        }
        return response
    }
}
