import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A Hummingbird child channel with `ConnectionGuard` right behind its TLS handler, so the
/// portal bounds its connections (overall, per address, and by handshake time) as the gRPC
/// ports do. Hummingbird's own TLS channels take no such handler, hence the wrapper.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let count: ConnectionCount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // The base adds its TLS handler synchronously, before the channel becomes active:
        // the guard must sit after it to see the handshake complete, and be there in time
        // to count the connection when it does become active.
        let value = base.setup(channel: channel, logger: logger)
        do {
            let tls = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(count: count), position: .after(tls))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return value
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
