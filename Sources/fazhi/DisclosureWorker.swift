import FazhiDomain
import FazhiPostgres
import Foundation
import Logging
import ServiceLifecycle

/// Keeps disclosures moving: turns the outbox into entries and sequences the log, for
/// every agency, once a second and at once when an entry is published (NOTIFY
/// fazhi_disclosure). Several servers may run it: the outbox's unique index and the
/// log's lock let one of them do each piece of work.
struct DisclosureWorker: Service {
    let pool: ConnectionPool
    let store: PostgresTenantStore
    let log: DisclosureLog
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        let (wake, waker) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                while !Task.isCancelled {
                    waker.yield()
                    try? await Task.sleep(for: interval)
                }
            }
            tasks.addTask {
                // A broken listener is reopened; the ticks cover what it missed.
                while !Task.isCancelled {
                    do {
                        for try await _ in pool.notifications(on: "fazhi_disclosure") { waker.yield() }
                    } catch {
                        logger.warning("disclosure listener ended; reopening", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            tasks.addTask {
                await cancelWhenGracefulShutdown {
                    var agencies: [Agency] = []
                    var listed = ContinuousClock.now - .seconds(3600)
                    for await _ in wake {
                        if ContinuousClock.now - listed > .seconds(60) {
                            agencies = (try? await store.agencies(after: nil, limit: 10_000).filter { !$0.isPlatform }) ?? agencies
                            listed = .now
                        }
                        for agency in agencies { await tick(agency) }
                    }
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    func tick(_ agency: Agency) async {
        do {
            let now = Moment(instant: Date())
            try await DisclosurePublisher(store: store).run(agency: agency, at: now)
            try await log.sequence(agency: agency, at: now.instant)
        } catch {
            logger.error("disclosure work failed", metadata: ["agency": "\(agency.code)", "error": "\(error)"])
        }
    }
}
