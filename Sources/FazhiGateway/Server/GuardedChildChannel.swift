import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A Hummingbird child channel with the portal's own TLS handler (a context that follows
/// its files, so a renewed certificate is served without a restart) and `ConnectionGuard`
/// right behind it, so the portal bounds its connections (overall, per address, and by
/// handshake time) as the gRPC ports do. Hummingbird's TLS channels take neither, hence the
/// wrapper, which swaps the handler the base put first for one of its own.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let tls: ReloadingTLSContext
    let count: ConnectionCount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // The base adds its TLS handler synchronously, before the channel becomes active, so
        // ours can take its place in time; the guard sits after ours to see the handshake
        // complete, and is there to count the connection when it becomes active.
        let value = base.setup(channel: channel, logger: logger)
        do {
            let pipeline = channel.pipeline.syncOperations
            let theirs = try pipeline.handler(type: NIOSSLServerHandler.self)
            let ours = NIOSSLServerHandler(context: tls.current)
            try pipeline.addHandler(ours, position: .after(theirs))
            pipeline.removeHandler(theirs, promise: nil)
            try pipeline.addHandler(ConnectionGuard(count: count), position: .after(ours))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return value
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
