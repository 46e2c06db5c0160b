#if canImport(Glibc)
import Glibc
#endif
import SwdockAPI
import SwdockEngine
import SwdockOCI
import SwdockOS

/// `docker import` served by the engine's `ImageService`.
extension ImageServiceBackend: ImageImportBackend {
    public func importImage(_ request: ImageImportRequest, progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws -> String {
        var platform: Platform?
        if let text = request.platform {
            do { platform = try Platform(parsing: text) } catch { throw APIError.badRequest("\(error)") }
        }
        var options = ImageImportOptions(repository: request.repository, tag: request.tag, message: request.message,
                                         changes: request.changes, platform: platform)
        switch request.source {
        case .url(let url):
            return try await run { () async throws(EngineError) in
                try await service.importImage(from: .url(url), options: options, progress: progress)
            }
        case .body(let body):
            // The body goes through a pipe: this task writes what arrives, the engine reads the
            // other end on a thread of its own. Closing the read end afterwards ends a writer
            // the engine stopped reading from (EPIPE; the daemon ignores SIGPIPE).
            // Close-on-exec: a shim started meanwhile must not inherit the write end (the
            // reader would never see the end of the body).
            let (reader, writer): (FileDescriptor, FileDescriptor)
            do { (reader, writer) = try FileDescriptor.pipe() } catch {
                throw APIError.internalError("import: create a pipe", cause: "\(error)")
            }
            let feeder = Task {
                defer { writer.close() }
                try await body.write(to: writer)
            }
            options.checkInput = {
                if case .failure(let error) = await feeder.result {
                    throw EngineError(.invalidArgument, "import: the request body ended early: \(error)")
                }
            }
            let result: Result<String, any Error>
            do {
                let id = try await run { () async throws(EngineError) in
                    try await service.importImage(from: .descriptor(reader), options: options, progress: progress)
                }
                result = .success(id)
            } catch {
                result = .failure(error)
            }
            reader.close()
            _ = await feeder.result
            return try result.get()
        }
    }
}
