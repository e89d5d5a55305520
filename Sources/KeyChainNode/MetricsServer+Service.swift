import ServiceLifecycle

extension MetricsServer: Service {
    /// Serves (binding first, unless `start()` already did, so that a bad address fails
    /// before the node runs) until the service group shuts down.
    public func run() async throws {
        if !isListening { try await start() }
        try await withGracefulShutdownHandler {
            try await waitUntilClosed()
        } onGracefulShutdown: {
            self.stop()
        }
    }
}
