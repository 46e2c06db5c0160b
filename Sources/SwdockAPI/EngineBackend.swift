/// What the API server needs from the engine. The server parses requests, renders responses and
/// streams; everything about containers and images is behind these protocols, which adapters over
/// `SwdockEngine` implement (the server never holds engine logic).
///
/// Methods throw `APIError` for answers with a Docker status (404 "No such container: x", 409
/// conflicts, …); any other error becomes a 500 with its description.
///
/// The engine's surface is split by area so each has its own file: `SystemBackend` (this file),
/// `ImageBackend` (ImageBackend.swift), `ContainerBackend` (ContainerBackend.swift). Endpoints are
/// added as they are implemented; routes without a method here answer 501 "not supported: …".
public protocol SystemBackend: Sendable {
    /// Counts for `GET /info` (and later `/system/df`).
    func systemCounts() async throws -> SystemCounts
}

/// Everything the daemon serves, in one conformance (used where one object implements it all).
public typealias EngineBackend = SystemBackend & ImageBackend & ContainerBackend

/// The engine's part of `GET /info`.
public struct SystemCounts: Sendable, Equatable {
    public var containers: Int
    public var running: Int
    public var paused: Int
    public var stopped: Int
    public var images: Int

    public init(containers: Int, running: Int, paused: Int, stopped: Int, images: Int) {
        self.containers = containers
        self.running = running
        self.paused = paused
        self.stopped = stopped
        self.images = images
    }
}

/// Where a streaming endpoint writes its response body (logs, pull progress, wait, events).
///
/// The status and headers are already on the wire when the producer gets the writer, so a
/// client blocked on them (docker's `ContainerWait`) is released at once. `write` returns when
/// the bytes are handed to the socket and suspends while the client is slow (backpressure).
public protocol ResponseBodyWriter: Sendable {
    /// Sends one chunk (one HTTP chunk in chunked encoding). Throws when the client has gone.
    func write(_ bytes: [UInt8]) async throws
    /// True once the client closed the connection; long waits poll this or call `waitForClose`.
    var isClientGone: Bool { get }
    /// Returns when the client closes its connection (for producers that otherwise write nothing
    /// for a long time, like `wait`).
    func waitForClose() async
}

/// A hijacked connection after `101 UPGRADED`: raw bytes both ways.
///
/// `input` ends when the client half-closes (`shutdown(SHUT_WR)`, which means stdin EOF, not a
/// hangup) or disconnects; the server keeps the connection open for output until `close()`.
public protocol HijackedStream: Sendable {
    /// The client's bytes; finishes at the client's half-close or disconnect.
    var input: AsyncStream<[UInt8]> { get }
    /// Sends raw bytes (with backpressure). Throws when the client has gone.
    func write(_ bytes: [UInt8]) async throws
    /// Closes the connection (the client sees EOF).
    func close() async
}
