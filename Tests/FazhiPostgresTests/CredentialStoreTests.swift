import Crypto
import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct CredentialStoreTests {
    static let keys = PersonalDataKeys(sealing: SymmetricKey(size: .bits256), indexing: SymmetricKey(size: .bits256))

    /// A made-up resident ID number with a valid check character.
    static func idNumber(_ serial: Int) throws -> ResidentIDNumber {
        let body = "41120219850315" + String(format: "%03d", serial)
        return try ResidentIDNumber(body + String(ResidentIDNumber.checkCharacter(for: body.map { Int(String($0))! })))
    }

    struct Fixture {
        let pool: ConnectionPool
        let store: PostgresTenantStore
        let agency: Agency
    }

    static func fixture(_ db: TestDatabase) async throws -> Fixture {
        let owner = try await db.ownerConnection()
        try await owner.query("INSERT INTO agencies (code, name, division_code) VALUES ('411202-MZ', '湖滨区民政局', '411202')")
        owner.close()
        let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 8))
        let store = PostgresTenantStore(pool: pool)
        return Fixture(pool: pool, store: store, agency: try #require(try await store.agency(code: "411202-MZ")))
    }

    /// An officer and an applied-for credential; returns the credential's id.
    static func application(_ fixture: Fixture, serial: Int, now: Moment) async throws -> UUID {
        try await fixture.store.transaction(agency: fixture.agency.id, .write(for: nil)) { tx in
            let officer = try await tx.credentials.insertOfficer(
                NewOfficer(
                    name: "执法员\(serial)", unit: "社会组织管理科", position: "科员", userID: nil, idNumber: try idNumber(serial), keys: keys), at: now.instant)
            let rules = try CredentialRules(settings: try await tx.settings())
            let credential = try Credential.apply(
                id: UUID(), officerID: officer, categories: ["社会组织管理"], areas: [try DivisionCode("411202")],
                exam: .init(day: now.day.adding(days: -30), score: 75), by: "证件管理员", reason: "申领", at: now, rules: rules)
            try await tx.credentials.insertCredential(credential)
            return credential.id
        }
    }

    @Test func severalOfficersCredentialsAreReadTogether() async throws {
        try await TestDatabase.with { db in
            let fixture = try await Self.fixture(db)
            let now = Moment(instant: Date())
            let first = try await Self.application(fixture, serial: 1, now: now)
            let second = try await Self.application(fixture, serial: 2, now: now)
            _ = try await CredentialWork(store: fixture.store).issue(second, agency: fixture.agency, actor: "负责人", reason: "批准", at: now)
            try await fixture.store.transaction(agency: fixture.agency.id, .read) { tx in
                let one = try #require(try await tx.credentials.credential(id: first, locking: false)).0
                let two = try #require(try await tx.credentials.credential(id: second, locking: false)).0
                let nobody = UUID()
                let together = try await tx.credentials.credentials(officerIDs: [one.officerID, two.officerID, nobody])
                // Each officer's own, with history, exactly as read one by one; none for an officer without any.
                #expect(together[one.officerID] == (try await tx.credentials.credentials(officerID: one.officerID)))
                #expect(together[two.officerID] == (try await tx.credentials.credentials(officerID: two.officerID)))
                #expect(together[two.officerID]?.first?.history.count == 2)
                #expect(together[two.officerID]?.first?.state == .active)
                #expect(together[nobody] == [])
                #expect(together.count == 3)
            }
            await fixture.pool.close()
        }
    }

    /// The officer list reads a page's exam results and training hours in one query each.
    @Test func severalOfficersExamsAndHoursAreReadTogether() async throws {
        try await TestDatabase.with { db in
            let fixture = try await Self.fixture(db)
            let now = Moment(instant: Date())
            let day = now.day
            let (first, second) = try await fixture.store.transaction(agency: fixture.agency.id, .write(for: nil)) { tx in
                var officers: [UUID] = []
                for serial in 1...2 {
                    officers.append(
                        try await tx.credentials.insertOfficer(
                            NewOfficer(
                                name: "执法员\(serial)", unit: "社会组织管理科", position: "科员", userID: nil, idNumber: try Self.idNumber(serial),
                                keys: Self.keys), at: now.instant))
                }
                let recorder = UUID()
                try await tx.credentials.insertExamResult(officerID: officers[0], .init(day: day.adding(days: -400), score: 55), recordedBy: recorder)
                try await tx.credentials.insertExamResult(officerID: officers[0], .init(day: day.adding(days: -20), score: 88), recordedBy: recorder)
                try await tx.credentials.insertExamResult(officerID: officers[1], .init(day: day.adding(days: -5), score: 61), recordedBy: recorder)
                try await tx.credentials.setTrainingHours(officerID: officers[0], year: day.year - 1, hours: 40)
                try await tx.credentials.setTrainingHours(officerID: officers[0], year: day.year, hours: 12)
                try await tx.credentials.setTrainingHours(officerID: officers[0], year: day.year, hours: 16)
                return (officers[0], officers[1])
            }
            try await fixture.store.transaction(agency: fixture.agency.id, .read) { tx in
                let nobody = UUID()
                let exams = try await tx.credentials.examResults(officerIDs: [first, second, nobody])
                #expect(exams[first]?.map(\.score) == [88, 55], "newest first")
                #expect(exams[second]?.map(\.score) == [61])
                #expect(exams[nobody] == [] && exams.count == 3)
                #expect(try await tx.credentials.examResults(officerID: first) == exams[first])
                let hours = try await tx.credentials.trainingHours(officerIDs: [first, second, nobody])
                #expect(hours[first] == [day.year - 1: 40, day.year: 16], "a year's total replaced, not added to")
                #expect(hours[second] == [:] && hours[nobody] == [:] && hours.count == 3)
                #expect(try await tx.credentials.trainingHours(officerID: first) == hours[first])
            }
            await fixture.pool.close()
        }
    }

    @Test func concurrentIssuanceYieldsDistinctNumbersNeverReused() async throws {
        try await TestDatabase.with { db in
            let fixture = try await Self.fixture(db)
            let now = Moment(instant: Date())
            var ids: [UUID] = []
            for serial in 1...20 { ids.append(try await Self.application(fixture, serial: serial, now: now)) }
            let administration = CredentialWork(store: fixture.store)
            let numbers = Locked<[String]>([])
            let errors = await runConcurrently(
                ids.map { id in
                    { @Sendable in
                        let issued = try await administration.issue(id, agency: fixture.agency, actor: "负责人", reason: "批准", at: now)
                        numbers.withLock { $0.append(issued.number!) }
                    }
                })
            #expect(errors.isEmpty, "\(errors)")
            let expected = (1...20).map { String(format: "411202-MZ-%04d-%05d", now.day.year, $0) }
            #expect(numbers.current.sorted() == expected)
            await fixture.pool.close()
        }
    }

    @Test func twoAdministratorsSuspendingAtOnceMakeExactlyOneTransition() async throws {
        try await TestDatabase.with { db in
            let fixture = try await Self.fixture(db)
            let now = Moment(instant: Date())
            let id = try await Self.application(fixture, serial: 7, now: now)
            let administration = CredentialWork(store: fixture.store)
            _ = try await administration.issue(id, agency: fixture.agency, actor: "负责人", reason: "批准", at: now)
            let errors = await runConcurrently(
                (1...2).map { admin in
                    { @Sendable in
                        _ = try await administration.apply(.suspend, to: id, agency: fixture.agency, actor: "管理员\(admin)", reason: "调查", at: now)
                    }
                })
            #expect(errors.count == 1)
            #expect((errors.first as? DomainError)?.reason == .failedPrecondition)
            let stored = try await fixture.store.transaction(agency: fixture.agency.id, .read) {
                try await $0.credentials.credential(id: id, locking: false)
            }
            let credential = try #require(stored).0
            #expect(credential.state == .suspended)
            #expect(credential.history.map(\.event) == ["apply", "issue", "suspend"])
            #expect(credential.history.last?.reason == "调查")
            await fixture.pool.close()
        }
    }

    @Test func aCredentialRoundTripsWithItsHistoryAndReviews() async throws {
        try await TestDatabase.with { db in
            let fixture = try await Self.fixture(db)
            let issuedOn = Moment(instant: Date().addingTimeInterval(-400 * 86_400))
            let id = try await Self.application(fixture, serial: 9, now: issuedOn)
            let administration = CredentialWork(store: fixture.store)
            _ = try await administration.issue(id, agency: fixture.agency, actor: "负责人", reason: "批准", at: issuedOn)
            let now = Moment(instant: Date())
            let review = Credential.Review(year: issuedOn.day.year, trainingHours: 44, outcome: .passed, reviewer: "审验员", recordedOn: now.day)
            let reviewed = try await administration.apply(.review(review), to: id, agency: fixture.agency, actor: "审验员", reason: "年度审验", at: now)
            let stored = try await fixture.store.transaction(agency: fixture.agency.id, .read) {
                try await $0.credentials.credential(id: id, locking: false)
            }
            let loaded = try #require(stored)
            #expect(loaded.0.reviews == reviewed.reviews)
            #expect(loaded.0.state == reviewed.state && loaded.0.number == reviewed.number && loaded.0.validUntil == reviewed.validUntil)
            #expect(loaded.0.history.map(\.event) == ["apply", "issue", "review"])
            #expect(loaded.version == 3)
            await fixture.pool.close()
        }
    }

    @Test func thePlainResidentIDNumberNeverReachesTheDatabase() async throws {
        try await TestDatabase.with { db in
            let fixture = try await Self.fixture(db)
            _ = try await Self.application(fixture, serial: 11, now: Moment(instant: Date()))
            let plain = try Self.idNumber(11).value
            let owner = try await db.ownerConnection()
            let rows: [String] = try await owner.transaction(TransactionOptions(agencyID: fixture.agency.id)) { connection in
                try await connection.query("SELECT o::text FROM officers o").map { try $0.decode(String.self, at: 0) }
            }
            #expect(rows.count == 1)
            #expect(!rows[0].contains(plain) && !rows[0].contains(String(plain.dropFirst(4).prefix(10))))
            #expect(rows[0].contains(try Self.idNumber(11).masked))
            // The same person cannot be recorded twice.
            await #expect(throws: DomainError.self) { _ = try await Self.application(fixture, serial: 11, now: Moment(instant: Date())) }
            owner.close()
            await fixture.pool.close()
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct CredentialSweepTests {
    @Test func theSweepSuspendsOverdueCredentialsOnceAndOnlyAfterTheDeadline() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let administration = CredentialWork(store: fixture.store)
            // Issued on 2025-06-02; its 2025 review is due by 2026-03-31.
            let issuedOn = Moment(instant: Date(timeIntervalSince1970: 1_748_851_200), day: try CalendarDay(iso: "2025-06-02"))
            let overdue = try await CredentialStoreTests.application(fixture, serial: 21, now: issuedOn)
            let reviewed = try await CredentialStoreTests.application(fixture, serial: 22, now: issuedOn)
            for id in [overdue, reviewed] {
                _ = try await administration.issue(id, agency: fixture.agency, actor: "负责人", reason: "批准", at: issuedOn)
            }
            let reviewDay = Moment(instant: Date(timeIntervalSince1970: 1_768_000_000), day: try CalendarDay(iso: "2026-01-10"))
            _ = try await administration.apply(
                .review(.init(year: 2025, trainingHours: 42, outcome: .passed, reviewer: "审验员", recordedOn: reviewDay.day)),
                to: reviewed, agency: fixture.agency, actor: "审验员", reason: "年度审验", at: reviewDay)
            func day(_ text: String) throws -> Moment {
                let day = try CalendarDay(iso: text)
                return Moment(instant: Date(timeIntervalSince1970: TimeInterval(day.daysSinceUnixEpoch) * 86_400), day: day)
            }
            #expect(try await administration.sweep(agency: fixture.agency, at: try day("2026-03-31")) == .init())
            let first = try await administration.sweep(agency: fixture.agency, at: try day("2026-04-01"))
            #expect(first.suspended.count == 1 && first.expired.isEmpty)
            #expect(try await administration.sweep(agency: fixture.agency, at: try day("2026-04-01")) == .init(), "a second run changes nothing")
            let stored = try await fixture.store.transaction(agency: fixture.agency.id, .read) { tx in
                (
                    try await tx.credentials.credential(id: overdue, locking: false)?.0,
                    try await tx.credentials.credential(id: reviewed, locking: false)?.0
                )
            }
            #expect(stored.0?.state == .suspended && stored.0?.history.last?.actor == "system:sweep")
            #expect(stored.1?.state == .active)
            // After the term, both expire (the suspended one too).
            let end = try await administration.sweep(agency: fixture.agency, at: try day("2030-06-02"))
            #expect(end.expired.count == 2)
            #expect(try await administration.sweep(agency: fixture.agency, at: try day("2030-06-03")) == .init())
            // Each change was queued once for the public record, the second runs queued nothing.
            let queued = try await fixture.store.transaction(agency: fixture.agency.id, .read) { tx in
                try await tx.credentials.unpublishedPublicRecords(limit: 100)
            }
            #expect(queued.map(\.event) == ["issue", "issue", "suspend", "expire", "expire"])
            #expect(queued.allSatisfy { $0.holderName.hasPrefix("执法员") })
            await fixture.pool.close()
        }
    }

    @Test func oneServerAtATime() async throws {
        try await TestDatabase.with { db in
            // The holder keeps the lock until the second attempt is over, however slow the
            // machine: no timing decides the outcome.
            let held = Barrier(parties: 2)
            let attempted = Barrier(parties: 2)
            let holder = Task {
                try await JobLock.run("credential-sweep", configuration: db.application) {
                    await held.arrive()
                    await attempted.arrive()
                    return 1
                }
            }
            await held.arrive()
            let second = try await JobLock.run("credential-sweep", configuration: db.application) { 2 }
            await attempted.arrive()
            #expect(second == nil, "the lock is held elsewhere")
            #expect(try await holder.value == 1)
            #expect(try await JobLock.run("credential-sweep", configuration: db.application) { 3 } == 3, "free again")
        }
    }

}

@Suite(.timeLimit(.minutes(2))) struct PublicVerificationTests {
    @Test func theAnswerShowsTheCardAndNoPersonalData() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let now = Moment(instant: Date())
            let id = try await CredentialStoreTests.application(fixture, serial: 31, now: now)
            let issued = try await CredentialWork(store: fixture.store).issue(
                id, agency: fixture.agency, actor: "负责人", reason: "批准", at: now)
            let verification = VerificationWork(store: fixture.store)
            let answer = try await verification.byNumber(issued.number!, on: now.day)
            guard case .found(let card) = answer else {
                Issue.record("not found: \(answer)")
                return
            }
            #expect(card.holderName == "执法员31" && card.agencyName == "湖滨区民政局" && card.state == .active && card.inForce)
            #expect(card.categories == ["社会组织管理"] && card.areas == ["411202"])
            let shown = "\(card)"
            let idNumber = try CredentialStoreTests.idNumber(31)
            #expect(!shown.contains(idNumber.value) && !shown.contains(idNumber.masked), "no ID number, not even masked")

            // Unknown numbers, other agencies' prefixes and garbage: "not valid", nothing more.
            for unknown in ["411202-MZ-2026-99999", "NO-SUCH-2026-00001", "", "'; DROP TABLE credentials; --", String(repeating: "9", count: 500)] {
                #expect(try await verification.byNumber(unknown, on: now.day) == .notValid, "\(unknown)")
            }

            // The signed code: genuine, forged, and printed for another term.
            let keys = SigningKeyWork(store: fixture.store, sealer: try ServerSecrets(secretBase64: ServerSecrets.generate()).signingKeys)
            let key = try await keys.privateKey(agency: fixture.agency.id, purpose: SigningKeyWork.credentialCode)
            #expect(
                try await keys.privateKey(agency: fixture.agency.id, purpose: SigningKeyWork.credentialCode).rawRepresentation
                    == key.rawRepresentation,
                "made once, then kept")
            let code = try VerificationCode(agencyCode: "411202-MZ", credentialNumber: issued.number!, validUntil: issued.validUntil!).signed(
                with: key)
            #expect(try await verification.byCode(code, keys: keys, on: now.day) == answer)
            let forged = try VerificationCode(agencyCode: "411202-MZ", credentialNumber: issued.number!, validUntil: issued.validUntil!).signed(
                with: Curve25519.Signing.PrivateKey())
            #expect(try await verification.byCode(forged, keys: keys, on: now.day) == .notValid)
            let otherTerm = try VerificationCode(
                agencyCode: "411202-MZ", credentialNumber: issued.number!, validUntil: issued.validUntil!.adding(years: 1)
            ).signed(with: key)
            #expect(try await verification.byCode(otherTerm, keys: keys, on: now.day) == .notValid)

            // Suspended: still found, with its status, and not in force.
            _ = try await CredentialWork(store: fixture.store).apply(
                .suspend, to: id, agency: fixture.agency, actor: "管理员", reason: "调查", at: now)
            guard case .found(let suspended) = try await verification.byNumber(issued.number!, on: now.day) else {
                Issue.record("not found")
                return
            }
            #expect(suspended.state == .suspended && !suspended.inForce)
            await fixture.pool.close()
        }
    }
}
