import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

/// An export of 1 000 000 acts streams in bounded memory: the server reads a page at a
/// time and gRPC's flow control holds the rest back, so neither side (both in this
/// process) holds the file.
@Suite(.timeLimit(.minutes(10))) struct StatisticsExportScaleTests {
    @Test func aMillionActsExportInBoundedMemory() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let agency = try await harness.agencyID()
                let year = Moment(instant: harness.clock.now).day.year
                // A million cases written straight into the table, as if opened through the year.
                let owner = try await harness.database.ownerConnection()
                try await owner.transaction(TransactionOptions(agencyID: agency)) { c in
                    try await c.execute(
                        """
                        INSERT INTO cases (agency_id, id, kind, item_version, item_code, party_id, area, status, opened_on, state, created_at, updated_at)
                        SELECT $1, gen_random_uuid(), 'penalty', 1, 'MZ-CF-001', $2, '411202', 'open', make_date($3, 1, 1) + (n % 300), '{}', now(), now()
                        FROM generate_series(1, 1000000) n
                        """, [agency, UUID(uuidString: bench.partyID)!, Int32(year)])
                }
                owner.close()
                let password = try await harness.createUser(client, adminToken: bench.corps.adminToken, username: "qian", roles: [.complianceOfficer])
                let compliance = bearer(try await harness.login(client, username: "qian", password: password))

                let sampler = MemorySampler()
                let baseline = sampler.start()
                let (bytes, records, rows) = try await Fazhi_V1_StatisticsService.Client(wrapping: client).exportStatistics(
                    .with {
                        $0.year = Int32(year)
                        $0.format = "csv"
                    }, metadata: compliance
                ) { response in
                    var (bytes, records, rows) = (0, 0, Int64(0))
                    for try await chunk in response.messages {
                        bytes += chunk.data.count
                        records += chunk.data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
                        rows = chunk.rowsWritten
                    }
                    return (bytes, records, rows)
                }
                let peak = sampler.stop()
                #expect(rows == 1_000_000 && records == 1_000_001, "every act and the header")
                #expect(bytes > 100_000_000, "the file is large: \(bytes) bytes")
                #expect(
                    peak - baseline < 64 * 1_048_576, "memory grew by \((peak - baseline) / 1_048_576) MiB while exporting \(bytes / 1_048_576) MiB")
            }
        }
    }
}
