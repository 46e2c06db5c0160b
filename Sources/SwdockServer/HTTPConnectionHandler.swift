import Logging
import NIOCore
import NIOHTTP1
import SwdockAPI

/// Serves the HTTP/1.1 requests of one connection, one at a time in arrival order.
///
/// Requests are collected whole (bounded by `maxBodyBytes`), resolved through the router and
/// answered from a task — except for upload routes (`Router.addUpload`), whose handler starts at
/// the head and reads the body as it arrives (`UploadFeed`, with backpressure); parts of
/// pipelined requests that arrive meanwhile are queued (reading pauses when the queue is full). A response may be complete, streamed (headers flushed first,
/// chunked body) or a hijack (`101`, then the HTTP handlers leave the pipeline and raw bytes flow).
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Names of the HTTP handlers in the pipeline, so a hijack can remove them.
    static let decoderName = "swdock-http-decoder"
    static let encoderName = "swdock-http-encoder"

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer)
        case responding(streaming: Bool)
        case hijacked
        case closed
    }

    private let router: Router
    private let configuration: ServerConfiguration
    private let logger: Logger
    private var state: State = .idle
    private var pending: [HTTPServerRequestPart] = []
    private var readHeld = false
    private var inputClosed = false
    private var readTimer: Scheduled<Void>?
    /// The body of an upload request still arriving; its parts go to the handler's task.
    private var upload: UploadFeed?

    init(router: Router, configuration: ServerConfiguration, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: inbound

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armReadTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armReadTimer(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if let upload {
            switch part {
            case .body(let chunk):
                return upload.deliver(Array(buffer: chunk))
            case .end:
                upload.finish()
                self.upload = nil
                if readHeld, case .idle = state {
                    readHeld = false
                    context.read()
                }
                return
            case .head:
                break  // cannot happen before .end; fall through to the normal handling
            }
        }
        if case .responding = state {
            pending.append(part)
            return
        }
        process(part, context: context)
    }

    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if startUpload(head: head, context: context) { return }
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > configuration.maxBodyBytes {
                return refuse(tooLarge: length, context: context)
            }
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                                      promise: nil)
            }
            state = .receiving(head, context.channel.allocator.buffer(capacity: 0))
        case (.receiving(let head, var body), .body(var chunk)):
            if body.readableBytes + chunk.readableBytes > configuration.maxBodyBytes {
                return refuse(tooLarge: body.readableBytes + chunk.readableBytes, context: context)
            }
            body.writeBuffer(&chunk)
            state = .receiving(head, body)
        case (.receiving(let head, let body), .end):
            readTimer?.cancel()
            readTimer = nil
            dispatch(head: head, body: Array(buffer: body), context: context)
        case (.closed, _), (.hijacked, _):
            break
        default:
            // The decoder never produces this order; treat it as a protocol error.
            closeConnection(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, case .inputClosed = event else {
            return context.fireUserInboundEventTriggered(event)
        }
        // The client will send nothing more. An idle or half-received connection is done; a
        // streamed response (wait, logs -f) is abandoned as dockerd does when its client goes;
        // a complete response still in preparation is sent, then the connection closes.
        inputClosed = true
        abandonUpload()
        switch state {
        case .idle where pending.isEmpty, .receiving:
            closeConnection(context: context)
        case .responding(streaming: true):
            closeConnection(context: context)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandonUpload()
        state = .closed
        readTimer?.cancel()
        readTimer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        switch state {
        case .idle, .receiving:
            if let parserError = error as? HTTPParserError {
                let status: HTTPResponseStatus = parserError == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
                logger.debug("malformed request", metadata: ["error": "\(parserError)"])
                sendAndClose(.error(APIError(status: Int(status.code), "malformed HTTP request: \(parserError)")),
                             context: context)
            } else {
                closeConnection(context: context)
            }
        case .responding, .hijacked, .closed:
            logger.debug("connection error", metadata: ["error": "\(error)"])
            abandonUpload()
            closeConnection(context: context)
        }
    }

    // MARK: outbound

    func read(context: ChannelHandlerContext) {
        if let upload, upload.isFull {
            readHeld = true
            return
        }
        if case .responding = state, pending.count >= configuration.maxPendingParts {
            readHeld = true
            return
        }
        context.read()
    }

    // MARK: requests

    /// Starts the handler of an upload route at its head; false for every other request.
    private func startUpload(head: HTTPRequestHead, context: ChannelHandlerContext) -> Bool {
        guard case .request(var request) = APIPath.parse(method: head.method, uri: head.uri, headers: head.headers, body: []),
              router.streamsBody(request.method, path: request.path) else { return false }
        if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                                  promise: nil)
        }
        // An upload may take as long as the client needs; the handler decides when it has enough.
        readTimer?.cancel()
        readTimer = nil
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let feed = UploadFeed { eventLoop.execute { bound.value.0.uploadDrained(context: bound.value.1) } }
        upload = feed
        request.bodyStream = feed.body
        dispatch(head: head, request: request, context: context)
        return true
    }

    /// The upload's handler took enough to read on.
    private func uploadDrained(context: ChannelHandlerContext) {
        guard let upload, !upload.isFull, readHeld else { return }
        readHeld = false
        context.read()
    }

    /// Ends an upload that will get no more bytes: its handler sees `RequestBody.Truncated`.
    private func abandonUpload() {
        upload?.finish(throwing: RequestBody.Truncated())
        upload = nil
    }

    private func dispatch(head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        switch APIPath.parse(method: head.method, uri: head.uri, headers: head.headers, body: body) {
        case .failure(let error, let version):
            state = .responding(streaming: false)
            send(.error(error, version: version), to: head, context: context)
        case .request(let parsed):
            dispatch(head: head, request: parsed, context: context)
        }
    }

    private func dispatch(head: HTTPRequestHead, request: APIRequest, context: ChannelHandlerContext) {
        let (handler, resolved) = router.resolve(request)
        state = .responding(streaming: false)
        let logger = self.logger
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        Task {
            let response: APIResponse
            do {
                response = try await handler(resolved)
            } catch let error as APIError {
                if error.status >= 500 {
                    logger.error("\(head.method.rawValue) \(head.uri): \(error)")
                }
                response = .error(error, version: resolved.apiVersion)
            } catch {
                logger.error("\(head.method.rawValue) \(head.uri): \(error)")
                response = .error(.internalError("\(error)"), version: resolved.apiVersion)
            }
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.send(response, to: head, context: context)
            }
        }
    }

    private func send(_ response: APIResponse, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .responding = state else { return }  // the connection closed meanwhile
        var headers = response.headers
        StandardHeaders.add(to: &headers, server: configuration.serverHeader)
        // An upload answered before its body ended leaves unread bytes: the connection cannot go on.
        let keepAlive = request.isKeepAlive && !inputClosed && upload == nil
        switch response.body {
        case .bytes(let bytes):
            if response.status.mayHaveResponseBody {
                headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
            }
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if !bytes.isEmpty, request.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
            }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                let (handler, context) = bound.value
                handler.responseFinished(keepAlive: keepAlive, context: context)
            }
        case .stream(let producer):
            state = .responding(streaming: true)
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            headers.remove(name: "Content-Length")
            let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
            // Flushed now: clients such as docker's ContainerWait block until they see it.
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            let channel = context.channel
            let writer = ChannelBodyWriter(channel: channel)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let logger = self.logger
            Task {
                do {
                    try await producer(writer)
                    channel.eventLoop.execute {
                        let (handler, context) = bound.value
                        guard case .responding = handler.state else { return }
                        context.writeAndFlush(handler.wrapOutboundOut(.end(nil))).whenComplete { _ in
                            let (handler, context) = bound.value
                            handler.responseFinished(keepAlive: keepAlive, context: context)
                        }
                    }
                } catch {
                    // The status is on the wire already; all that is left is to cut the body short.
                    if channel.isActive { logger.debug("stream ended with error: \(error)") }
                    channel.close(promise: nil)
                }
            }
        case .hijack(let session):
            hijack(response, headers: headers, request: request, session: session, context: context)
        }
    }

    private func hijack(_ response: APIResponse, headers: HTTPHeaders, request: HTTPRequestHead,
                        session: @escaping @Sendable (any HijackedStream) async throws -> Void,
                        context: ChannelHandlerContext) {
        state = .hijacked
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        let channel = context.channel
        let pipeline = context.pipeline.syncOperations
        let (input, continuation) = AsyncStream<[UInt8]>.makeStream()
        do {
            try pipeline.addHandler(HijackHandler(continuation: continuation))
            // Leave in this order: the decoder forwards bytes it already holds to the next inbound
            // handler when it goes, which must be the raw handler, not this one.
            pipeline.removeHandler(context: context, promise: nil)
            let encoder = try pipeline.context(name: Self.encoderName)
            pipeline.removeHandler(context: encoder, promise: nil)
            let decoder = try pipeline.context(name: Self.decoderName)
            pipeline.removeHandler(context: decoder, promise: nil)
        } catch {
            logger.error("hijack \(request.uri): \(error)")
            channel.close(promise: nil)
            continuation.finish()
            return
        }
        if inputClosed { continuation.finish() }
        // Raw mode needs no more timers or queued HTTP parts.
        pending.removeAll()
        let stream = ChannelHijackedStream(channel: channel, input: input)
        let logger = self.logger
        Task {
            do {
                try await session(stream)
            } catch {
                if channel.isActive { logger.debug("hijacked session \(request.uri) ended with error: \(error)") }
            }
            await stream.close()
        }
        if readHeld { context.read() }
    }

    private func responseFinished(keepAlive: Bool, context: ChannelHandlerContext) {
        guard case .responding = state else { return }
        guard keepAlive, !inputClosed || !pending.isEmpty else { return closeConnection(context: context) }
        state = .idle
        armReadTimer(context: context)
        while !pending.isEmpty {
            if case .responding = state { break }
            if case .closed = state { return }
            process(pending.removeFirst(), context: context)
        }
        if case .idle = state, inputClosed { return closeConnection(context: context) }
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    private func refuse(tooLarge size: Int, context: ChannelHandlerContext) {
        let error = APIError.payloadTooLarge("request body of \(size) bytes exceeds the limit of \(configuration.maxBodyBytes) bytes")
        sendAndClose(.error(error), context: context)
    }

    /// Sends a complete error response outside the request/response cycle, then closes.
    private func sendAndClose(_ response: APIResponse, context: ChannelHandlerContext) {
        state = .closed
        readTimer?.cancel()
        var headers = response.headers
        StandardHeaders.add(to: &headers, server: configuration.serverHeader)
        headers.replaceOrAdd(name: "Connection", value: "close")
        guard case .bytes(let bytes) = response.body else { return closeConnection(context: context) }
        headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func closeConnection(context: ChannelHandlerContext) {
        state = .closed
        readTimer?.cancel()
        readTimer = nil
        context.close(promise: nil)
    }

    private func armReadTimer(context: ChannelHandlerContext) {
        readTimer?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        readTimer = context.eventLoop.scheduleTask(in: configuration.requestReadTimeout) {
            let (handler, context) = bound.value
            switch handler.state {
            case .idle, .receiving:
                handler.logger.debug("closing a connection that sent no complete request in time")
                handler.closeConnection(context: context)
            default:
                break
            }
        }
    }
}
