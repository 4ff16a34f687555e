import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation
import Logging
import ServiceLifecycle

/// Keeps disclosures moving: turns the outbox into entries and sequences the log, for
/// every agency, once a second and at once when an entry is published (NOTIFY
/// fazhi_disclosure). Several servers may run it: each claims outbox rows with
/// `FOR UPDATE SKIP LOCKED`, and the log's lock lets one of them sequence at a time. While
/// the database cannot be reached it says so once, and once more when it is back.
struct DisclosureWorker: Service {
    let pool: ConnectionPool
    let store: PostgresTenantStore
    let log: DisclosureLogWork
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
                var reported = false
                while !Task.isCancelled {
                    do {
                        for try await _ in pool.notifications(on: "fazhi_disclosure") {
                            reported = false
                            waker.yield()
                        }
                    } catch {
                        if !reported { logger.warning("disclosure listener ended; reopening", metadata: ["error": "\(error)"]) }
                        reported = true
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            tasks.addTask {
                await cancelWhenGracefulShutdown {
                    var outage = OutageReport(logger: logger)
                    var agencies: [Agency] = []
                    var listed = ContinuousClock.now - .seconds(3600)
                    for await _ in wake {
                        if ContinuousClock.now - listed > .seconds(60) {
                            agencies = (try? await store.agencies(after: nil, limit: 10_000).filter { !$0.isPlatform }) ?? agencies
                            listed = .now
                        }
                        for agency in agencies { outage.record(await tick(agency)) }
                    }
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    /// One agency's work; the outage that stopped it, if that was the reason.
    func tick(_ agency: Agency) async -> (any Error)? {
        do {
            let now = Moment(instant: Date())
            try await DisclosurePublishingWork(store: store).run(agency: agency, at: now)
            try await log.sequence(agency: agency, at: now.instant)
        } catch let error as any OutageError where error.isOutage {
            return error
        } catch {
            logger.error("disclosure work failed", metadata: ["agency": "\(agency.code)", "error": "\(error)"])
        }
        return nil
    }
}

/// An outage logged when it starts and when it ends, not at every tick in between.
struct OutageReport {
    let logger: Logger
    private(set) var since: ContinuousClock.Instant?

    init(logger: Logger) { self.logger = logger }

    mutating func record(_ outage: (any Error)?) {
        switch (outage, since) {
        case (let error?, nil):
            since = .now
            logger.warning("database unreachable; disclosure work waits for it", metadata: ["error": "\(error)"])
        case (nil, let start?):
            since = nil
            logger.notice(
                "database reachable again; disclosure work resumed", metadata: ["down_seconds": "\((ContinuousClock.now - start).components.seconds)"]
            )
        default: break
        }
    }
}
