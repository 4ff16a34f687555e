import FazhiRules
import FazhiUseCases
import Foundation
import Logging
import ServiceLifecycle

/// Runs `EvidenceSweepWork` when the server starts and then every `interval`, so a restart
/// after a crash leaves no partial upload behind and no unreferenced file stays longer
/// than its grace (docs/OPERATOR.md).
struct EvidenceJanitor: Service {
    let sweep: EvidenceSweepWork
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let result = try await sweep.run(now: Date())
                    if result != EvidenceSweepWork.Result() {
                        logger.info(
                            "evidence swept",
                            metadata: [
                                "abandoned_uploads": "\(result.abandonedUploads)", "unreferenced_files": "\(result.unreferencedFiles)",
                            ])
                    }
                } catch {
                    logger.warning("evidence sweep failed; next try in one interval", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
