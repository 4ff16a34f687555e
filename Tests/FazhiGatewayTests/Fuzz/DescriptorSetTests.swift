import Foundation
import SwiftProtobuf
import Testing

/// The committed descriptor set (proto/fazhi.binpb) is what protoc makes of proto/ today,
/// so the fuzz test cannot miss a method added since. Needs protoc (CI installs it).
@Suite struct DescriptorSetTests {
    @Test func theCommittedDescriptorSetMatchesTheProtos() throws {
        let root = RPCFuzzTests.descriptorSetPath.deletingLastPathComponent().deletingLastPathComponent()
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("fazhi-\(UUID().uuidString).binpb")
        defer { try? FileManager.default.removeItem(at: fresh) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/generate-descriptors.sh").path, fresh.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "scripts/generate-descriptors.sh ran (protoc installed?)")
        let committed = try Google_Protobuf_FileDescriptorSet(serializedBytes: try Data(contentsOf: RPCFuzzTests.descriptorSetPath))
        let current = try Google_Protobuf_FileDescriptorSet(serializedBytes: try Data(contentsOf: fresh))
        #expect(committed == current, "proto/fazhi.binpb is stale: run scripts/generate-descriptors.sh")
    }
}
