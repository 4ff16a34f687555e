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
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(name: "FazhiDomain"),
        .target(
            name: "FazhiPostgres",
            dependencies: [
                "CLibPQ",
                "FazhiDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "fazhi",
            dependencies: [
                "FazhiDomain",
                "FazhiPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "FazhiBenchmarks",
            dependencies: [
                "FazhiPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FazhiDomainTests", dependencies: ["FazhiDomain"]),
        .testTarget(
            name: "FazhiPostgresTests",
            dependencies: ["FazhiPostgres", "FazhiDomain"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
