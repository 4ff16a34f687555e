import FazhiRules
import Foundation
import Testing

struct LoginThrottleTests {
    let throttle = LoginThrottle(maximumFailures: 5, window: 15 * 60, lockout: 15 * 60)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func fewerFailuresThanTheLimitNeverLock() {
        let failures = (0..<4).map { start.addingTimeInterval(Double($0)) }
        #expect(throttle.lockedUntil(failures: failures, now: start.addingTimeInterval(10)) == nil)
    }

    @Test func theFifthFailureWithinTheWindowLocksForTheLockoutAfterIt() {
        let failures = (0..<5).map { start.addingTimeInterval(Double($0) * 60) }
        let last = failures.last!
        #expect(throttle.lockedUntil(failures: failures, now: last) == last.addingTimeInterval(15 * 60))
        #expect(throttle.lockedUntil(failures: failures, now: last.addingTimeInterval(15 * 60 - 1)) != nil)
        #expect(throttle.lockedUntil(failures: failures, now: last.addingTimeInterval(15 * 60)) == nil)
    }

    @Test func failuresSpreadWiderThanTheWindowDoNotLock() {
        let failures = (0..<5).map { start.addingTimeInterval(Double($0) * 4 * 60 + 1) }  // 16 minutes from first to last
        #expect(throttle.lockedUntil(failures: failures, now: failures.last!) == nil)
    }

    @Test func aFailureStampedJustAfterNowStillCounts() {
        // The database rounds to microseconds; a failure read back may lie a hair ahead.
        let failures = Array(repeating: start.addingTimeInterval(0.000_000_4), count: 5)
        #expect(throttle.lockedUntil(failures: failures, now: start) != nil)
    }
}

struct PasswordTests {
    @Test func aHashVerifiesItsPasswordOnly() throws {
        let parameters = ScryptParameters(logN: 10, blockSize: 8, parallelism: 1)
        let hash = try PasswordHash.make("Correct-Horse-9", parameters: parameters)
        #expect(hash.encoded.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(hash.verify("Correct-Horse-9"))
        #expect(!hash.verify("correct-horse-9"))
        #expect(!hash.verify(""))
        #expect(try PasswordHash.make("Correct-Horse-9", parameters: parameters) != hash, "a fresh salt each time")
        #expect(!PasswordHash(encoded: "$scrypt$ln=99,r=8,p=1$AAAA$BBBB").verify("x"), "absurd parameters never match")
        #expect(!PasswordHash(encoded: "garbage").verify("garbage"))
    }

    @Test func thePolicyNamesTheRuleBroken() throws {
        let policy = PasswordPolicy(minimumLength: 12, minimumCharacterClasses: 2)
        #expect(throws: DomainError.self) { try policy.check("Short-1", username: "li") }
        #expect(throws: DomainError.self) { try policy.check("alllowercaseletters", username: "li") }
        #expect(throws: DomainError.self) { try policy.check("zhang.san-Passw0rd", username: "zhang.san") }
        try policy.check("Long-enough-1", username: "li")
        let error = try #require(throws: DomainError.self) { try policy.check("abc", username: "li") }
        #expect(error.reason == .passwordPolicy)
        #expect(error.messageZH.contains("12") && error.messageEN.contains("12"))
    }
}

struct BearerTokenTests {
    @Test func aTokenCarriesItsAgencyAnd256RandomBits() throws {
        let token = BearerToken.generate(agencyCode: "411202-MZ")
        #expect(token.text.hasPrefix("411202-MZ."))
        #expect(token.text.count == "411202-MZ.".count + 43)
        let parsed = try #require(BearerToken(token.text))
        #expect(parsed.agencyCode == "411202-MZ")
        #expect(parsed.hash == token.hash)
        #expect(token.hash.count == 32)
        #expect(BearerToken.generate(agencyCode: "411202-MZ") != token)
    }

    @Test func malformedTokensAreRejected() {
        for text in [
            "", "nodot", ".abc", "411202-MZ.short", "bad code." + String(repeating: "A", count: 43), "411202-MZ." + String(repeating: "*", count: 43),
        ] {
            #expect(BearerToken(text) == nil, "\(text)")
        }
    }
}

struct SessionRulesTests {
    @Test func idleAndAbsoluteExpiry() {
        let rules = SessionRules(absolute: 12 * 3600, idle: 30 * 60)
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let expires = rules.expiry(createdAt: created)
        #expect(rules.isLive(expiresAt: expires, lastSeenAt: created, endedAt: nil, now: created.addingTimeInterval(29 * 60)))
        #expect(!rules.isLive(expiresAt: expires, lastSeenAt: created, endedAt: nil, now: created.addingTimeInterval(30 * 60)))
        #expect(!rules.isLive(expiresAt: expires, lastSeenAt: expires.addingTimeInterval(-1), endedAt: nil, now: expires))
        #expect(!rules.isLive(expiresAt: expires, lastSeenAt: created, endedAt: created, now: created.addingTimeInterval(1)))
    }
}
