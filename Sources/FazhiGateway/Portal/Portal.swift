import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL

/// 公示门户: the public HTTPS portal (no sign-in). Each agency's disclosures listed,
/// searched and checked in the browser against the signed log; credential verification;
/// the power list; and the log itself in the C2SP tlog-tiles layout, so transparency
/// tools can audit it.
///
/// Where each page reads: list pages (the agencies, the disclosures, the power list) and
/// the log's checkpoint and tiles may read from a standby (`replica`), a replication delay
/// behind; one entry, credential verification and the log's keys read from the primary
/// (`store`), so a suspension, a withdrawal or a rotated key is never shown stale.
public struct Portal: Sendable {
    let store: any TenantStore
    let replica: any TenantStore
    let disclosures: DisclosureWork
    let log: DisclosureLogWork
    let replicaLog: DisclosureLogWork
    let verification: VerificationWork
    let powerList: PowerListWork
    let clock: @Sendable () -> Date

    /// `replica`, when given, serves the list pages and the log's checkpoint and tiles.
    public init(store: any TenantStore, replica: (any TenantStore)? = nil, secrets: ServerSecrets, clock: @escaping @Sendable () -> Date = { Date() })
    {
        self.store = store
        let replica = replica ?? store
        self.replica = replica
        disclosures = DisclosureWork(store: replica)
        log = DisclosureLogWork(store: store, sealer: secrets.signingKeys)
        replicaLog = DisclosureLogWork(store: replica, sealer: secrets.signingKeys)
        verification = VerificationWork(store: store)
        powerList = PowerListWork(store: replica)
        self.clock = clock
    }

    /// The portal over HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with the server's certificate,
    /// under the same connection limits as the gRPC ports: connections beyond `limits`
    /// (overall or from one address) are closed as they arrive, one without a finished TLS
    /// handshake after `limits.handshakeTimeout`, and one idle for `limits.idleTimeout`.
    public func application(
        host: String, port: Int, certificateChainPath: String, privateKeyPath: String, logger: Logger,
        limits: ConnectionLimits = ConnectionLimits(), tlsReloadInterval: Duration = .seconds(10),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let tls = try ServerTLS.configuration(
            certificateChainPath: certificateChainPath, privateKeyPath: privateKeyPath, applicationProtocols: ["h2", "http/1.1"])
        var http2 = HTTP2UpgradeChannel.Configuration()
        http2.idleTimeout = limits.idleTimeout
        http2.gracefulCloseTimeout = .seconds(10)
        let count = ConnectionCount(limits)
        // Read from the files at every reload, not from `tls`, which holds what they said at start.
        let reloading = try ReloadingTLSContext(
            files: [certificateChainPath, privateKeyPath], what: "TLS certificate", interval: tlsReloadInterval, logger: logger
        ) {
            try NIOSSLContext(
                configuration: ServerTLS.configuration(
                    certificateChainPath: certificateChainPath, privateKeyPath: privateKeyPath, applicationProtocols: ["h2", "http/1.1"]))
        }
        let server = HTTPServerBuilder { [http2] responder in
            GuardedChildChannel(
                base: try HTTP2UpgradeChannel(tlsConfiguration: tls, configuration: http2, responder: responder), tls: reloading, count: count)
        }
        return Application(
            router: router(), server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "fazhi"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: PortalGuard())
        router.get("/static/portal.css") { _, _ in Self.asset(PortalAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/verify.js") { _, _ in Self.asset(PortalAssets.verifier, type: "text/javascript; charset=utf-8") }
        router.get("/") { request, _ in try await home(request) }
        router.get("/:agency") { request, context in
            Response(
                status: .seeOther, headers: [.location: "/\(try context.parameters.require("agency"))/disclosures" + Self.languageSuffix(request)])
        }
        router.get("/:agency/disclosures") { request, context in try await list(request, agencyCode: try context.parameters.require("agency")) }
        router.get("/:agency/disclosures/:id") { request, context in
            try await entry(request, agencyCode: try context.parameters.require("agency"), id: try context.parameters.require("id"))
        }
        router.get("/:agency/verify") { request, context in try await verify(request, agencyCode: try context.parameters.require("agency")) }
        router.get("/:agency/power-list") { request, context in try await powerListPage(request, agencyCode: try context.parameters.require("agency"))
        }
        router.get("/:agency/log") { request, context in try await logPage(request, agencyCode: try context.parameters.require("agency")) }
        router.get("/:agency/log/checkpoint") { _, context in try await checkpoint(agencyCode: try context.parameters.require("agency")) }
        router.get("/:agency/log/key") { _, context in
            let agency = try await agency(try context.parameters.require("agency"))
            return Self.text(try await log.verifierKey(agency: agency).description + "\n")
        }
        // Every key the log was ever signed with, the one in use first, one per line.
        router.get("/:agency/log/keys") { _, context in
            let agency = try await agency(try context.parameters.require("agency"))
            return Self.text(try await log.verifierKeys(agency: agency).map { $0.description + "\n" }.joined())
        }
        router.get("/:agency/log/tile/**") { request, context in
            let agency = try await listedAgency(try context.parameters.require("agency"))
            let rest = request.uri.path.split(separator: "/log/tile/", maxSplits: 1).last ?? ""
            guard let path = TilePath(rest), let tile = try await replicaLog.tile(agency: agency, path) else { throw HTTPError(.notFound) }
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "public, max-age=31536000, immutable"],
                body: .init(byteBuffer: ByteBuffer(bytes: tile)))
        }
        return router
    }

    // MARK: Helpers

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                // Nothing but our own script and styles runs here.
                .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'",
                .init("X-Content-Type-Options")!: "nosniff",
            ], body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func languageSuffix(_ request: Request) -> String { request.uri.queryParameters.get("lang") == "en" ? "?lang=en" : "" }

    /// The agency, read from the primary.
    func agency(_ code: String) async throws -> Agency {
        guard let agency = try await store.publicAgency(code: code) else { throw HTTPError(.notFound, message: "no such agency") }
        return agency
    }

    /// The agency, read where list pages read.
    func listedAgency(_ code: String) async throws -> Agency {
        guard let agency = try await replica.publicAgency(code: code) else { throw HTTPError(.notFound, message: "no such agency") }
        return agency
    }

    func checkpoint(agencyCode: String) async throws -> Response {
        let agency = try await listedAgency(agencyCode)
        guard let checkpoint = try await replicaLog.latestCheckpoint(agency: agency) else {
            throw HTTPError(.notFound, message: "the log has no checkpoint yet")
        }
        return Self.text(checkpoint.note)
    }
}
