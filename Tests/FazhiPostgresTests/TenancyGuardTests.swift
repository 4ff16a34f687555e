import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

/// The guards inside the database: row-level security on every tenant table,
/// append-only tables, and a server role that can do no more than it needs.
@Suite(.timeLimit(.minutes(2))) struct TenancyGuardTests {
    static let appendOnlyTables = [
        "agency_audit_log", "platform_audit_log", "credential_transitions", "power_list_versions", "power_list_items", "case_record",
        "disclosure_log_nodes", "disclosure_checkpoints",
    ]

    /// Creates two agencies and a user in each; returns their ids.
    func twoAgencies(_ owner: PostgresConnection) async throws -> (a: UUID, b: UUID) {
        let a: UUID = try await owner.scalar("INSERT INTO agencies (code, name, division_code) VALUES ('411202-MZ', '湖滨区民政局', '411202') RETURNING id")
        let b: UUID = try await owner.scalar("INSERT INTO agencies (code, name, division_code) VALUES ('411203-MZ', '陕州区民政局', '411203') RETURNING id")
        for (agency, name) in [(a, "zhang.wei"), (b, "li.na")] {
            try await owner.transaction(TransactionOptions(agencyID: agency)) { c in
                try await c.execute(
                    "INSERT INTO users (agency_id, username, display_name, password_hash) VALUES ($1, $2, $3, $4)",
                    [agency, name, name, "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA"])
                try await c.execute("INSERT INTO agency_audit_log (agency_id, method, status, duration_us) VALUES ($1, 'test', 'OK', 1)", [agency])
                // A credential with one transition, so the append-only history has a row.
                let officer: UUID = try await c.scalar(
                    """
                    INSERT INTO officers (agency_id, name, unit, position, id_number_sealed, id_number_index, id_number_masked)
                    VALUES ($1, $2, '科', '科员', '\\x00', $3, '4112**********0015') RETURNING id
                    """, [agency, name, Data(repeating: 1, count: 32)])
                let credential = UUID()
                try await c.execute(
                    """
                    INSERT INTO credentials (agency_id, id, officer_id, state, categories, areas, exam_day, exam_score)
                    VALUES ($1, $2, $3, 'applied', '{养老服务}', '{411202}', '2026-01-05', 80)
                    """, [agency, credential, officer])
                try await c.execute(
                    """
                    INSERT INTO credential_transitions (agency_id, credential_id, from_state, to_state, event, reason, actor, at)
                    VALUES ($1, $2, 'applied', 'applied', 'apply', 'test', 'test', now())
                    """, [agency, credential])
                // A published power list of one item.
                try await c.execute(
                    "INSERT INTO power_list_versions (agency_id, version, published_at, published_by, reason) VALUES ($1, 1, now(), 'test', 'test')",
                    [agency])
                try await c.execute(
                    """
                    INSERT INTO power_list_items (agency_id, version, code, name, category, enforcement_category, legal_basis, unit, major, minimum_officers, published)
                    VALUES ($1, 1, 'MZ-QR-001', '婚姻登记', 'confirmation', '婚姻登记', '《婚姻登记条例》', '婚姻登记处', 'no', 1, false)
                    """, [agency])
                // A case under it with one record entry.
                let party: UUID = try await c.scalar(
                    "INSERT INTO parties (agency_id, kind, name, credit_code, area, created_by, created_at) VALUES ($1, 'organization', '协会', '91350100M000100Y43', '411202', $2, now()) RETURNING id",
                    [agency, UUID()])
                let kase = UUID()
                try await c.execute(
                    """
                    INSERT INTO cases (agency_id, id, kind, item_version, item_code, party_id, area, status, state, created_at, updated_at)
                    VALUES ($1, $2, 'other', 1, 'MZ-QR-001', $3, '411202', 'open', '{}', now(), now())
                    """, [agency, kase, party])
                try await c.execute(
                    "INSERT INTO case_record (agency_id, case_id, step, event, actor, text, at) VALUES ($1, $2, 'open', 'take', $3, '立案', now())",
                    [agency, kase, UUID()])
                // The disclosure log's first subtree and checkpoint.
                try await c.execute(
                    "INSERT INTO disclosure_log_nodes (agency_id, level, index, hash) VALUES ($1, 0, 0, $2)", [agency, Data(repeating: 7, count: 32)])
                try await c.execute(
                    "INSERT INTO disclosure_checkpoints (agency_id, size, root, note, created_at) VALUES ($1, 1, $2, 'note', now())",
                    [agency, Data(repeating: 7, count: 32)])
            }
        }
        return (a, b)
    }

    @Test func everyTenantTableHasRowLevelSecurityAndAgencyLeadingItsKey() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let rows = try await c.query(
                """
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                        WHERE i.indrelid = c.oid AND i.indisprimary) AS leading_key,
                       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'agency_id' AND NOT a.attisdropped)
                ORDER BY c.relname
                """)
            let names = try rows.map { try $0.decode("relname", as: String.self) }
            #expect(Set(["users", "role_grants", "sessions", "agency_audit_log", "idempotency_keys", "agency_settings"]).isSubset(of: Set(names)))
            for row in rows {
                let name: String = try row.decode("relname")
                #expect(try row.decode("relrowsecurity", as: Bool.self), "\(name): row-level security is off")
                #expect(try row.decode("relforcerowsecurity", as: Bool.self), "\(name): row-level security is not forced")
                #expect(try row.decode("leading_key", as: String?.self) == "agency_id", "\(name): agency_id does not lead the primary key")
                #expect(try row.decode("policies", as: Int.self) >= 1, "\(name): no policy")
            }
            c.close()
        }
    }

    @Test func theApplicationRoleSeesOnlyItsAgency() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (a, b) = try await twoAgencies(owner)
            let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 1))
            try await pool.transaction(TransactionOptions(agencyID: a)) { (c: PostgresConnection) async throws -> Void in
                let users: [String] = try await c.scalar("SELECT coalesce(array_agg(username), '{}') FROM users")
                #expect(users == ["zhang.wei"])
                // Reading B's rows by id finds nothing.
                #expect(try await c.scalar("SELECT count(*) FROM users WHERE agency_id = $1", [b], as: Int.self) == 0)
                // Updating or deleting B's rows touches nothing.
                #expect(try await c.execute("UPDATE users SET display_name = 'x' WHERE agency_id = $1", [b]) == 0)
                #expect(try await c.execute("DELETE FROM sessions WHERE agency_id = $1", [b]) == 0)
                // Inserting a row for B is refused by the policy.
                let error = await #expect(throws: PostgresError.self) {
                    try await c.execute(
                        "INSERT INTO users (agency_id, username, display_name, password_hash) VALUES ($1, 'intruder', 'x', '$scrypt$ln=1,r=1,p=1$YQ$Yg')",
                        [b])
                }
                #expect(error?.sqlState == "42501")
                #expect(error?.message.contains("row-level security") == true)
                // Moving its own row to B is refused too.
                await #expect(throws: PostgresError.self) {
                    try await c.execute("UPDATE users SET agency_id = $1", [b])
                }
            }
            // The next transaction on the same pooled connection sets no agency and sees nothing of A.
            let seenWithoutAgency: [Int] = try await pool.transaction { c in
                [try await c.scalar("SELECT count(*) FROM users"), try await c.scalar("SELECT count(*) FROM agency_audit_log")]
            }
            #expect(seenWithoutAgency == [0, 0])
            // Outside any transaction, too.
            #expect(try await pool.withConnection { try await $0.scalar("SELECT count(*) FROM users", as: Int.self) } == 0)
            // B sees only B.
            let usersOfB: [String] = try await pool.transaction(TransactionOptions(agencyID: b)) { c in
                try await c.scalar("SELECT coalesce(array_agg(username), '{}') FROM users")
            }
            #expect(usersOfB == ["li.na"])
            await pool.close()
            owner.close()
        }
    }

    @Test func appendOnlyTablesRefuseUpdateDeleteAndTruncate() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (a, _) = try await twoAgencies(owner)
            try await owner.execute("INSERT INTO platform_audit_log (method, status, duration_us) VALUES ('test', 'UNAUTHENTICATED', 1)")
            // Every table guarded by the append-only trigger, found from the catalog.
            let guarded: [String] = try await owner.scalar(
                """
                SELECT array_agg(DISTINCT c.relname::text) FROM pg_trigger t
                JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
                WHERE p.proname = 'fazhi_refuse_change'
                """)
            #expect(Set(guarded) == Set(Self.appendOnlyTables))
            let app = try await db.applicationConnection()
            for table in guarded {
                let column =
                    [
                        "credential_transitions": "reason", "power_list_versions": "reason", "power_list_items": "name", "case_record": "text",
                        "disclosure_log_nodes": "hash", "disclosure_checkpoints": "note",
                    ][table] ?? "status"
                // CASCADE: a table others reference must reach the trigger, not stop at the foreign key.
                for statement in ["UPDATE \(table) SET \(column) = 'X'", "DELETE FROM \(table)", "TRUNCATE \(table) CASCADE"] {
                    // The application role lacks the privilege outright.
                    let denied = await #expect(throws: PostgresError.self) {
                        try await app.transaction(TransactionOptions(agencyID: a)) { try await $0.simpleQuery(statement) }
                    }
                    #expect(denied?.code == .insufficientPrivilege, "\(statement): \(String(describing: denied))")
                    // Even the owner is stopped by the trigger, with a clear message.
                    let refused = await #expect(throws: PostgresError.self) {
                        try await owner.transaction(TransactionOptions(agencyID: a)) { try await $0.simpleQuery(statement) }
                    }
                    #expect(refused?.message.contains("append-only") == true, "\(statement): \(String(describing: refused))")
                }
            }
            // Appending still works for the application role.
            let appended = try await app.transaction(TransactionOptions(agencyID: a)) { c in
                try await c.execute("INSERT INTO agency_audit_log (agency_id, method, status, duration_us) VALUES ($1, 'Login', 'OK', 5)", [a])
            }
            #expect(appended == 1)
            app.close()
            owner.close()
        }
    }

    @Test func theApplicationRoleIsPlainAndReadsOnlyWhatTheServerNeeds() async throws {
        try await TestDatabase.with { db in
            let app = try await db.applicationConnection()
            let attributes = try await app.query(
                "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
            for column in 0..<4 { #expect(try !attributes[0].decode(Bool.self, at: column)) }
            let owned: Int = try await app.scalar(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = current_user")
            #expect(owned == 0)
            // Reads the directory, calendar and defaults...
            #expect(try await app.scalar("SELECT count(*) FROM agencies WHERE code = 'platform'", as: Int.self) == 1)
            #expect(try await app.scalar("SELECT count(*) FROM calendar_years", as: Int.self) >= 4)
            #expect(try await app.scalar("SELECT value FROM setting_defaults WHERE key = 'exam.pass_mark'", as: String.self) == "60")
            // ...and changes none of them.
            for statement in [
                "INSERT INTO agencies (code, name, division_code) VALUES ('x', 'x', '000000')",
                "UPDATE calendar_days SET name = 'x'",
                "DELETE FROM calendar_years",
                "UPDATE setting_defaults SET value = '0'",
                "SELECT * FROM fazhi_schema_migrations",
                "CREATE TABLE mine (id int)",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await app.simpleQuery(statement) }
                #expect(error?.code == .insufficientPrivilege, "\(statement): \(String(describing: error))")
            }
            app.close()
        }
    }

    @Test func bulkLoadsIntoTenantTablesPassThePolicies() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (a, b) = try await twoAgencies(owner)
            let app = try await db.applicationConnection()
            // COPY FROM straight into a table with row-level security is refused by PostgreSQL...
            let direct = await #expect(throws: PostgresError.self) {
                try await app.transaction(TransactionOptions(agencyID: a)) { c in
                    try await c.copyIn(
                        "COPY agency_audit_log (agency_id, method, status, duration_us) FROM STDIN WITH (FORMAT csv)",
                        from: stream([Array("\(a),M,OK,1\n".utf8)]))
                }
            }
            #expect(direct?.message.contains("row-level security") == true)
            // ...so bulk loads stage in a temporary table and INSERT … SELECT through the policies.
            let csv = (0..<500).map { "\(a),Bulk,OK,\($0)\n" }.joined()
            let loaded = try await app.transaction(TransactionOptions(agencyID: a)) { c in
                try await c.bulkLoad(
                    into: "agency_audit_log", columns: ["agency_id", "method", "status", "duration_us"], csv: stream([Array(csv.utf8)]))
            }
            #expect(loaded == 500)
            // A row of another agency in the load fails the whole load.
            let foreign = await #expect(throws: PostgresError.self) {
                try await app.transaction(TransactionOptions(agencyID: a)) { c in
                    try await c.bulkLoad(
                        into: "agency_audit_log", columns: ["agency_id", "method", "status", "duration_us"],
                        csv: stream([Array("\(a),Bulk,OK,1\n\(b),Bulk,OK,1\n".utf8)]))
                }
            }
            #expect(foreign?.sqlState == "42501")
            let count: Int = try await app.transaction(TransactionOptions(agencyID: a)) {
                try await $0.scalar("SELECT count(*) FROM agency_audit_log WHERE method = 'Bulk'")
            }
            #expect(count == 500)
            app.close()
            owner.close()
        }
    }

    @Test func settingOverridesAreTypeCheckedAndBounded() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (a, _) = try await twoAgencies(owner)
            let app = try await db.applicationConnection()
            try await app.transaction(TransactionOptions(agencyID: a)) { c in
                try await c.execute("INSERT INTO agency_settings (agency_id, key, value) VALUES ($1, 'exam.pass_mark', '70')", [a])
                try await c.execute("INSERT INTO agency_settings (agency_id, key, value) VALUES ($1, 'credential.review_deadline', '04-30')", [a])
            }
            for (key, value, constraint) in [
                ("exam.pass_mark", "seventy", "agency_settings_value_valid"),
                ("exam.pass_mark", "101", "agency_settings_value_range"),
                ("credential.review_deadline", "02-30", "agency_settings_value_valid"),
            ] {
                let error = await #expect(throws: PostgresError.self) {
                    try await app.transaction(TransactionOptions(agencyID: a)) { c in
                        try await c.execute("UPDATE agency_settings SET value = $1 WHERE key = $2", [value, key])
                    }
                }
                #expect(error?.code == .checkViolation)
                #expect(error?.constraint == constraint, "\(key)=\(value): \(String(describing: error))")
            }
            let unknown = await #expect(throws: PostgresError.self) {
                try await app.transaction(TransactionOptions(agencyID: a)) { c in
                    try await c.execute("INSERT INTO agency_settings (agency_id, key, value) VALUES ($1, 'no.such', '1')", [a])
                }
            }
            #expect(unknown?.code == .foreignKeyViolation)
            // Every default itself is valid (the table's own check guarantees it).
            #expect(try await app.scalar("SELECT count(*) FROM setting_defaults", as: Int.self) >= 20)
            app.close()
            owner.close()
        }
    }
}
