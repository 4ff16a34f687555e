import FazhiRules
import FazhiUseCases
import Foundation

/// PostgreSQL counts timestamps in microseconds and dates in days from 2000-01-01.
private let postgresEpochUnixSeconds: Int64 = 946_684_800
private let postgresEpochUnixDays = 10_957

extension Date: PostgresCodable {
    public static var postgresType: PostgresDataType { .timestamptz }

    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        let seconds = timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 9.2e12 else {
            throw .notRepresentable("timestamp \(self) is out of PostgreSQL's range")
        }
        // Split whole seconds from the fraction so precision is not lost far from 1970.
        let whole = seconds.rounded(.down)
        let micros = Int64(whole) &- postgresEpochUnixSeconds
        let fraction = Int64(((seconds - whole) * 1_000_000).rounded())
        var bytes: [UInt8] = []
        bytes.appendBigEndian(micros &* 1_000_000 &+ fraction)
        return bytes
    }

    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Date {
        try PostgresDecodingFailure.require(type, in: .timestamptz, .timestamp, swiftType: "Date")
        let micros = try bytes.exactInteger(Int64.self)
        if micros == .max { return .distantFuture }
        if micros == .min { return .distantPast }
        let (seconds, remainder) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        return Date(timeIntervalSince1970: Double(seconds + postgresEpochUnixSeconds) + Double(remainder) / 1_000_000)
    }
}

extension CalendarDay: PostgresCodable {
    public static var postgresType: PostgresDataType { .date }

    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(Int32(daysSinceUnixEpoch - postgresEpochUnixDays))
        return bytes
    }

    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> CalendarDay {
        try PostgresDecodingFailure.require(type, in: .date, swiftType: "CalendarDay")
        let days = try bytes.exactInteger(Int32.self)
        guard days != .max, days != .min else { throw .malformed("infinite dates have no calendar day") }
        return CalendarDay(daysSinceUnixEpoch: Int(days) + postgresEpochUnixDays)
    }
}
