import SwdockAPI
import SwdockOS

/// A hijacked connection (attach, exec start) after `101 UPGRADED`: raw bytes both ways.
/// One thread may read while another writes (the read buffer belongs to the reader).
public final class HijackedConnection: @unchecked Sendable {
    public let connection: SocketConnection

    init(connection: SocketConnection) { self.connection = connection }

    /// Bytes from the daemon; empty at its end of stream.
    public func read() throws(ClientError) -> [UInt8] { try connection.readSome() }

    /// Bytes for the process's stdin (never framed).
    public func write(_ bytes: [UInt8]) throws(ClientError) { try connection.write(bytes) }

    /// End of our stdin: the daemon closes the process's stdin (or ends the attach), output goes on.
    public func closeWrite() throws(ClientError) { try connection.shutdownWrite() }
}

extension EngineClient {
    /// Sends a request with `Connection: Upgrade` / `Upgrade: tcp` and returns the raw stream
    /// once the daemon answered `101`; any other status throws the daemon's message.
    public func hijack(_ path: String, method: String = "POST", query: [(String, String)] = [],
                       body: [UInt8]? = nil) throws(ClientError) -> HijackedConnection {
        var response = try send(method, path, query: query, body: body,
                                contentType: body == nil ? "text/plain" : "application/json",
                                headers: [("Connection", "Upgrade"), ("Upgrade", "tcp")])
        guard response.head.status == 101 else {
            let bytes = (try? response.body.readAll()) ?? []
            try Self.check(response.head, bytes)
            throw ClientError(.protocolError, "unable to upgrade to tcp, received \(response.head.status)")
        }
        return HijackedConnection(connection: response.connection)
    }
}
