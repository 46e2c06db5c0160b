// swdock-unpack-bench: the benchmark driver of bench/unpack (not part of swdock itself).
//
//   swdock-unpack-bench apply  BLOB DIR [--merged]   apply one layer blob into DIR
//   swdock-unpack-bench digest BLOB                  decompress + sha256 only
//
// Prints one line: `<seconds> <uncompressed bytes> <diffID> <compression>`.
import Foundation
import SwdockArchive
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, ["apply", "digest"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: swdock-unpack-bench apply BLOB DIR [--merged] | digest BLOB\n".utf8))
    exit(2)
}
do {
    let start = now()
    let result: LayerApplyResult
    if arguments[1] == "apply" {
        guard arguments.count >= 4 else { exit(2) }
        let target: LayerTarget = arguments.contains("--merged") ? .mergedTree : .overlayLayer
        result = try LayerApplier.apply(file: arguments[2], into: arguments[3], options: LayerApplyOptions(target: target))
    } else {
        let fd = try FileDescriptor.open(arguments[2], O_RDONLY)
        defer { fd.close() }
        result = try LayerApplier.uncompressedDigest(from: fd)
    }
    print(String(format: "%.4f", now() - start), result.uncompressedSize, result.diffID, result.compression.rawValue)
} catch {
    FileHandle.standardError.write(Data("swdock-unpack-bench: \(error)\n".utf8))
    exit(1)
}
