// swdock-shim: one per container. No Foundation here (see DESIGN.md): argv is parsed by hand.
import SwdockOS
import SwdockShimCore
#if canImport(Glibc)
import Glibc
#endif

let usage = """
    Usage: swdock-shim [--version] [--help]

    The per-container shim of swdock: started by swdockd, it holds the container's stdio,
    writes its log, reaps it and records its exit status (protocol version \(ShimProtocol.version)).

    """

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--version") || arguments.contains("-v") {
    print("swdock-shim version \(SwdockVersion.version), shim protocol \(ShimProtocol.version)")
    exit(0)
}
if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
    print(usage, terminator: "")
    exit(arguments.isEmpty ? 1 : 0)
}
try? FileDescriptor.standardError.writeAll("swdock-shim: not supported: \(arguments.joined(separator: " "))\n")
exit(1)
