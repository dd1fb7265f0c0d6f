import XCTest

@testable import Analysis

/// The `paper` preset starts correctly: one real training step of the paper's network at full
/// size (512 px, full width, 256 FPN features), and the estimate projected from it.
final class TrainingEstimateTests: XCTestCase {
    func testPaperPresetRunsOneFullSizeStepAndProjects() throws {
        let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs")
        let paper = try Preset.load(name: "paper", directory: configs)
        XCTAssertEqual(paper.model.inputSize, 512)
        XCTAssertEqual(paper.model.widthMultiplier, 1)
        // Batch 1 keeps the debug-build test short; the command measures the preset's batch 14.
        let result = try TrainingEstimate.run(preset: paper, models: [.resnet50v2FPN], steps: 1, batchSize: 1)
        let fpn = try XCTUnwrap(result.models.first)
        XCTAssertEqual(result.scale.inputSize, 512)
        XCTAssertTrue(fpn.lastLoss.isFinite && fpn.lastLoss > 0, "loss \(fpn.lastLoss)")
        XCTAssertGreaterThan(fpn.secondsPerTrainingImage, 0)
        let images = Double(TrainingEstimate.paperTrainingImagesPerFold) + Double(TrainingEstimate.validationImagesPerEpoch) / 3
        XCTAssertEqual(
            fpn.projectedSeconds, fpn.secondsPerTrainingImage * images * Double(paper.training.epochs) * Double(paper.folds),
            accuracy: 1e-6 * fpn.projectedSeconds)
        XCTAssertEqual(result.projectedSeconds, fpn.projectedSeconds)
    }
}
