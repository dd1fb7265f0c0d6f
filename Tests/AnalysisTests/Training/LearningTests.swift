import Foundation
import NeuralNet
import XCTest

@testable import Analysis

/// Training learns the twin's disease: a short run on a small twin must separate COVID-19 from
/// normal slices of held-out patients (validation AUC > 0.8). Fails when training, the input
/// path or the twin's lesions are broken.
final class LearningTests: XCTestCase {
    /// The labelled slices of `patients`, rendered by the twin and prepared at `size`.
    func set(_ twin: SyntheticTwin, patients: [String], size: Int, perPatient: Int) throws -> ImageSet {
        let plans = twin.plan().filter { patients.contains($0.patientID) }
        var records: [ImageRecord] = [], pixels: [Float] = []
        let prep = InputPreparation(size: size)
        for id in patients {
            let slices = plans.filter { $0.patientID == id }.flatMap { p in p.labelledImageNumbers.map { (p, $0) } }
            let step = max(1, slices.count / perPatient)
            for (p, n) in stride(from: 0, to: slices.count, by: step).prefix(perPatient).map({ slices[$0] }) {
                let (px, _) = try twin.renderSlice(patient: id, series: p.series, imageNumber: n)
                pixels += prep.prepare(px.map(Float.init), width: twin.config.size, height: twin.config.size)
                records.append(ImageRecord(key: SliceKey(patientID: id, series: p.series, imageNumber: n), path: "", label: p.label))
            }
        }
        return ImageSet(records: records, size: size, pixels: pixels)
    }

    func testShortTrainingOnTheTwinSeparatesHeldOutPatients() throws {
        // The paper's FPN at the default preset's width on a 72 px twin of 20 + 20 patients: 14 + 14 to
        // train, 6 + 6 held out.
        let twin = try SyntheticTwin(config: SynthConfig(size: 72, patients: .firstBalanced(40), seed: 3))
        let covid = twin.diseaseTruth().filter { $0.label == .covid }.map(\.patientID)
        let normal = twin.diseaseTruth().filter { $0.label == .normal }.map(\.patientID)
        let train = try set(twin, patients: Array(covid.prefix(14)) + Array(normal.prefix(14)), size: 72, perPatient: 16)
        let validation = try set(twin, patients: Array(covid.suffix(6)) + Array(normal.suffix(6)), size: 72, perPatient: 10)
        XCTAssertEqual(Set(train.labels), [.covid, .normal])
        // Width 0.125 and the default preset's schedule: learning rate 2e-3 falling to zero on a
        // cosine. On the twin whose noise and blur are set for the image size (twin code version
        // 4), a constant 1e-3 stayed at the majority class for five epochs and its held-out AUC
        // was at most 0.77 after 8 epochs and 0.58 in epochs 10-12; with the cosine schedule
        // it was 0.87-0.90 from epoch 5 of 10. (On the earlier twin, whose thin sharp series
        // were grainier, the constant rate passed: part of that was the series.)
        let config = TrainingConfig(
            model: .resnet50v2FPN, scale: ModelScale(inputSize: 72, widthMultiplier: 0.125, fpnFeatures: 16, batchNormMomentum: 0.9),
            epochs: 10, batchSize: 12, learningRate: 2e-3, seed: 5,
            augmentation: AugmentationParameters(rotationRangeDegrees: 15), evaluationBatchSize: 32,
            learningRateSchedule: .cosine)
        let dir = TemporaryDirectory("learning")
        defer { dir.remove() }
        let out = try Trainer(config: config, graph: config.model.build(scale: config.scale, seed: 7)).train(
            training: train, validation: validation,
            outputDirectory: dir.url)
        let aucs = out.history.records.compactMap(\.validationAUC)
        XCTAssertEqual(aucs.count, config.epochs)
        print("learning test: validation AUC by epoch \(aucs)")
        // Late in the run, not in the first epochs, the network must separate the held-out
        // patients' slices (an untrained or broken run stays near 0.5).
        let late = aucs.suffix(3).max() ?? 0
        XCTAssertGreaterThan(late, 0.8, "validation AUC by epoch: \(aucs); training accuracy: \(out.history.records.map(\.trainAccuracy))")
    }
}
