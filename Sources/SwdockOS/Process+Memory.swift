import CSwdockSys

extension ChildProcess {
    /// Drops this process's page-table mappings of its own executable code (`MADV_DONTNEED` on
    /// the text segment). The code pages stay in the page cache, clean and shared with every
    /// other process running the same binary; whatever runs next faults back in. A long-lived,
    /// mostly idle process (one shim per container) calls it when it goes idle so that its
    /// resident set is the code it keeps using, not everything startup touched.
    public static func releaseCodeMappings() {
        _ = swdock_release_text_mappings()
    }
}
