#if canImport(Glibc)
import Glibc
#endif
import CCurl
import SwdockOS

/// One libcurl easy handle, used by one thread at a time. The handle is reused across
/// transfers (`curl_easy_reset` keeps its connection, DNS and TLS-session caches), which is how
/// requests to one registry share a kept-alive connection.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer

    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    init() {
        _ = CurlEasy.globalInit
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    func reset() { curl_easy_reset(handle) }

    func set(_ option: CURLoption, _ value: Int) { _ = swdock_curl_setopt_long(handle, option, value) }
    func set(_ option: CURLoption, _ value: Bool) { set(option, value ? 1 : 0) }
    func set(_ option: CURLoption, offset value: Int64) { _ = swdock_curl_setopt_off(handle, option, curl_off_t(value)) }
    /// libcurl copies string options, so a temporary C string is fine.
    func set(_ option: CURLoption, _ value: String) { _ = swdock_curl_setopt_string(handle, option, value) }
    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) { _ = swdock_curl_setopt_pointer(handle, option, pointer) }
    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) { _ = swdock_curl_setopt_slist(handle, option, list) }

    func infoLong(_ info: CURLINFO) -> Int {
        var value = 0
        _ = swdock_curl_getinfo_long(handle, info, &value)
        return value
    }

    func infoString(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        _ = swdock_curl_getinfo_string(handle, info, &value)
        return value.map { String(cString: $0) }
    }

    func perform() -> CURLcode { curl_easy_perform(handle) }

    static func message(_ code: CURLcode) -> String { String(cString: curl_easy_strerror(code)) }
}

/// A request as the client sends it.
struct HTTPRequest: Sendable {
    var method = "GET"
    var url: String
    var headers: [(String, String)] = []
    var body: [UInt8]? = nil
    /// `Range: bytes=<n>-` for a resumed download.
    var rangeStart: Int64 = 0
    var tls = TLSSettings()
    var followRedirects = true
}

/// TLS material for one registry host (from `certs.d`) and whether to verify at all.
struct TLSSettings: Sendable, Hashable {
    var verify = true
    var caBundle: String?
    var clientCertificate: String?
    var clientKey: String?
}

/// The final response (after redirects) of a transfer.
struct HTTPResponse: Sendable {
    var status: Int
    /// Header names lower-cased; the last value of a repeated header wins except for
    /// `www-authenticate`, whose values are joined with ", " (so all challenges are seen).
    var headers: [String: String]
    var body: [UInt8]
    var effectiveURL: String?
    /// The HTTP version used: 1.1 or 2 (CURLINFO_HTTP_VERSION mapped), 0 if unknown.
    var httpVersion: Double = 0

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Where the body of a successful response goes.
protocol ResponseBodySink: AnyObject {
    /// Called with the status and headers of the final response before its first byte.
    func begin(status: Int, headers: [String: String]) throws
    func receive(_ bytes: UnsafeRawBufferPointer) throws
}

/// Per-transfer state the C callbacks reach through their userdata pointer.
final class TransferState {
    var status = 0
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    var bodyLimit: Int
    var sink: ResponseBodySink?
    var sinkStarted = false
    var failure: (any Error)?
    let cancelled: CancellationFlag?

    init(bodyLimit: Int, sink: ResponseBodySink?, cancelled: CancellationFlag?) {
        self.bodyLimit = bodyLimit
        self.sink = sink
        self.cancelled = cancelled
    }

    /// Success responses go to the sink; error bodies are kept (bounded) to read the registry's message.
    var bodyGoesToSink: Bool { sink != nil && (200..<300).contains(status) }
}

/// Set from another thread to abort a running transfer (Task cancellation).
final class CancellationFlag: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var value = false
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func set() { pthread_mutex_lock(&mutex); value = true; pthread_mutex_unlock(&mutex) }
    var isSet: Bool { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; return value }
}

/// A transfer failure below HTTP: the curl code and its text.
struct CurlFailure: Error, Sendable, CustomStringConvertible {
    let code: Int
    let message: String
    var description: String { "\(message) (curl \(code))" }

    /// Connection trouble worth another attempt.
    var isRetryable: Bool {
        [CURLE_COULDNT_CONNECT, CURLE_PARTIAL_FILE, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
         CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_COULDNT_RESOLVE_HOST]
            .map { Int($0.rawValue) }.contains(code)
    }
}

private let headerCallback: swdock_curl_data_callback = { buffer, size, count, userdata in
    let total = size * count
    guard let buffer, let userdata else { return total }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: total), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        // A new response (after a redirect or a 100-continue) starts: forget the previous one.
        state.headers = [:]
        let parts = line.split(separator: " ", maxSplits: 2)
        state.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if name == "www-authenticate", let existing = state.headers[name] {
            state.headers[name] = existing + ", " + value
        } else {
            state.headers[name] = value
        }
    }
    return total
}

private let writeCallback: swdock_curl_data_callback = { buffer, size, count, userdata in
    let total = size * count
    guard let buffer, let userdata else { return total }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: buffer, count: total)
    if state.bodyGoesToSink, let sink = state.sink {
        do {
            if !state.sinkStarted {
                state.sinkStarted = true
                try sink.begin(status: state.status, headers: state.headers)
            }
            try sink.receive(bytes)
        } catch {
            state.failure = error
            return 0  // aborts the transfer with CURLE_WRITE_ERROR
        }
        return total
    }
    if state.body.count + total > state.bodyLimit {
        state.failure = RegistryError(.badResponse, "response body larger than \(state.bodyLimit) bytes")
        return 0
    }
    state.body.append(contentsOf: bytes)
    return total
}

private let progressCallback: swdock_curl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    return (state.cancelled?.isSet ?? false) ? 1 : 0
}

/// Timeouts of a transfer. There is no total timeout (a 1 GB layer on a slow link takes what
/// it takes): a transfer fails when it moves fewer than `lowSpeedBytes` per second for `lowSpeedSeconds`.
public struct TransferTimeouts: Sendable, Hashable {
    public var connectSeconds = 30
    public var lowSpeedBytes = 1
    public var lowSpeedSeconds = 60
    public init(connectSeconds: Int = 30, lowSpeedBytes: Int = 1, lowSpeedSeconds: Int = 60) {
        self.connectSeconds = connectSeconds
        self.lowSpeedBytes = lowSpeedBytes
        self.lowSpeedSeconds = lowSpeedSeconds
    }
}

extension CurlEasy {
    /// Runs one request to completion on the calling thread.
    func run(_ request: HTTPRequest, timeouts: TransferTimeouts, sink: ResponseBodySink? = nil,
             bodyLimit: Int = 8 << 20, cancelled: CancellationFlag? = nil) throws -> HTTPResponse {
        reset()
        set(CURLOPT_URL, request.url)
        set(CURLOPT_NOSIGNAL, true)
        set(CURLOPT_FOLLOWLOCATION, request.followRedirects)
        set(CURLOPT_MAXREDIRS, 10)
        // Keep the method (and Range) across 301/302/303 as registries' storage redirects expect.
        set(CURLOPT_POSTREDIR, 7)  // CURL_REDIR_POST_ALL (a macro Swift does not import)
        set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        set(CURLOPT_CONNECTTIMEOUT, timeouts.connectSeconds)
        set(CURLOPT_LOW_SPEED_LIMIT, timeouts.lowSpeedBytes)
        set(CURLOPT_LOW_SPEED_TIME, timeouts.lowSpeedSeconds)
        set(CURLOPT_BUFFERSIZE, 512 * 1024)
        set(CURLOPT_TCP_KEEPALIVE, true)
        set(CURLOPT_USERAGENT, "swdock/\(SwdockVersion.version)")
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        if !request.tls.verify {
            set(CURLOPT_SSL_VERIFYPEER, false)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let ca = request.tls.caBundle { set(CURLOPT_CAINFO, ca) }
        if let cert = request.tls.clientCertificate { set(CURLOPT_SSLCERT, cert) }
        if let key = request.tls.clientKey { set(CURLOPT_SSLKEY, key) }
        switch request.method {
        case "GET": set(CURLOPT_HTTPGET, true)
        case "HEAD": set(CURLOPT_NOBODY, true)
        default: set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
            body.withUnsafeBytes { raw in
                _ = swdock_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
        }
        if request.rangeStart > 0 { set(CURLOPT_RANGE, "\(request.rangeStart)-") }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        // Blobs are compressed already; ask for them as they are.
        list = curl_slist_append(list, "Accept-Encoding: identity")
        defer { curl_slist_free_all(list) }
        set(CURLOPT_HTTPHEADER, list: list)

        let state = TransferState(bodyLimit: bodyLimit, sink: sink, cancelled: cancelled)
        let opaque = Unmanaged.passUnretained(state).toOpaque()
        _ = swdock_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback)
        set(CURLOPT_HEADERDATA, pointer: opaque)
        _ = swdock_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback)
        set(CURLOPT_WRITEDATA, pointer: opaque)
        _ = swdock_curl_setopt_xferinfo_callback(handle, progressCallback)
        set(CURLOPT_XFERINFODATA, pointer: opaque)
        set(CURLOPT_NOPROGRESS, false)

        let code = withExtendedLifetime(state) { perform() }
        if let failure = state.failure { throw failure }
        if code == CURLE_ABORTED_BY_CALLBACK { throw RegistryError(.cancelled, "\(request.method) \(request.url): cancelled") }
        if code != CURLE_OK {
            throw CurlFailure(code: Int(code.rawValue), message: CurlEasy.message(code))
        }
        // A success with an empty body never reached the sink's begin.
        if let sink, state.bodyGoesToSink, !state.sinkStarted {
            try sink.begin(status: state.status, headers: state.headers)
        }
        let version: Double
        switch infoLong(CURLINFO_HTTP_VERSION) {
        case Int(CURL_HTTP_VERSION_1_0): version = 1.0
        case Int(CURL_HTTP_VERSION_1_1): version = 1.1
        case Int(CURL_HTTP_VERSION_2_0): version = 2
        case Int(CURL_HTTP_VERSION_3): version = 3
        default: version = 0
        }
        return HTTPResponse(status: infoLong(CURLINFO_RESPONSE_CODE), headers: state.headers, body: state.body,
                            effectiveURL: infoString(CURLINFO_EFFECTIVE_URL), httpVersion: version)
    }
}
