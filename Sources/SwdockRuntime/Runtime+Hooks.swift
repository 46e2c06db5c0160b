#if canImport(Glibc)
import Glibc
#endif
import CSwdockInit
import CSwdockSys
import SwdockOCI
import SwdockOS

/// The OCI lifecycle hooks: each gets the state JSON on stdin, its own args and env, and a
/// timeout (seconds) after which it is killed.
enum HookPhase: String {
    case prestart, createRuntime, createContainer, startContainer, poststart, poststop
}

extension Runtime {
    /// The state JSON hooks read on stdin.
    static func hookState(_ record: ContainerRecord, status: ContainerStatus) -> String {
        let parts = hookStateParts(record, status: status)
        return status == .stopped ? parts.head + parts.tail : parts.head + "\(record.initPid)" + parts.tail
    }

    /// The state JSON split where the pid goes (the init writes its own pid between the parts;
    /// a stopped container has none).
    static func hookStateParts(_ record: ContainerRecord, status: ContainerStatus) -> (head: String, tail: String) {
        var fields = ["\"ociVersion\":\(JSONText.quote(SwdockVersion.ociRuntimeSpec))",
                      "\"id\":\(JSONText.quote(record.id))",
                      "\"status\":\(JSONText.quote(status.rawValue))"]
        let head = "{" + fields.joined(separator: ",") + (status == .stopped ? "" : ",\"pid\":")
        fields = ["\"bundle\":\(JSONText.quote(record.bundle))"]
        if let annotations = record.annotations, !annotations.isEmpty {
            let inner = annotations.sorted { $0.key < $1.key }.map { "\(JSONText.quote($0.key)):\(JSONText.quote($0.value))" }
            fields.append("\"annotations\":{\(inner.joined(separator: ","))}")
        }
        return (head, "," + fields.joined(separator: ",") + "}")
    }

    /// Runs one hook to completion; throws when it cannot start, exits non-zero or times out.
    static func runHook(_ hook: RuntimeSpec.Hook, phase: HookPhase, state: String, mountNamespaceOf pid: Int32? = nil) throws(RuntimeError) {
        var pipeFds: [Int32] = [-1, -1]
        guard swdock_pipe2(&pipeFds, O_CLOEXEC) == 0 else {
            throw RuntimeError.system("\(phase.rawValue) hook \(hook.path)", OSError(call: "pipe2", errno: errno))
        }
        var nsfd: Int32 = -1
        if let pid {
            nsfd = open("/proc/\(pid)/ns/mnt", O_RDONLY | O_CLOEXEC)
            if nsfd < 0 {
                close(pipeFds[0]); close(pipeFds[1])
                throw RuntimeError.system("\(phase.rawValue) hook \(hook.path): open the mount namespace", OSError(call: "open", errno: errno))
            }
        }
        let args = (hook.args?.isEmpty == false ? hook.args! : [hook.path])
        let argv = args.map { strdup($0) } + [nil]
        let envp = (hook.env ?? []).map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        let child = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in
                swdock_spawn_hook(nsfd, hook.path, a.baseAddress!, e.baseAddress!, pipeFds[0])
            }
        }
        close(pipeFds[0])
        if nsfd >= 0 { close(nsfd) }
        guard child > 0 else {
            close(pipeFds[1])
            throw RuntimeError(.hook, "\(phase.rawValue) hook \(hook.path): \(Errno.message(errno))")
        }
        // The hook may not read stdin at all: ignore EPIPE.
        let bytes = Array(state.utf8)
        _ = bytes.withUnsafeBytes { write(pipeFds[1], $0.baseAddress, $0.count) }
        close(pipeFds[1])
        let deadline = hook.timeout.map { Clock.monotonicMilliseconds() + Int64($0) * 1000 }
        while true {
            if let status = waitChild(child, options: WNOHANG) {
                let code = exitCode(ofWaitStatus: status)
                if code == 0 { return }
                throw RuntimeError(.hook, "\(phase.rawValue) hook \(hook.path) failed: exit status \(code)")
            }
            if let deadline, Clock.monotonicMilliseconds() > deadline {
                Glibc.kill(child, SIGKILL)
                _ = waitChild(child)
                throw RuntimeError(.hook, "\(phase.rawValue) hook \(hook.path) timed out after \(hook.timeout!) s")
            }
            usleep(1000)
        }
    }

    /// prestart and createRuntime (runtime namespace), then createContainer (the container's
    /// mount namespace, before pivot_root). Returns the first failure.
    func runCreateHooks(spec: RuntimeSpec, record: ContainerRecord) -> RuntimeError? {
        let state = Runtime.hookState(record, status: .creating)
        do {
            for hook in spec.hooks?.prestart ?? [] { try Runtime.runHook(hook, phase: .prestart, state: state) }
            for hook in spec.hooks?.createRuntime ?? [] { try Runtime.runHook(hook, phase: .createRuntime, state: state) }
            for hook in spec.hooks?.createContainer ?? [] {
                try Runtime.runHook(hook, phase: .createContainer, state: state, mountNamespaceOf: record.initPid)
            }
        } catch { return error }
        return nil
    }

    /// Poststart and poststop failures are warnings (the spec says the lifecycle continues).
    func runWarningHooks(_ hooks: [RuntimeSpec.Hook]?, phase: HookPhase, record: ContainerRecord, status: ContainerStatus) {
        let state = Runtime.hookState(record, status: status)
        for hook in hooks ?? [] {
            do { try Runtime.runHook(hook, phase: phase, state: state) } catch {
                RuntimeLog.shared.warning(error.message)
            }
        }
    }
}
