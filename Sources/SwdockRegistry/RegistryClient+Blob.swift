#if canImport(Glibc)
import Glibc
#endif
import SwdockContent
import SwdockOCI
import SwdockOS

/// Carries a `ContentWriter` between the awaiting task and the worker threads. Only one
/// transfer uses it at a time (each attempt is awaited before the next), which is what makes
/// the unchecked `Sendable` sound.
final class WriterBox: @unchecked Sendable {
    let writer: ContentWriter
    init(_ writer: ContentWriter) { self.writer = writer }
}

/// Receives a blob body on the curl thread: checks the range the server chose, skips what is
/// already stored when a server ignored `Range`, writes into the content writer, reports progress.
final class BlobSink: ResponseBodySink {
    let writer: ContentWriter
    let total: Int64
    let progress: BlobProgress?
    private var skip: Int64 = 0
    private(set) var received: Int64 = 0
    private var lastReport: Int64 = 0
    private var lastReportTime = BlobSink.now()

    init(writer: ContentWriter, total: Int64, progress: BlobProgress?) {
        self.writer = writer
        self.total = total
        self.progress = progress
    }

    func begin(status: Int, headers: [String: String]) throws {
        let offset = writer.offset
        if status == 206 {
            // Content-Range: bytes <start>-<end>/<total>
            let range = headers["content-range"] ?? ""
            let start = range.split(separator: " ").last?.split(separator: "-").first.flatMap { Int64($0) }
            guard start == offset else {
                throw RegistryError(.badResponse, "blob \(writer.digest): asked for bytes from \(offset), got range \"\(range)\"")
            }
        } else if status == 200 {
            skip = offset  // the server sent the whole blob: drop what we have
        } else {
            throw RegistryError(.badResponse, "blob \(writer.digest): unexpected status \(status)", httpStatus: status)
        }
    }

    func receive(_ bytes: UnsafeRawBufferPointer) throws {
        var bytes = bytes
        received += Int64(bytes.count)
        if skip > 0 {
            let dropped = Int(min(skip, Int64(bytes.count)))
            skip -= Int64(dropped)
            bytes = UnsafeRawBufferPointer(rebasing: bytes[dropped...])
            if bytes.isEmpty { return }
        }
        try writer.write(bytes)
        report(force: writer.offset == total)
    }

    /// At most every 100 ms or 4 MiB, and at the end.
    func report(force: Bool) {
        guard let progress else { return }
        let offset = writer.offset
        let now = BlobSink.now()
        if force || offset - lastReport >= 4 << 20 || (now - lastReportTime >= 100_000_000 && offset > lastReport) {
            lastReport = offset
            lastReportTime = now
            progress(offset, total)
        }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

extension RegistryClient {
    static let resumedMarker = "resumed from byte"

    enum AttemptResult: Sendable {
        case response(status: Int, body: [UInt8], headers: [String: String])
        case connectionFailed(CurlFailure)
    }

    /// Downloads a blob into `store`, verified, unless it is there already.
    ///
    /// - Resumes an interrupted ingest (from an earlier run or an earlier attempt) with
    ///   `Range: bytes=<offset>-`; a server that ignores the range has the known prefix skipped.
    /// - Retries 5xx, 429, connection loss and truncated bodies with back-off, up to
    ///   `configuration.maxAttempts`; re-authenticates once on 401.
    /// - A digest or size mismatch at the end removes the ingest: nothing is stored.
    /// - `tee` receives every byte of the blob from byte 0 in order, and is closed when the
    ///   fetch ends (also when the blob already existed, and on failure).
    /// - `progress` is called from a download thread.
    public func fetchBlob(_ repository: RegistryRepository, _ descriptor: Descriptor, into store: ContentStore,
                          tee: FileDescriptor? = nil, progress: BlobProgress? = nil) async throws(RegistryError) -> BlobFetchOutcome {
        let step = "fetch blob \(descriptor.digest) of \(repository)"
        let box: WriterBox
        switch try await openWriter(store, descriptor, tee: tee, step: step) {
        case .exists:
            progress?(descriptor.size, descriptor.size)
            return BlobFetchOutcome(alreadyExists: true, bytesDownloaded: 0, resumedFrom: 0, attempts: 0)
        case .writer(let writer):
            box = WriterBox(writer)
        }
        let resumedFrom = box.writer.resumedFrom
        progress?(box.writer.offset, descriptor.size)
        var downloaded: Int64 = 0
        var attempts = 0
        var refreshedAuth = false
        var lastProblem = ""
        do throws(RegistryError) {
            var info = try await hostInfo(repository.endpoint)
            while true {
                if box.writer.offset == descriptor.size {
                    let commit = try await commitOnWorker(box, step: step)
                    _ = commit
                    progress?(descriptor.size, descriptor.size)
                    return BlobFetchOutcome(alreadyExists: false, bytesDownloaded: downloaded, resumedFrom: resumedFrom,
                                            attempts: attempts)
                }
                if attempts >= configuration.maxAttempts {
                    throw RegistryError(.transport, "\(step): gave up after \(attempts) attempts: \(lastProblem)")
                }
                if attempts > 0 { try await backoff(attempts) }
                attempts += 1
                var request = HTTPRequest(url: "\(info.baseURL)/v2/\(repository.path)/blobs/\(descriptor.digest)",
                                          rangeStart: box.writer.offset, tls: info.tls)
                if let auth = try await authorization(repository.endpoint, info, scope: repository.pullScope,
                                                      refresh: refreshedAuth) {
                    request.headers.append(("Authorization", auth))
                }
                let before = box.writer.offset
                let result = try await transferOnWorker(box, request, total: descriptor.size, progress: progress, step: step)
                downloaded += box.writer.offset - before
                switch result {
                case .connectionFailed(let failure):
                    guard failure.isRetryable else {
                        throw RegistryError(.transport, "\(step): \(failure.message)", cause: failure)
                    }
                    lastProblem = failure.message
                case .response(let status, let body, let headers):
                    switch status {
                    case 200, 206:
                        if box.writer.offset < descriptor.size {
                            lastProblem = "body ended after \(box.writer.offset) of \(descriptor.size) bytes"
                        }
                    case 401 where !refreshedAuth:
                        refreshedAuth = true
                        attempts -= 1
                        if let updated = updateChallenge(repository.endpoint,
                                                         HTTPResponse(status: status, headers: headers, body: body)) {
                            info = updated
                        }
                    case 416:
                        throw RegistryError(.badResponse,
                                            "\(step): registry refused the range from byte \(box.writer.offset)",
                                            httpStatus: status)
                    case 429, 500...599:
                        lastProblem = "HTTP \(status)"
                    default:
                        var error = RegistryError.fromResponse(status: status, body: body, step: step)
                        if status == 404 && error.code == .notFound {
                            error = RegistryError(.blobUnknown, error.message, httpStatus: 404)
                        }
                        throw error
                    }
                }
            }
        } catch {
            box.writer.close()  // keeps what was verified so far for a later resume (no-op after discard)
            if error.code == .digestMismatch && resumedFrom > 0 {
                throw RegistryError(.digestMismatch, error.message + " (\(RegistryClient.resumedMarker) \(resumedFrom) of an earlier download)",
                                    cause: error.cause)
            }
            throw error
        }
    }

    private func openWriter(_ store: ContentStore, _ descriptor: Descriptor, tee: FileDescriptor?,
                            step: String) async throws(RegistryError) -> WriterOpeningBox {
        // Another process (or store instance) writing the same blob holds the ingest lock: poll
        // instead of blocking a download thread.
        var teeLeft = tee
        while true {
            let currentTee = teeLeft
            let opening: WriterOpeningBox
            do {
                opening = try await workers.run { _, _ in
                    switch try store.openWriter(digest: descriptor.digest, size: descriptor.size, wait: false, tee: currentTee) {
                    case .exists(let info): return WriterOpeningBox.exists(info)
                    case .writer(let writer): return WriterOpeningBox.writer(writer)
                    }
                }
            } catch let error as ContentError where error.code == .locked {
                // openWriter closed the tee: a consumer gets nothing from a fetch it did not do.
                teeLeft = nil
                do { try await Task.sleep(for: .milliseconds(100)) } catch {
                    throw RegistryError(.cancelled, "\(step): cancelled while another writer held the blob")
                }
                continue
            } catch let error as ContentError {
                throw RegistryError(.content, step, cause: error)
            } catch let error as RegistryError {
                throw error
            } catch {
                throw RegistryError(.content, step, cause: ErrorText(error))
            }
            return opening
        }
    }

    private func transferOnWorker(_ box: WriterBox, _ request: HTTPRequest, total: Int64, progress: BlobProgress?,
                                  step: String) async throws(RegistryError) -> AttemptResult {
        let timeouts = configuration.timeouts
        do {
            return try await workers.run { easy, cancelled in
                let sink = BlobSink(writer: box.writer, total: total, progress: progress)
                do {
                    let response = try easy.run(request, timeouts: timeouts, sink: sink, bodyLimit: 1 << 20,
                                                cancelled: cancelled)
                    return .response(status: response.status, body: response.body, headers: response.headers)
                } catch let failure as CurlFailure {
                    return .connectionFailed(failure)
                }
            }
        } catch let error as RegistryError {
            throw error
        } catch let error as ContentError {
            throw RegistryError(error.code == .sizeMismatch ? .sizeMismatch : .content, step, cause: error)
        } catch {
            throw RegistryError(.badResponse, step, cause: ErrorText(error))
        }
    }

    private func commitOnWorker(_ box: WriterBox, step: String) async throws(RegistryError) -> ContentInfo {
        do {
            return try await workers.run { _, _ in try box.writer.commit() }
        } catch let error as ContentError {
            switch error.code {
            case .digestMismatch: throw RegistryError(.digestMismatch, "\(step): verification failed: \(error.message)", cause: error)
            case .sizeMismatch: throw RegistryError(.sizeMismatch, "\(step): \(error.message)", cause: error)
            default: throw RegistryError(.content, step, cause: error)
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.content, step, cause: ErrorText(error))
        }
    }
}

/// `ContentStore.WriterOpening` carried across the thread hop.
enum WriterOpeningBox: @unchecked Sendable {
    case exists(ContentInfo)
    case writer(ContentWriter)
}
