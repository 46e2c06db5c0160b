import SwdockOS

/// A plain HTTP(S) download outside the distribution protocol: `docker import URL` fetches a
/// rootfs tarball this way (dockerd uses a plain GET too). Redirects are followed; a status
/// other than 2xx is an error naming the URL and the status.
public enum URLDownload {
    /// Downloads `url` into `output` on the calling thread (it blocks for the whole transfer);
    /// `progress` gets the bytes received so far and the Content-Length when the server sent one.
    public static func fetch(_ url: String, to output: FileDescriptor,
                             progress: @escaping (Int64, Int64?) -> Void = { _, _ in }) throws(RegistryError) {
        final class FileSink: ResponseBodySink {
            let output: FileDescriptor
            let progress: (Int64, Int64?) -> Void
            var received: Int64 = 0
            var total: Int64?
            init(output: FileDescriptor, progress: @escaping (Int64, Int64?) -> Void) {
                self.output = output
                self.progress = progress
            }
            func begin(status: Int, headers: [String: String]) throws {
                total = headers["content-length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
                progress(0, total)
            }
            func receive(_ bytes: UnsafeRawBufferPointer) throws {
                try output.writeAll(bytes)
                received += Int64(bytes.count)
                progress(received, total)
            }
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw RegistryError(.invalidArgument, "import from \(url): only http:// and https:// URLs are supported")
        }
        let sink = FileSink(output: output, progress: progress)
        let response: HTTPResponse
        do {
            response = try CurlEasy().run(HTTPRequest(url: url), timeouts: TransferTimeouts(), sink: sink)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.transport, "GET \(url)", cause: ErrorDescriptionText("\(error)"))
        }
        guard (200..<300).contains(response.status) else {
            throw RegistryError(.badResponse, "GET \(url): HTTP status \(response.status)", httpStatus: response.status)
        }
    }
}

/// An error's text as a Sendable cause.
struct ErrorDescriptionText: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
