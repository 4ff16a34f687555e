import FazhiRules
import FazhiUseCases
import FazhiWire

/// The call in progress, set by the gateway's interceptor for the service code below it.
enum CallScope {
    @TaskLocal static var current: CallAudit?

    /// The audit of the current call; every service method runs under the interceptor.
    static var call: CallAudit {
        guard let current else { preconditionFailure("a service method ran outside the gateway interceptor") }
        return current
    }

    /// The proven caller; the interceptor lets only public methods through without one.
    static func caller() throws -> Caller {
        guard let caller = current?.caller else {
            throw DomainError.signInFirst
        }
        return caller
    }
}
