// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "fazhi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fazhi", targets: ["fazhi"]),
        .executable(name: "fazhi-bench", targets: ["FazhiBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Tests only: an independent RFC 4180 reader checks the CSV exports.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // The rules: values, state machines with "now" passed in, calendars, redaction,
        // Merkle math, signed notes. No store, no I/O, nothing async.
        .target(
            name: "FazhiRules",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The use cases, and the store protocols they run on (Stores/); adapters call them,
        // FazhiPostgres implements the stores.
        .target(
            name: "FazhiUseCases",
            dependencies: [
                "FazhiRules",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Generated from proto/ by scripts/generate-rpc.sh; never edited by hand.
        .target(
            name: "FazhiRPC",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // The wire mapping: protobuf messages to and from domain values, and the checks of
        // request fields; the gRPC adapters and the CLI's client verbs share it.
        .target(
            name: "FazhiWire",
            dependencies: [
                "FazhiRules",
                "FazhiUseCases",
                "FazhiRPC",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "FazhiGateway",
            dependencies: [
                "FazhiRules",
                "FazhiUseCases",
                "FazhiWire",
                "FazhiRPC",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "FazhiPostgres",
            dependencies: [
                "CLibPQ",
                "FazhiRules",
                "FazhiUseCases",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Hubin demo: a simulated 2023 driven through the use cases.
        .target(
            name: "FazhiDemo",
            dependencies: ["FazhiRules", "FazhiUseCases"]
        ),
        // Files kept on disk: evidence, content-addressed.
        .target(
            name: "FazhiFiles",
            dependencies: [
                "FazhiRules",
                "FazhiUseCases",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The CLI's client verbs: the wire contract and its mapping, no server module.
        .target(
            name: "FazhiClientVerbs",
            dependencies: [
                "FazhiRules",
                "FazhiUseCases",
                "FazhiWire",
                "FazhiRPC",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "fazhi",
            dependencies: [
                "FazhiClientVerbs",
                "FazhiDemo",
                "FazhiRules",
                "FazhiUseCases",
                "FazhiFiles",
                "FazhiPostgres",
                "FazhiGateway",
                "FazhiWire",
                "FazhiRPC",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "FazhiBenchmarks",
            dependencies: [
                "FazhiPostgres",
                "FazhiRules",
                "FazhiUseCases",
                "FazhiRPC",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The throwaway PostgreSQL and per-test databases that every database test uses.
        .target(name: "FazhiTestSupport", dependencies: ["FazhiPostgres"], path: "Tests/FazhiTestSupport"),
        // The rules alone: no store, no database.
        .testTarget(name: "FazhiRulesTests", dependencies: ["FazhiRules"]),
        .testTarget(name: "FazhiClientVerbsTests", dependencies: ["FazhiClientVerbs"]),
        .testTarget(name: "FazhiDemoTests", dependencies: ["FazhiDemo", "FazhiRules", "FazhiUseCases", "FazhiPostgres", "FazhiTestSupport"]),
        .testTarget(
            name: "FazhiPostgresTests",
            dependencies: ["FazhiPostgres", "FazhiRules", "FazhiUseCases", "FazhiTestSupport"]
        ),
        .testTarget(
            name: "FazhiGatewayTests",
            dependencies: [
                "FazhiGateway", "FazhiPostgres", "FazhiRules", "FazhiUseCases", "FazhiRPC", "FazhiTestSupport", "FazhiFiles",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
