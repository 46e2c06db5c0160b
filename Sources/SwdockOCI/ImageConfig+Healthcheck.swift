extension ContainerConfig.Healthcheck {
    /// A health check with only its test (`["NONE"]`, `["CMD", …]`, `["CMD-SHELL", "…"]`); the
    /// durations and retries are filled in afterwards where given.
    public init(test: [String]) {
        self.init(test: test, interval: nil, timeout: nil, startPeriod: nil, retries: nil)
    }
}
