import ArgumentParser
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

/// The annual statistics as the server computes them (every query of
/// `StatisticsWork.annual`, in one read-only transaction), timed over several runs.
struct AnnualStatisticsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "statistics", abstract: "Time the annual statistics of a year.")
    @OptionGroup var connection: Connection
    @Option(help: "The agency code.") var agency = "411202-MZ"
    @Option(help: "The year.") var year: Int
    @Option(help: "Runs (the first warms the cache and is not counted).") var runs = 6

    func run() async throws {
        let pool = ConnectionPool(configuration: connection.configuration, options: .init(maximumConnections: 2))
        let store = PostgresTenantStore(pool: pool)
        guard let agency = try await store.agency(code: agency) else { throw ValidationError("no agency \(self.agency)") }
        let caller = Caller(
            agency: agency, userID: UUID(), username: "bench", displayName: "bench", roles: [.complianceOfficer], proof: .session, sessionID: nil)
        let work = StatisticsWork(store: store)
        var times: [Double] = []
        var last: AnnualStatistics?
        for run in 0..<runs {
            let started = ContinuousClock.now
            last = try await work.annual(caller, year: year)
            if run > 0 { times.append((ContinuousClock.now - started) / .seconds(1)) }
        }
        times.sort()
        if let s = last {
            print(
                "figures: \(s.casesOpened) acts, \(s.decisions) decisions, \(s.penaltyDecisions) penalties, fines \(s.totalFines), \(s.inspections) inspections, \(s.findings) findings"
            )
        }
        print(
            String(
                format: "annual statistics through the server's SQL: median %.0f ms, best %.0f ms (%d runs)", percentile(times, 0.5) * 1000,
                (times.first ?? .nan) * 1000, times.count))
        await pool.close()
    }
}
