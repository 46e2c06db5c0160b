import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI
import SwdockArchive
import SwdockClient
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif

/// `swdock cp [-a] [-L] [-q] CONTAINER:SRC DEST|-` and `swdock cp SRC|- CONTAINER:DEST`: docker
/// CLI 28's copy (cli/command/container/cp.go with pkg/archive's `CopyInfo` rules) over the
/// archive API. The local side is archived or extracted here; the container side by the daemon.
struct CpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy files/folders between a container and the local filesystem",
        discussion: "Use '-' as the source to read a tar archive from stdin and extract it to a directory destination in a container.\nUse '-' as the destination to stream a tar archive of a container source to stdout.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .customLong("archive")], help: "Archive mode (copy all uid/gid information)") var archive = false
    @Flag(name: [.customShort("L"), .customLong("follow-link")], help: "Always follow symbol link in SRC_PATH") var followLink = false
    @Flag(name: [.customShort("q"), .long], help: "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached") var quiet = false
    @Argument(help: "CONTAINER:SRC_PATH or SRC_PATH|-") var source: String
    @Argument(help: "DEST_PATH|- or CONTAINER:DEST_PATH") var destination: String

    func run() throws {
        reportingErrors {
            guard !source.isEmpty else { throw CopyError("source can not be empty") }
            guard !destination.isEmpty else { throw CopyError("destination can not be empty") }
            let (sourceContainer, sourcePath) = LocalCopy.splitArgument(source)
            let (destinationContainer, destinationPath) = LocalCopy.splitArgument(destination)
            let showProgress = !quiet && isatty(2) != 0
            switch (sourceContainer, destinationContainer) {
            case (let container?, nil):
                try copyFromContainer(try global.client(), container: container, sourcePath: sourcePath,
                                      destinationPath: destinationPath, showProgress: showProgress)
            case (nil, let container?):
                try copyToContainer(try global.client(), container: container, sourcePath: sourcePath,
                                    destinationPath: destinationPath, showProgress: showProgress)
            case (_?, _?): throw CopyError("copying between containers is not supported")
            case (nil, nil): throw CopyError("must specify at least one container source")
            }
        }
    }

    // MARK: container → local

    private func copyFromContainer(_ client: EngineClient, container: String, sourcePath: String, destinationPath: String,
                                   showProgress: Bool) throws {
        var destination = destinationPath
        if destination != "-" { destination = LocalCopy.resolveLocalPath(destination) }
        try LocalCopy.validateOutputPath(destination)
        var sourcePath = sourcePath
        var rebaseName = ""
        if followLink, let stat = try? Self.stat(client, container: container, path: sourcePath), stat.isSymlink {
            var target = stat.linkTarget
            if !target.hasPrefix("/") { target = LocalCopy.join(LocalCopy.splitPathDirEntry(sourcePath).dir, target) }
            (sourcePath, rebaseName) = LocalCopy.rebaseName(path: sourcePath, resolved: target)
        }
        var response = try client.open("GET", "/containers/\(container)/archive", query: [("path", sourcePath)])
        guard let header = response.head.header(ContainerPathStatResponse.header),
              let stat = Self.decodeStat(header) else {
            throw CopyError("unable to get resource stat from response: missing \(ContainerPathStatResponse.header)")
        }
        if destination == "-" {
            while let piece = try response.body.next() { try FileDescriptor.standardOutput.writeAll(piece) }
            return
        }
        let sourceInfo = LocalCopy.Info(path: sourcePath, exists: true, isDirectory: stat.isDirectory, rebaseName: rebaseName)
        let destinationInfo = try LocalCopy.destinationInfo(destination)
        let (directory, rebase) = try LocalCopy.prepareArchiveCopy(source: sourceInfo, destination: destinationInfo)
        var options = LayerApplyOptions(target: .mergedTree, preserveOwnership: false)
        options.whiteouts = false
        options.noOverwriteDirNonDir = true
        let sourceBase = LocalCopy.splitPathDirEntry(sourceInfo.path).base
        if let rebase {
            options.rebase = ArchiveRebase(from: sourceBase, to: rebase)
        } else if !rebaseName.isEmpty {
            options.rebase = ArchiveRebase(from: sourceBase, to: rebaseName)
        }
        // The HTTP body goes through a pipe to the extractor on a thread of its own.
        let pipe = try FileDescriptor.pipe()
        pipe.write.setPipeSize(1 << 20)
        let outcome = Locked<ArchiveError?>(nil)
        let extractor = CLIThread { [options] in
            defer {
                // What the extractor did not read (it failed) is drained so the feeder ends.
                while let rest = try? pipe.read.read(upTo: 1 << 20), !rest.isEmpty {}
                pipe.read.close()
            }
            do throws(ArchiveError) { _ = try LayerApplier.apply(from: pipe.read, into: directory, options: options) } catch {
                outcome.withLock { $0 = error }
            }
        }
        var copied: Int64 = 0
        var feedError: (any Error)?
        do {
            while let piece = try response.body.next() {
                copied += Int64(piece.count)
                try pipe.write.writeAll(piece)
            }
        } catch {
            feedError = error
        }
        pipe.write.close()
        extractor.join()
        if let error = outcome.withLock({ $0 }) { throw CopyError(error.message) }
        if let feedError { throw feedError }
        if showProgress {
            writeErr("Successfully copied \(HumanUnits.size(Double(copied), precision: 3)) to \(destination)\n")
        }
    }

    // MARK: local → container

    private func copyToContainer(_ client: EngineClient, container: String, sourcePath: String, destinationPath: String,
                                 showProgress: Bool) throws {
        var source = sourcePath
        if source != "-" { source = LocalCopy.resolveLocalPath(source) }
        var destinationInfo = LocalCopy.Info(path: destinationPath)
        var stat: ContainerPathStatResponse?
        do { stat = try Self.stat(client, container: container, path: destinationPath) } catch let error as ClientError {
            if case .daemon(status: 404) = error.code {} else if case .daemon = error.code {} else { throw error }
        }
        if let found = stat, found.isSymlink {
            var target = found.linkTarget
            if !target.hasPrefix("/") { target = LocalCopy.join(LocalCopy.splitPathDirEntry(destinationPath).dir, target) }
            destinationInfo.path = target
            stat = try? Self.stat(client, container: container, path: target)
        }
        if let mode = stat?.mode, let why = LocalCopy.irregular(mode) {
            throw CopyError("destination \"\(container):\(destinationPath)\" must be a directory or a regular file: \(why)")
        }
        if let stat {
            destinationInfo.exists = true
            destinationInfo.isDirectory = stat.isDirectory
        }
        var query = [("path", "")]
        if !archive { query = [("path", ""), ("noOverwriteDirNonDir", "true")] } else {
            query = [("path", ""), ("noOverwriteDirNonDir", "true"), ("copyUIDGID", "true")]
        }
        if source == "-" {
            guard destinationInfo.isDirectory else {
                throw CopyError("destination \"\(container):\(destinationPath)\" must be a directory")
            }
            query[0].1 = destinationInfo.path
            _ = try client.upload("PUT", "/containers/\(container)/archive", query: query, from: .standardInput)
            return
        }
        let sourceInfo = try LocalCopy.sourceInfo(source, followLink: followLink)
        let (directory, rebase) = try LocalCopy.prepareArchiveCopy(source: sourceInfo, destination: destinationInfo)
        query[0].1 = directory
        let (sourceDirectory, sourceBase) = LocalCopy.splitPathDirEntry(sourceInfo.path)
        let entryName = rebase ?? (sourceInfo.rebaseName.isEmpty ? sourceBase : sourceInfo.rebaseName)
        let parent = try FileDescriptor.open(sourceDirectory, O_RDONLY | O_DIRECTORY)
        let pipe = try FileDescriptor.pipe()
        pipe.write.setPipeSize(1 << 20)
        let written = Locked<(ArchiveError?, Int64)>((nil, 0))
        // The tar is made on a thread of its own while the upload streams it.
        let writer = CLIThread {
            defer {
                pipe.write.close()
                parent.close()
            }
            do {
                let archiver = try TreeArchiver(output: pipe.write)
                try archiver.add(parent: parent.rawValue, leaf: sourceBase, as: entryName)
                try archiver.finish()
            } catch let error as ArchiveError {
                written.withLock { $0.0 = error }
            } catch {
                written.withLock { $0.0 = ArchiveError(.io, "\(error)") }
            }
        }
        writer.detach()
        defer { pipe.read.close() }
        let counting = showProgress ? try CountingPipe(pipe.read) : nil
        _ = try client.upload("PUT", "/containers/\(container)/archive", query: query, from: counting?.output ?? pipe.read)
        if let error = written.withLock({ $0.0 }) { throw CopyError(error.message) }
        if let counting {
            writeErr("Successfully copied \(HumanUnits.size(Double(counting.count), precision: 3)) to \(container):\(destinationInfo.path)\n")
        }
    }

    // MARK: helpers

    static func stat(_ client: EngineClient, container: String, path: String) throws -> ContainerPathStatResponse {
        var response = try client.send("HEAD", "/containers/\(container)/archive", query: [("path", path)])
        _ = try response.body.readAll()
        if response.head.status >= 400 {
            throw ClientError(.daemon(status: response.head.status), "request returned \(response.head.reason) for API route")
        }
        guard let header = response.head.header(ContainerPathStatResponse.header), let stat = decodeStat(header) else {
            throw CopyError("unable to get resource stat from response")
        }
        return stat
    }

    static func decodeStat(_ header: String) -> ContainerPathStatResponse? {
        guard let data = Data(base64Encoded: header) else { return nil }
        return try? JSONDecoder().decode(ContainerPathStatResponse.self, from: data)
    }
}

/// A message of the local side of a copy (printed as docker prints it, exit code 1).
struct CopyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Passes a pipe's bytes on unchanged (the upload's source) while counting them, for the
/// progress line. It is the pipe itself when nothing needs counting.
final class CountingPipe: @unchecked Sendable {
    let output: FileDescriptor
    private let counter = Locked<Int64>(0)
    var count: Int64 { counter.withLock { $0 } }

    init(_ input: FileDescriptor) throws {
        // Counting is only for the progress line: the size is what the tar stream carried,
        // which the pipe's reader (the upload) sees; the reader counts nothing itself, so the
        // bytes are relayed through a second pipe by a thread.
        let relay = try FileDescriptor.pipe()
        output = relay.read
        let counter = self.counter
        let thread = CLIThread {
            defer { relay.write.close() }
            while let piece = try? input.read(upTo: 1 << 20), !piece.isEmpty {
                counter.withLock { $0 += Int64(piece.count) }
                if (try? relay.write.writeAll(piece)) == nil { break }
            }
        }
        thread.detach()
    }

    deinit { output.close() }
}
