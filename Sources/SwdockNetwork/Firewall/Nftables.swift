#if canImport(Glibc)
import Glibc
#endif
import CNftables
import SwdockOS

/// libnftables: runs nft-language batches, each as one kernel transaction (all of it or none).
///
/// A context is not thread-safe, so calls are serialised. Output and errors are buffered and
/// returned or thrown, never printed.
public final class Nftables: @unchecked Sendable {
    private let context: OpaquePointer
    private var mutex = pthread_mutex_t()

    /// A context, or `notSupported` when libnftables cannot be used on this host.
    public init() throws(NetworkError) {
        guard let context = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else {
            throw NetworkError(.notSupported, "not supported: nftables (nft_ctx_new failed)")
        }
        self.context = context
        pthread_mutex_init(&mutex, nil)
        nft_ctx_buffer_output(context)
        nft_ctx_buffer_error(context)
    }

    /// The process's one context. libnftables waits on the context's netlink socket with
    /// `select()`, which aborts the process when that fd is above FD_SETSIZE (1024); the socket
    /// is opened with the context, so one context made early keeps a low fd however many
    /// descriptors (shim connections, containers) the process holds later. Call it at start.
    public static func shared() throws(NetworkError) -> Nftables { try processWide.get() }
    private static let processWide = Result { () throws(NetworkError) -> Nftables in try Nftables() }

    deinit {
        nft_ctx_free(context)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `batch` (nft syntax) and returns what nft printed. `what` names the step for the error.
    @discardableResult
    public func run(_ batch: String, _ what: @autoclosure () -> String, json: Bool = false) throws(NetworkError) -> String {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let flags = nft_ctx_output_get_flags(context)
        let jsonFlag = UInt32(NFT_CTX_OUTPUT_JSON)
        nft_ctx_output_set_flags(context, json ? flags | jsonFlag : flags & ~jsonFlag)
        let rc = nft_run_cmd_from_buffer(context, batch)
        let output = nft_ctx_get_output_buffer(context).map { String(cString: $0) } ?? ""
        let errors = nft_ctx_get_error_buffer(context).map { String(cString: $0) } ?? ""
        guard rc == 0 else {
            let text = errors.split(separator: "\n").filter { !$0.isEmpty }.prefix(6).joined(separator: "; ")
            throw NetworkError(.firewall, "\(what()): nftables: \(text.isEmpty ? "error \(rc)" : text)")
        }
        return output
    }
}
