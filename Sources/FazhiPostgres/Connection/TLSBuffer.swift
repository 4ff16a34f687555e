import CLibPQ
import Foundation

/// Bytes the TLS layer decrypted but libpq has not taken yet do not show on the socket,
/// so a reader must ask OpenSSL before waiting (libpq's own waits do the same). OpenSSL
/// is found in the process, where libpq loaded it, so Fazhi does not link it itself.
enum TLSBuffer {
    private struct Pending: @unchecked Sendable {
        let function: (@convention(c) (OpaquePointer?) -> Int32)?
    }

    private static let pending: Pending = {
        guard let symbol = dlsym(nil, "SSL_pending") else { return Pending(function: nil) }
        return Pending(function: unsafeBitCast(symbol, to: (@convention(c) (OpaquePointer?) -> Int32).self))
    }()

    static func hasPendingBytes(_ connection: OpaquePointer) -> Bool {
        guard PQsslInUse(connection) == 1, let function = pending.function,
            let ssl = PQsslStruct(connection, "OpenSSL")
        else { return false }
        return function(OpaquePointer(ssl)) > 0
    }
}
