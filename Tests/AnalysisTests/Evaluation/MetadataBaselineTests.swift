import XCTest

@testable import Analysis

final class MetadataBaselineTests: XCTestCase {
    /// Thickness separates the classes perfectly: the thickness model reaches AUC 1 on held-out
    /// images; noise, unrelated to the label here, stays near chance.
    func testThicknessThatSeparatesTheClassesGivesAUCOne() {
        var rng = SplitMix64(seed: 3, stream: "metadata-test")
        func sample(_ n: Int) -> ([MetadataBaseline.Features], [ClassLabel]) {
            var f: [MetadataBaseline.Features] = [], y: [ClassLabel] = []
            for i in 0..<n {
                let covid = i % 3 == 0
                let t = covid ? [1.5, 8][i % 2] : 6
                let noise = 10 + 20 * Double(rng.next() % 1000) / 1000
                f.append(.init(series: "SR_2", thicknessMM: t, noise: noise)); y.append(covid ? .covid : .normal)
            }
            return (f, y)
        }
        let (trainF, trainY) = sample(300), (testF, testY) = sample(120)
        let thickness = MetadataBaseline.fit(trainF, labels: trainY, set: .thickness)
        XCTAssertEqual(ROCCurve(scores: testF.map(thickness.probability), truths: testY).auc, 1, accuracy: 1e-12)
        let all = MetadataBaseline.fit(trainF, labels: trainY, set: .all)
        XCTAssertEqual(ROCCurve(scores: testF.map(all.probability), truths: testY).auc, 1, accuracy: 1e-12)
        let noise = MetadataBaseline.fit(trainF, labels: trainY, set: .noise)
        XCTAssertLessThan(abs(ROCCurve(scores: testF.map(noise.probability), truths: testY).auc - 0.5), 0.2)
    }

    func testSeriesFeatureAndNoiseEstimate() {
        // Series alone: COVID in SR_3/SR_4, normal in SR_2 -> perfect.
        let f = (0..<40).map { MetadataBaseline.Features(series: ["SR_2", "SR_3", "SR_4", "SR_2"][$0 % 4], thicknessMM: 5, noise: 1) }
        let y: [ClassLabel] = f.map { $0.series == "SR_2" ? .normal : .covid }
        let m = MetadataBaseline.fit(f, labels: y, set: .series)
        XCTAssertEqual(ROCCurve(scores: f.map(m.probability), truths: y).auc, 1)
        // The noise estimate of a flat image is 0 and grows with added noise.
        let flat = [Float](repeating: 1000, count: 64 * 64)
        XCTAssertEqual(MetadataBaseline.noise(flat, width: 64, height: 64), 0)
        var rng = SplitMix64(seed: 1, stream: "noise")
        let noisy = flat.map { $0 + Float(Double(rng.next() % 2001) / 10 - 100) }
        XCTAssertGreaterThan(MetadataBaseline.noise(noisy, width: 64, height: 64), 20)
    }
}
