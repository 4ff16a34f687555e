import ServiceLifecycle

/// The gateway as a swift-service-lifecycle `Service`: SIGTERM (through the service
/// group) stops accepting calls, ends health watches, and lets calls in flight finish.
public struct GatewayService: Service {
    public let gateway: Gateway

    public init(gateway: Gateway) { self.gateway = gateway }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await gateway.run()
        } onGracefulShutdown: {
            gateway.beginGracefulShutdown()
        }
    }
}
