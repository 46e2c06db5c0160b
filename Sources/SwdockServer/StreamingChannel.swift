import NIOCore
import NIOHTTP1
import SwdockAPI

/// `ResponseBodyWriter` over a channel whose pipeline still speaks HTTP: each write is one chunk,
/// and it returns only once the chunk reached the socket, so a slow client slows the producer.
struct ChannelBodyWriter: ResponseBodyWriter {
    let channel: any Channel

    func write(_ bytes: [UInt8]) async throws {
        // An empty chunk would end chunked encoding early; there is nothing to send anyway.
        guard !bytes.isEmpty else { return }
        let buffer = channel.allocator.buffer(bytes: bytes)
        try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer))).get()
    }

    var isClientGone: Bool { !channel.isActive }

    func waitForClose() async { try? await channel.closeFuture.get() }
}

/// After a hijack: raw bytes from the client, up to its half-close.
final class HijackHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let continuation: AsyncStream<[UInt8]>.Continuation

    init(continuation: AsyncStream<[UInt8]>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if buffer.readableBytes > 0 { continuation.yield(Array(buffer: buffer)) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Half-close is stdin EOF, not a hangup: only the input ends; output goes on.
        if let event = event as? ChannelEvent, case .inputClosed = event {
            continuation.finish()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}

/// `HijackedStream` over the raw channel.
struct ChannelHijackedStream: HijackedStream {
    let channel: any Channel
    let input: AsyncStream<[UInt8]>

    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    func close() async {
        try? await channel.close()
    }
}
