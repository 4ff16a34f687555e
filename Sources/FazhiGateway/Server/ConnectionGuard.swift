import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// Bounds on the connections a port holds, whoever opens them.
public struct ConnectionLimits: Sendable {
    /// Connections open at once on the port; more are closed as they arrive.
    public var maximum: Int
    /// Connections open at once from one client address; 0 for no such limit (behind a
    /// load balancer every connection comes from its address).
    public var maximumPerAddress: Int
    /// A connection that has not finished its TLS handshake by then is closed.
    public var handshakeTimeout: Duration
    /// A connection with no call for this long is closed (HTTP/2 GOAWAY).
    public var idleTimeout: Duration

    public init(maximum: Int = 1000, maximumPerAddress: Int = 100, handshakeTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(300)) {
        self.maximum = maximum
        self.maximumPerAddress = maximumPerAddress
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
    }
}

/// The count of a port's open connections, overall and by client address.
final class ConnectionCount: Sendable {
    let limits: ConnectionLimits
    private let open = Mutex<(total: Int, byAddress: [String: Int])>((0, [:]))

    init(_ limits: ConnectionLimits) { self.limits = limits }

    /// Counts a new connection from `address`, or refuses it when a limit is reached.
    func admit(_ address: String) -> Bool {
        open.withLock { open in
            let fromAddress = open.byAddress[address, default: 0]
            guard open.total < limits.maximum, limits.maximumPerAddress == 0 || fromAddress < limits.maximumPerAddress else { return false }
            open.total += 1
            open.byAddress[address] = fromAddress + 1
            return true
        }
    }

    func release(_ address: String) {
        open.withLock { open in
            open.total -= 1
            let left = open.byAddress[address, default: 1] - 1
            open.byAddress[address] = left > 0 ? left : nil
        }
    }

    var total: Int { open.withLock { $0.total } }
}

/// Sits right after the TLS handler of each accepted connection: refuses a connection
/// beyond the port's limits, and closes one whose TLS handshake has not completed within
/// the handshake timeout (a client that connects and says nothing holds a file and a slot).
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let count: ConnectionCount
    private var address: String?
    private var handshakeDeadline: Scheduled<Void>?

    init(count: ConnectionCount) { self.count = count }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        guard count.admit(address) else {
            context.close(promise: nil)
            return
        }
        self.address = address
        let channel = context.channel
        handshakeDeadline = context.eventLoop.scheduleTask(in: TimeAmount(count.limits.handshakeTimeout)) {
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            handshakeDeadline?.cancel()
            handshakeDeadline = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        if let address {
            count.release(address)
            self.address = nil
        }
        context.fireChannelInactive()
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
