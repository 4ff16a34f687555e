import Testing

@testable import FazhiPostgres

/// The connection's rules without a server: one operation at a time, closing waits for the
/// operation in flight, deferred statements leave once, prepared names are reused and
/// bounded.
@Suite struct ConnectionStateTests {
    @Test func oneOperationAtATimeAndNoneAfterClose() throws {
        var state = ConnectionState()
        try state.claim()
        #expect(throws: ConnectionState.ClaimRefusal.busy) { try state.claim() }
        #expect(state.release() == false, "an open connection stays open")
        try state.claim()
        #expect(state.close() == false, "closed during an operation: freed when it ends")
        #expect(state.close() == false, "a second close does nothing")
        #expect(state.release() == true, "the operation ends: now it is freed")
        #expect(state.finished)
        #expect(throws: ConnectionState.ClaimRefusal.closed) { try state.claim() }
    }

    @Test func anIdleConnectionIsFreedAtOnceOnClose() {
        var state = ConnectionState()
        #expect(state.close() == true)
        #expect(state.finished)
        #expect(state.close() == false)
    }

    @Test func deferredStatementsLeaveOnce() {
        var state = ConnectionState()
        state.appendDeferred(DeferredStatement(sql: "BEGIN", parameters: [], answer: nil))
        state.appendDeferred(DeferredStatement(sql: "SELECT 1", parameters: [], answer: nil))
        #expect(state.takeDeferred().map(\.sql) == ["BEGIN", "SELECT 1"])
        #expect(state.takeDeferred().isEmpty)
        state.appendDeferred(DeferredStatement(sql: "SELECT 2", parameters: [], answer: nil))
        state.discardDeferred()
        #expect(state.deferred.isEmpty)
    }

    @Test func preparedNamesAreReusedForgottenAndBounded() {
        var state = ConnectionState(statements: PreparedStatementCache(capacity: 2))
        let first = StatementKey(sql: "SELECT $1", types: [23])
        let second = StatementKey(sql: "SELECT $1", types: [25])
        let third = StatementKey(sql: "SELECT 3", types: [])
        #expect(state.preparation(for: first) == .prepare(name: "fazhi_1", evicting: nil))
        #expect(state.preparation(for: first) == .known("fazhi_1"))
        #expect(state.preparation(for: second) == .prepare(name: "fazhi_2", evicting: nil), "other parameter types, another statement")
        #expect(state.preparation(for: third) == .prepare(name: "fazhi_3", evicting: "fazhi_1"), "full: the oldest goes")
        state.forget(third)
        #expect(state.preparation(for: third) == .prepare(name: "fazhi_4", evicting: nil), "forgotten: prepared afresh")
        #expect(state.preparation(for: first) == .prepare(name: "fazhi_5", evicting: "fazhi_2"))
    }
}
