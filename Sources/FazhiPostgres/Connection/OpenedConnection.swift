import CLibPQ
import Foundation

/// libpq's connection handle. libpq allows one thread at a time per connection; the
/// connection's claim (or its lock, between statements) provides that.
struct LibPQConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A freshly opened libpq connection, handed from the connecting thread to the caller.
struct OpenedConnection: @unchecked Sendable {
    let pointer: OpaquePointer

    /// PQconnectdbParams blocks through DNS, TCP, TLS and authentication, so it runs on a
    /// short-lived thread of its own, never on the cooperative pool.
    static func open(_ configuration: PostgresConfiguration) async throws -> OpenedConnection {
        let pairs = configuration.keywords
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let keywords = pairs.map { strdup($0.0) } + [nil]
                let values = pairs.map { strdup($0.1) } + [nil]
                defer {
                    for keyword in keywords { free(keyword) }
                    for value in values { free(value) }
                }
                let opened = keywords.withUnsafeBufferPointer { keywordPointer in
                    values.withUnsafeBufferPointer { valuePointer in
                        keywordPointer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { k in
                            valuePointer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { v in
                                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
                            }
                        }
                    }
                }
                if let opened {
                    continuation.resume(returning: OpenedConnection(pointer: opened))
                } else {
                    continuation.resume(throwing: PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection"))
                }
            }
        }
    }
}
