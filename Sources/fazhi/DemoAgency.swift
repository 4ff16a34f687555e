import FazhiClientVerbs
import FazhiDemo
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

/// The demo agency 湖滨区民政局 (411202-MZ) of `fazhi dev` and `fazhi demo`: created with an
/// admin when missing, then filled by `HubinDemo` while it has no cases.
enum DemoAgency {
    static let code = "411202-MZ"

    /// The demo agency and its admin; the password of a first run is kept in dev.json.
    static func ensureAgency(_ store: PostgresTenantStore) async throws -> (username: String, password: String) {
        if try await store.agency(code: code) != nil {
            guard let info = DevInfo.read() else {
                throw CommandFailure(
                    "演示机构已存在但 \(DevInfo.file.path) 丢失 / the demo agency exists but dev.json is gone; run `fazhi db stop`, delete .fazhi/ and start again"
                )
            }
            return (info.username, info.password)
        }
        let password = DevInfo.randomPassword()
        _ = try await store.createAgency(
            code: code, name: "湖滨区民政局", divisionCode: "411202",
            admin: NewUser(
                username: "admin", displayName: "系统管理员", passwordHash: try PasswordHash.make(password, parameters: .standard), roles: [.admin]),
            audit: nil, at: Date())
        print("已创建演示机构 / created the demo agency 湖滨区民政局 (\(code))")
        return ("admin", password)
    }

    /// The Hubin bureau's power list, `data/power-list-hubin.csv` beside `sql/`; nil when
    /// the installation has no data directory.
    static func powerList() throws -> [PowerItem]? {
        let file = try MigrationSource.locate(explicit: nil).deletingLastPathComponent().appendingPathComponent("data/power-list-hubin.csv")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            print("未找到演示权责清单 / no demo power list at \(file.path)")
            return nil
        }
        return try PowerListCSV.parse(text)
    }

    /// Publishes the power list as the demo agency's first version now, when it has none
    /// (a development start without the demo data).
    static func ensurePowerList(_ store: PostgresTenantStore) async throws {
        guard let items = try powerList(), let agency = try await store.agency(code: code),
            let admin = try await store.transaction(agency: agency.id, .read, { try await $0.user(username: "admin") })
        else { return }
        if let version = try await PowerListWork(store: store).publishInitial(
            items, agency: agency, by: admin.id, username: admin.username, reason: "湖滨区民政局权责清单 / the bureau's power list", now: Date())
        {
            print("已发布权责清单第 \(version.version) 版（\(version.items.count) 项）/ published the power list")
        }
    }

    /// Loads the demo into agency `agencyCode` when it has no cases and the power list file
    /// is there. Shows a progress bar on standard error.
    /// What `loadIfEmpty` did.
    enum Outcome { case loaded, agencyHasCases, noPowerList }

    static func loadIfEmpty(
        _ store: PostgresTenantStore, secrets: ServerSecrets, agencyCode: String = code, adminUsername: String = "admin",
        volume: DemoVolume, password: String, seed: UInt64 = 2023
    ) async throws -> Outcome {
        guard let agency = try await store.agency(code: agencyCode) else {
            throw CommandFailure("机构 \(agencyCode) 不存在 / no agency \(agencyCode)")
        }
        let demo = HubinDemo(store: store, secrets: secrets)
        guard try await !demo.hasCases(agency: agency) else { return .agencyHasCases }
        guard let items = try powerList() else { return .noPowerList }
        let calendar = try await store.transaction(agency: agency.id, .read) { try await $0.workingDayCalendar() }
        let plan = DemoPlan(seed: seed, volume: volume, calendar: calendar, end: Date())
        print("正在载入湖滨区 2023 年演示数据（\(volume.rawValue)，\(plan.callCount) 次调用）/ loading the Hubin 2023 demo (\(plan.callCount) calls)…")
        let started = ContinuousClock.now
        let bar = ProgressBar(unit: "次调用 calls")
        let summary: HubinDemo.Summary
        do {
            summary = try await demo.load(agency: agency, adminUsername: adminUsername, plan: plan, powerList: items, password: password) {
                done, total in
                bar.show(Int64(done), of: Int64(total))
            }
            bar.finish()
        } catch {
            bar.finish()
            // Each call of the plan commits on its own, as a user's would: what came before
            // the failure stays, and the agency is no longer empty.
            throw CommandFailure(
                """
                演示数据载入中断，机构 \(agencyCode) 已留有部分数据 / the demo stopped part-way; agency \(agencyCode) keeps what was loaded: \(error)
                开发集群：fazhi db stop 后删除 .fazhi/ 重来；服务器：载入一个新建的机构 / development: run `fazhi db stop`, delete .fazhi/ and start again; server: load into a new agency
                """)
        }
        print(
            "已载入演示数据 / loaded: \(summary.officers) 名执法人员 officers, \(summary.parties) 个当事人 parties, \(summary.cases) 件案件 cases "
                + "in \((ContinuousClock.now - started).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
        print("演示账号 / demo accounts: \(summary.usernames.joined(separator: ", "))")
        return .loaded
    }
}
