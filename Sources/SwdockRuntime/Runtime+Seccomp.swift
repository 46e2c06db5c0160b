import SwdockOCI
import SwdockSeccomp

extension InitPlan {
    /// Compiles `linux.seccomp` with libseccomp before the clone; the init only loads the BPF.
    mutating func compileSeccomp(_ seccomp: RuntimeSpec.Seccomp?) throws(RuntimeError) {
        guard let seccomp else { return }
        do {
            let program = try SeccompCompiler.compile(seccomp)
            seccompFilter = program.filter
            seccompFlags = program.filterFlags
        } catch {
            throw RuntimeError(.config, "seccomp: \(error)", cause: error)
        }
    }
}
