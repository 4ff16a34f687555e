/// An error that means the store cannot be reached right now (the database is down,
/// restarting, or has no connection free): nothing was decided, and the same call may
/// succeed when tried again. The store's own error type conforms; the gateway answers
/// UNAVAILABLE for it, which standard gRPC retry policies retry.
public protocol OutageError: Error {
    var isOutage: Bool { get }
}
