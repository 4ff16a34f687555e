import ArgumentParser
import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore

/// `fazhi statistics ...`: 行政执法统计年报.
struct StatisticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statistics", abstract: "统计年报 / the year's enforcement figures (compliance officer, auditor).",
        subcommands: [Show.self, Publish.self, Export.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Your agency's figures for a year.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "The year; default: last year.") var year: Int32?

        func run() async throws {
            let session = try SavedSession.read()
            let year = year ?? Int32(Moment(instant: Date()).day.year - 1)
            let s = try await client.withClient { grpc in
                try await Fazhi_V1_StatisticsService.Client(wrapping: grpc).getAnnualStatistics(.with { $0.year = year }, metadata: session.metadata)
            }
            if client.json {
                print(try s.jsonString())
                return
            }
            print("\(s.agencyName) (\(s.agencyCode)) \(s.year) 年行政执法统计 / enforcement statistics")
            try printTable(
                ["指标 figure", "数值 value"],
                [
                    ["执法人员（年末）officers at year end", "\(s.officersAtYearEnd)"],
                    ["有效执法证（年末）valid credentials at year end", "\(s.validCredentialsAtYearEnd)"],
                    ["发证 issued / 换证 renewed / 补证 replaced", "\(s.credentialsIssued) / \(s.credentialsRenewed) / \(s.credentialsReplaced)"],
                    ["年审 reviewed / 暂扣 suspended / 吊销 revoked", "\(s.credentialsReviewed) / \(s.credentialsSuspended) / \(s.credentialsRevoked)"],
                    ["立案 cases opened / 决定 decisions", "\(s.casesOpened) / \(s.decisions)"],
                    ["检查 inspections / 发现问题 findings", "\(s.inspections) / \(s.findings)"],
                    ["按期整改 on time / 逾期整改 late / 未整改 open", "\(s.rectifiedOnTime) / \(s.rectifiedLate) / \(s.rectificationOpen)"],
                    ["行政处罚 penalties / 罚款合计 fines (元)", "\(s.penaltyDecisions) / \(s.totalFines)"],
                    ["法制审核 通过 / 退回 / 不予通过 legal reviews", "\(s.legalReviewsApproved) / \(s.legalReviewsReturned) / \(s.legalReviewsRejected)"],
                    ["公示 按期 / 逾期 / 撤回 disclosures", "\(s.disclosuresOnTime) / \(s.disclosuresLate) / \(s.withdrawals)"],
                ], json: false)
            print("")
            try printTable(
                ["职权类别 category", "立案 cases", "决定 decisions"], s.casesByPowerCategory.map { [$0.category, "\($0.cases)", "\($0.decisions)"] },
                json: false)
            print("")
            try printTable(
                ["事项 item", "名称 name", "立案 cases", "决定 decisions"],
                s.casesByItem.map { [$0.itemCode, $0.itemName, "\($0.cases)", "\($0.decisions)"] }, json: false)
            print("")
            try printTable(
                ["月 month", "立案 cases", "决定 decisions", "检查 inspections", "公示 disclosures"],
                s.months.map { ["\($0.month)", "\($0.casesOpened)", "\($0.decisions)", "\($0.inspections)", "\($0.disclosures)"] }, json: false)
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a finished year's figures as a disclosure (compliance officer; due 31 January).")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "The year; default: last year.") var year: Int32?

        func run() async throws {
            let session = try SavedSession.read()
            let year = year ?? Int32(Moment(instant: Date()).day.year - 1)
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_StatisticsService.Client(wrapping: grpc).publishAnnualStatistics(
                    .with { $0.year = year }, metadata: session.mutating())
            }
            try printTable(
                ["disclosure_id", "due_on", "late"], [[response.disclosureID, response.dueOn, response.late ? "late" : ""]], json: client.json)
        }
    }
}

extension StatisticsCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the year's figures and case rows to a file (compliance officer, auditor).",
            discussion: "The file appears only when complete (written beside it, then renamed); a progress bar shows on standard error.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "The year; default: last year.") var year: Int32?
        @Option(name: .long, help: "csv or json.") var format = "csv"
        @Option(name: .long, help: "For csv: summary, categories, items, months or cases.") var table = "cases"
        @Option(name: .shortAndLong, help: "The file to write.") var output: String

        func run() async throws {
            let session = try SavedSession.read()
            let (year, format, table) = (year ?? Int32(Moment(instant: Date()).day.year - 1), format, table)
            let destination = URL(fileURLWithPath: output)
            let partial = destination.deletingLastPathComponent().appendingPathComponent(
                ".\(destination.lastPathComponent).\(UUID().uuidString).partial")
            guard FileManager.default.createFile(atPath: partial.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                let file = FileHandle(forWritingAtPath: partial.path)
            else {
                throw CommandFailure("无法写入 / cannot write \(partial.path)")
            }
            let progress = ProgressBar()
            do {
                try await client.withClient { grpc in
                    try await Fazhi_V1_StatisticsService.Client(wrapping: grpc).exportStatistics(
                        .with {
                            $0.year = year
                            $0.format = format
                            $0.table = table
                        }, metadata: session.metadata
                    ) { response in
                        for try await chunk in response.messages {
                            try file.write(contentsOf: chunk.data)
                            progress.show(chunk.rowsWritten, of: chunk.rowsTotal, bytes: chunk.data.count)
                        }
                    }
                }
                try file.synchronize()
                try file.close()
                // rename(2) replaces the destination in one step: a reader sees the old file or the whole new one.
                guard rename(partial.path, destination.path) == 0 else { throw CommandFailure("无法写入 / cannot rename to \(destination.path)") }
                progress.finish()
                print("已导出 / exported \(destination.path)")
            } catch {
                try? file.close()
                try? FileManager.default.removeItem(at: partial)
                progress.finish()
                throw error
            }
        }
    }
}
