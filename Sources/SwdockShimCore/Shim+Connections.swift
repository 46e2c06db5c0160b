#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The socket side: accepting clients, framing, flow control.
extension Shim {
    func acceptConnections() {
        guard let listener else { return }
        while true {
            let accepted: FileDescriptor?
            do { accepted = try UnixSocket.accept(listener) } catch { note("accept: \(error)"); return }
            guard let fd = accepted else { return }
            // The socket file is 0600 in a 0711 directory; the uid check also covers a socket
            // reached through a bind mount or an inherited fd.
            if let uid = try? UnixSocket.peerUID(fd), uid != 0, uid != geteuid() {
                note("refused a connection from uid \(uid)")
                fd.close()
                continue
            }
            let connection = Connection(fd: fd)
            connections[fd.rawValue] = connection
            do {
                try loop.register(fd, for: [.readable, .readHangup]) { [unowned self, unowned connection] events in
                    self.connectionReady(connection, events)
                }
            } catch {
                note("watch connection: \(error)")
                connections[fd.rawValue] = nil
                fd.close()
            }
        }
    }

    func connectionReady(_ connection: Connection, _ events: IOEvents) {
        let broken = events.contains(.hangup) || events.contains(.error)
        if events.contains(.writable) || broken {
            flush(connection)
            if connection.closed { return }
        }
        if connection.readingPaused {
            // Paused for stdin flow control, but the peer is gone: nothing more can happen here.
            if broken { close(connection) }
        } else if events.contains(.readable) || events.contains(.readHangup) || broken {
            readRequests(connection)
        }
    }

    private func readRequests(_ connection: Connection) {
        for _ in 0..<4 {
            let count: Int?
            do { count = try connection.fd.readAvailable(into: readBuffer) } catch {
                if error.errno != ECONNRESET { note("read from client: \(error)") }
                count = 0
            }
            guard let n = count else { return }
            if n == 0 {
                close(connection)
                return
            }
            connection.decoder.feed(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
            do {
                while !connection.closed, !connection.readingPaused, let frame = try connection.decoder.next() {
                    handle(frame, from: connection)
                }
            } catch {
                respond(connection, ShimMessage.error(error))
                connection.closeWhenFlushed = true
                flush(connection)
                return
            }
            if connection.closed || connection.readingPaused { return }
        }
    }

    private func handle(_ frame: ShimFrame, from connection: Connection) {
        switch frame.kind {
        case .request:
            let message: ShimMessage
            do { message = try ShimMessage.decode(frame.payload) } catch {
                respond(connection, ShimMessage.error(error))
                return
            }
            if connection.waiting {
                connection.queuedRequests.append(message)
            } else {
                dispatch(message, from: connection)
            }
        case .stdin, .stdinClose:
            guard connection.attachedStdin, let process = connection.attached else {
                respond(connection, ShimMessage.error(ShimError(.protocol, "stdin frame on a connection not attached with stdin=true")))
                return
            }
            if frame.kind == .stdin {
                writeStdin(frame.payload, to: process)
            } else {
                requestStdinClose(of: process)
            }
        case .response, .output, .event:
            respond(connection, ShimMessage.error(ShimError(.protocol, "frame kind \(frame.kind.rawValue) is sent by the shim, not to it")))
        }
    }

    /// Requests that arrived during a `wait` are answered, in order, once it is.
    func drainQueuedRequests(of connection: Connection) {
        while !connection.waiting, !connection.closed, !connection.queuedRequests.isEmpty {
            dispatch(connection.queuedRequests.removeFirst(), from: connection)
        }
    }

    func respond(_ connection: Connection, _ message: ShimMessage) {
        send(connection, kind: .response, message.encoded)
    }

    func send(_ connection: Connection, kind: ShimFrameKind, _ payload: [UInt8]) {
        guard !connection.closed else { return }
        ShimFrame.appendHeader(kind: kind, stream: 0, count: payload.count, to: &connection.outbox)
        connection.outbox.append(contentsOf: payload)
        flush(connection)
    }

    /// Writes what the socket takes now; watches for writability while something is left.
    func flush(_ connection: Connection) {
        guard !connection.closed else { return }
        while connection.pendingOutput > 0 {
            let written: Int
            let start = connection.outboxStart
            let result = connection.outbox.withUnsafeBytes { raw in
                Result { () throws(OSError) in try connection.fd.writeAvailable(UnsafeRawBufferPointer(rebasing: raw[start...])) }
            }
            switch result {
            case .success(let n): written = n
            case .failure(let error):
                if error.errno != EPIPE && error.errno != ECONNRESET { note("write to client: \(error)") }
                close(connection)
                return
            }
            if written == 0 { break }
            connection.outboxStart += written
        }
        if connection.pendingOutput == 0 {
            connection.outbox.removeAll(keepingCapacity: connection.outbox.capacity <= 256 * 1024)
            connection.outboxStart = 0
            if connection.closeWhenFlushed { close(connection); return }
        } else if connection.outboxStart > 256 * 1024 {
            connection.outbox.removeFirst(connection.outboxStart)
            connection.outboxStart = 0
        }
        let wantWritable = connection.pendingOutput > 0
        if wantWritable != connection.watchingWritable {
            connection.watchingWritable = wantWritable
            updateInterest(connection)
        }
        if !wantWritable, let process = connection.attached { resumeOutputIfCaughtUp(process) }
    }

    func setReadingPaused(_ connection: Connection, _ paused: Bool) {
        guard connection.readingPaused != paused, !connection.closed else { return }
        connection.readingPaused = paused
        updateInterest(connection)
        if !paused {
            // Frames already buffered were held back while paused.
            do {
                while !connection.closed, !connection.readingPaused, let frame = try connection.decoder.next() {
                    handle(frame, from: connection)
                }
            } catch {
                respond(connection, ShimMessage.error(error))
                connection.closeWhenFlushed = true
                flush(connection)
            }
        }
    }

    private func updateInterest(_ connection: Connection) {
        var events: IOEvents = connection.readingPaused ? [] : [.readable, .readHangup]
        if connection.watchingWritable { events.insert(.writable) }
        do { try loop.update(connection.fd, to: events) } catch { note("watch connection: \(error)") }
    }

    func close(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        loop.unregister(connection.fd)
        connection.fd.close()
        connections[connection.fd.rawValue] = nil
        for process in [initProcess] + Array(execs.values) {
            process.subscribers.removeAll { $0.connection === connection }
            process.waiters.removeAll { $0 === connection }
            resumeOutputIfCaughtUp(process)
        }
        connection.attached = nil
        connection.queuedRequests = []
    }
}
