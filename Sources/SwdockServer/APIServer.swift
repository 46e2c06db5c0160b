#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SwdockOS

/// The Engine API server: HTTP/1.1 on one or more Unix sockets, bound here or passed in
/// already listening by systemd socket activation.
public final class APIServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channels: [any Channel]
    private let socketPaths: [String]
    private let logger: Logger

    /// Binds every socket in `socketPaths` (see `UnixSocketPreparation` for stale files and a
    /// live daemon), adopts every listening socket in `activatedSockets` (systemd's; their
    /// files belong to the socket unit and are never unlinked here) and starts serving `router`.
    public static func start(socketPaths: [String], activatedSockets: [SystemdActivation.Socket] = [], router: Router,
                             configuration: ServerConfiguration = .init(), socketGroup: String = "swdock", threads: Int = 1,
                             logger: Logger) async throws -> APIServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var channels: [any Channel] = []
        var bound: [String] = []
        do {
            for socket in activatedSockets {
                let channel = try await bootstrap(group: group, router: router, configuration: configuration, logger: logger)
                    .withBoundSocket(socket.fileDescriptor.rawValue).get()
                channels.append(channel)
                logger.info("API listening on fd://\(socket.name) (fd \(socket.fileDescriptor.rawValue), from systemd)")
            }
            for path in socketPaths {
                try UnixSocketPreparation.prepare(path)
                // Bound under a temporary name and renamed into place once its mode and group are
                // set: a client never sees the socket with the umask's mode.
                let staging = UnixSocketPreparation.stagingPath(for: path)
                unlink(staging)
                let channel = try await bootstrap(group: group, router: router, configuration: configuration, logger: logger)
                    .bind(unixDomainSocketPath: staging, cleanupExistingSocketFile: false).get()
                channels.append(channel)
                do {
                    try UnixSocketPreparation.restrict(staging, group: socketGroup, logger: logger)
                    try UnixSocketPreparation.publish(staging, as: path)
                } catch {
                    unlink(staging)
                    throw error
                }
                bound.append(path)
                logger.info("API listening on unix://\(path)")
            }
        } catch {
            for channel in channels { try? await channel.close() }
            for path in bound { unlink(path) }
            try? await group.shutdownGracefully()
            throw error
        }
        return APIServer(group: group, channels: channels, socketPaths: bound, logger: logger)
    }

    private init(group: MultiThreadedEventLoopGroup, channels: [any Channel], socketPaths: [String], logger: Logger) {
        self.group = group
        self.channels = channels
        self.socketPaths = socketPaths
        self.logger = logger
    }

    private static func bootstrap(group: MultiThreadedEventLoopGroup, router: Router, configuration: ServerConfiguration,
                                  logger: Logger) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            // Hijacked streams need the client's half-close (stdin EOF) as an event, not a close.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The handler never writes a body for HEAD and always frames bodies itself, so the
                    // encoder does not need to learn request methods from the decoder.
                    let encoder = HTTPResponseEncoder()
                    let decoder = HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(encoder, name: HTTPConnectionHandler.encoderName)
                    try sync.addHandler(ByteToMessageHandler(decoder), name: HTTPConnectionHandler.decoderName)
                    try sync.addHandler(HTTPConnectionHandler(router: router, configuration: configuration, logger: logger))
                }
            }
    }

    /// The sockets being served.
    public var paths: [String] { socketPaths }

    /// Stops accepting, closes the listening sockets, removes their files and stops the threads.
    /// Connections in progress are closed with the event loops.
    public func stop() async {
        for channel in channels { try? await channel.close() }
        for path in socketPaths { unlink(path) }
        try? await group.shutdownGracefully()
    }
}
