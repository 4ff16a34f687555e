import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct TypeRoundTripTests {
    /// Binds `value` as a parameter, has the server cast it to `sqlType`, and decodes it back.
    func roundTrip<T: PostgresCodable & Equatable>(_ value: T, as sqlType: String, on connection: PostgresConnection) async throws {
        let back: T = try await connection.scalar("SELECT $1::\(sqlType)", [value])
        #expect(back == value, "\(sqlType) round trip of \(value)")
    }

    @Test func integersAtTheirBounds() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            for value in [Int64.min, -1, 0, 1, Int64.max] { try await roundTrip(value, as: "bigint", on: c) }
            for value in [Int32.min, 0, Int32.max] { try await roundTrip(value, as: "integer", on: c) }
            for value in [Int16.min, 0, Int16.max] { try await roundTrip(value, as: "smallint", on: c) }
            for value in [Int.min, 42, Int.max] { try await roundTrip(value, as: "bigint", on: c) }
            // Wider Swift integers read narrower columns; narrower ones refuse wider columns.
            let widened: Int64 = try await c.scalar("SELECT 7::smallint")
            #expect(widened == 7)
            await #expect(throws: PostgresError.self) { let _: Int16 = try await c.scalar("SELECT 7::bigint") }
            c.close()
        }
    }

    @Test func booleansAndDoubles() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await roundTrip(true, as: "boolean", on: c)
            try await roundTrip(false, as: "boolean", on: c)
            for value in [0.0, -0.0, 1.5, -1e-300, Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude, .infinity, -.infinity, 0.1 + 0.2] {
                try await roundTrip(value, as: "double precision", on: c)
            }
            let nan: Double = try await c.scalar("SELECT $1::float8", [Double.nan])
            #expect(nan.isNaN)
            c.close()
        }
    }

    @Test func decimalsAreExact() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let texts = [
                "0", "1", "-1", "10000", "0.0001", "12345.6789", "-0.000000000000000000001",
                "123456789012345678901234567890", "-123456789012345678901234567890",
                "1234567890.12345678901234567890", "99999999999999999999999999999999999999", "100000000",
            ]
            for text in texts {
                let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
                try await roundTrip(value, as: "numeric", on: c)
                // Decoded from the server's own text, not just echoed.
                let parsed: Decimal = try await c.scalar("SELECT \(text)::numeric")
                #expect(parsed == value, "numeric literal \(text)")
            }
            let scaled: Decimal = try await c.scalar("SELECT 12.50::numeric(10,2)")
            #expect(scaled == Decimal(string: "12.5"))
            c.close()
        }
    }

    @Test func stringsOfEveryKind() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let megabyte = String(repeating: "法治abc😀", count: 1_048_576 / 13 + 1)
            for value in ["", "a", "湖滨区民政局", "行政执法证 👮‍♀️🇨🇳", "tab\tnewline\nquote'\"backslash\\", megabyte] {
                try await roundTrip(value, as: "text", on: c)
            }
            let varchar: String = try await c.scalar("SELECT 'x'::varchar(3)")
            #expect(varchar == "x")
            c.close()
        }
    }

    @Test func stringWithNULIsRefusedNotTruncated() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let error = await #expect(throws: PostgresError.self) {
                try await c.query("SELECT $1::text", ["before\u{0}after"])
            }
            #expect(error?.code == .invalidParameter)
            #expect(error?.message.contains("NUL") == true)
            #expect(error?.message.contains("$1") == true)
            c.close()
        }
    }

    @Test func injectionStringsAreStoredVerbatim() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)")
            let hostile = [
                "'; DROP TABLE notes; --", "\" OR 1=1 --", "$1", "Robert'); DELETE FROM notes;--",
                "\\'; SELECT pg_sleep(10); --", "E'\\x00'", "$$ || (SELECT 1) || $$",
            ]
            for (index, text) in hostile.enumerated() {
                try await c.execute("INSERT INTO notes (id, body) VALUES ($1, $2)", [index, text])
            }
            for (index, text) in hostile.enumerated() {
                let stored: String = try await c.scalar("SELECT body FROM notes WHERE id = $1", [index])
                #expect(stored == text)
                let found: Int = try await c.scalar("SELECT count(*) FROM notes WHERE body = $1", [text])
                #expect(found == 1)
            }
            let count: Int = try await c.scalar("SELECT count(*) FROM notes")
            #expect(count == hostile.count)
            c.close()
        }
    }

    @Test func bytesUUIDsAndJSON() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await roundTrip(Data(), as: "bytea", on: c)
            try await roundTrip(Data((0...255).map(UInt8.init)), as: "bytea", on: c)
            try await roundTrip(UUID(), as: "uuid", on: c)
            let fixed = UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF")!
            let text: String = try await c.scalar("SELECT $1::uuid::text", [fixed])
            #expect(text == "00112233-4455-6677-8899-aabbccddeeff")
            let json = JSONB(text: #"{"name": "湖滨区", "n": [1, 2.5, null], "ok": true}"#)
            let back: JSONB = try await c.scalar("SELECT $1::jsonb", [json])
            let field: String = try await c.scalar("SELECT ($1::jsonb)->>'name'", [json])
            #expect(field == "湖滨区")
            struct Shape: Codable, Equatable {
                let name: String
                let ok: Bool
            }
            #expect(try back.decode(Shape.self) == Shape(name: "湖滨区", ok: true))
            c.close()
        }
    }

    @Test func timestampsKeepMicroseconds() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let cases = [
                "2023-06-30 12:34:56.123456+00", "1969-07-20 20:17:40.000001+00", "1900-01-01 00:00:00.5+00",
                "1970-01-01 00:00:00+00", "2000-01-01 00:00:00.999999+00", "2099-12-31 23:59:59.654321+00",
            ]
            for literal in cases {
                let decoded: Date = try await c.scalar("SELECT '\(literal)'::timestamptz")
                // Sent back as a parameter, it must equal the server's own value to the microsecond.
                let equal: Bool = try await c.scalar("SELECT $1 = '\(literal)'::timestamptz", [decoded])
                #expect(equal, "timestamptz \(literal)")
                let text: String = try await c.scalar("SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')", [decoded])
                let expected = try await c.scalar(
                    "SELECT to_char('\(literal)'::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')", as: String.self)
                #expect(text == expected)
            }
            let future: Date = try await c.scalar("SELECT 'infinity'::timestamptz")
            #expect(future == .distantFuture)
            c.close()
        }
    }

    @Test func datesAreCalendarDaysWithoutDrift() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            // Whatever the session's time zone, a date is the same calendar day.
            try await c.simpleQuery("SET TimeZone = 'Pacific/Kiritimati'")
            for text in ["2023-01-01", "1900-02-28", "2000-02-29", "1969-12-31", "1970-01-01", "0001-01-01", "2400-12-31"] {
                let day = try CalendarDay(iso: text)
                try await roundTrip(day, as: "date", on: c)
                let fromServer: CalendarDay = try await c.scalar("SELECT '\(text)'::date")
                #expect(fromServer == day)
                let asText: String = try await c.scalar("SELECT to_char($1::date, 'YYYY-MM-DD')", [day])
                #expect(asText == text)
            }
            c.close()
        }
    }

    @Test func arraysOfTextAndIntegers() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let texts: [String] = try await c.scalar("SELECT $1::text[]", [["社会救助", "", "a,b", "{\"}", "😀"]])
            #expect(texts == ["社会救助", "", "a,b", "{\"}", "😀"])
            let empty: [String] = try await c.scalar("SELECT $1::text[]", [[String]()])
            #expect(empty.isEmpty)
            let ints: [Int] = try await c.scalar("SELECT $1::bigint[]", [[Int.min, 0, Int.max]])
            #expect(ints == [Int.min, 0, Int.max])
            let int32s: [Int32] = try await c.scalar("SELECT ARRAY[1, 2, 3]::int[]")
            #expect(int32s == [1, 2, 3])
            let fromInt4: [Int] = try await c.scalar("SELECT ARRAY[4, 5]::int[]")
            #expect(fromInt4 == [4, 5])
            let count: Int = try await c.scalar("SELECT cardinality($1::text[])", [["x", "y"]])
            #expect(count == 2)
            c.close()
        }
    }

    @Test func nullsDecodeToOptionalsAndNamedErrorsOtherwise() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let missing: String? = nil
            let rows = try await c.query("SELECT $1::text AS nickname, 5 AS n", [missing])
            #expect(try rows[0].decode("nickname", as: String?.self) == nil)
            let nullError = #expect(throws: PostgresError.self) { try rows[0].decode("nickname", as: String.self) }
            #expect(nullError?.column == "nickname")
            #expect(nullError?.message.contains("NULL") == true)
            let typeError = #expect(throws: PostgresError.self) { try rows[0].decode("n", as: String.self) }
            #expect(typeError?.column == "n")
            #expect(typeError?.message.contains("integer") == true)
            let noColumn = #expect(throws: PostgresError.self) { try rows[0].decode("absent", as: Int.self) }
            #expect(noColumn?.message.contains("absent") == true)
            let some: Int? = try await c.scalar("SELECT $1::bigint", [Int?.some(9)])
            #expect(some == 9)
            c.close()
        }
    }
}
