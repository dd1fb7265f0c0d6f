import NeuralNet
import XCTest

@testable import Analysis

/// The benchmark's code path on tiny models (no time is asserted).
final class ModelBenchmarkTests: XCTestCase {
    func testModelBenchmarkTinyConfiguration() throws {
        let config = ModelBenchmark.Configuration(
            inference: [.init(pixels: 72, batch: 1), .init(pixels: 72, batch: 2)], training: .init(pixels: 72, batch: 2),
            widthMultiplier: 0.0625, fpnFeatures: 4, repeats: 1, ceilingSizes: [64])
        var steps: [String] = []
        let report = try ModelBenchmark.run(config) { steps.append($0) }
        XCTAssertEqual(report.measurements.count, 7)
        XCTAssertEqual(report.measurements.filter { $0.task == "training" }.map(\.model), ["ResNet50V2-FPN"])
        for m in report.measurements {
            XCTAssertGreaterThan(m.msPerImage, 0, m.model)
            XCTAssertEqual(m.msPerBatch / Double(m.batch), m.msPerImage, accuracy: 1e-9)
            XCTAssertGreaterThan(m.multiplyAddsPerImage, 0)
            XCTAssertGreaterThan(m.peakRSSMiB, 0)
            XCTAssertEqual(m.fractionOfCeiling, m.gflops / report.ceilingGFLOPs, accuracy: 1e-12)
            XCTAssertNil(m.anchorMsPerImage, "anchors apply to full-size models only")
        }
        XCTAssertNil(report.fpnInferenceBarMet)
        XCTAssertNil(report.fpnTrainingBarMet)
        XCTAssertEqual(steps.first, "sgemm ceiling")
        let back = try JSONDecoder().decode(ModelBenchmark.Report.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(back, report)
    }

    /// `bench models --small`'s code path: every network at every size, round-robin, GFLOP/s and
    /// the fraction of the ceiling consistent, TensorFlow's figure only where it was measured
    /// (the FPN at width 0.125, FPN features 32, batch 14).
    func testSmallScaleTrainingReport() throws {
        var steps: [String] = []
        let report = try ModelBenchmark.smallScaleTraining(pixels: [72], batch: 2, repeats: 1, ceilingSizes: [64]) { steps.append($0) }
        XCTAssertEqual(report.measurements.map(\.model), ["ResNet50V2-FPN", "ResNet50V2", "Xception"])
        XCTAssertEqual(report.widthMultiplier, 0.125)
        XCTAssertEqual(report.fpnFeatures, 32)
        for m in report.measurements {
            XCTAssertEqual(m.pixels, 72)
            XCTAssertGreaterThan(m.msPerImage, 0)
            XCTAssertLessThanOrEqual(m.fastestMsPerImage, m.msPerImage)
            XCTAssertEqual(m.gflops, Double(m.multiplyAddsPerImage) * 6 / (m.msPerImage * 1e-3) * 1e-9, accuracy: 1e-9 * m.gflops)
            XCTAssertEqual(m.fractionOfCeiling, m.gflops / report.ceilingGFLOPs, accuracy: 1e-12)
            XCTAssertNil(m.tensorFlowFPNMsPerImage, "TensorFlow was timed at batch 14 only")
        }
        XCTAssertEqual(ModelBenchmark.smallFPNTrainingAnchors, [96: 6.1, 72: 3.9], "docs/performance-anchors.md")
        XCTAssertEqual(steps.first, "sgemm ceiling")
        let back = try JSONDecoder().decode(ModelBenchmark.SmallScaleReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(back, report)
    }

    func testModelBenchmarkInputIsClosedForm() {
        let x = ModelBenchmark.input(batch: 2, pixels: 3)
        XCTAssertEqual(x.shape, [2, 3, 3, 1])
        // n = 1, y = 2, x = 1: 0.5 + 0.5·sin(0.74 + 0.23 + 0.71)
        XCTAssertEqual(x.data[(1 * 3 + 2) * 3 + 1], Float(0.5 + 0.5 * sin(1.68)), accuracy: 1e-6)
        XCTAssertEqual(x.data[0], 0.5, accuracy: 1e-7)
    }
}
