import SwdockOCI
import SwdockSeccomp

extension InitPlan {
    /// Compiles `linux.seccomp` with libseccomp before the clone (or takes the program compiled
    /// for the same profile before from `cache`); the init only loads the BPF.
    mutating func compileSeccomp(_ seccomp: RuntimeSpec.Seccomp?, cache: SeccompCache? = nil) throws(RuntimeError) {
        guard let seccomp else { return }
        do {
            let program = try cache?.program(for: seccomp) ?? SeccompCompiler.compile(seccomp)
            seccompFilter = program.filter
            seccompFlags = program.filterFlags
        } catch {
            throw RuntimeError(.config, "seccomp: \(error)", cause: error)
        }
    }
}
