import Foundation
import XCTest

@testable import Analysis

/// The preset's training fields are the ones training uses (§2.4, Table 3): each augmentation
/// field reaches the `TrainingConfig` a training stage hashes and runs, and a preset naming
/// something training cannot do is rejected when it is loaded.
final class PresetWiringTests: XCTestCase {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs")

    /// The part of a training stage's configuration this test reads: the config it trains with.
    struct Recorded: Decodable { var config: TrainingConfig }

    /// The `TrainingConfig` recorded in the configuration of `preset`'s training stage.
    func recorded(_ preset: Preset, model: ModelKind = .resnet50v2FPN, fold: Int = 1) throws -> TrainingConfig {
        try JSONDecoder().decode(Recorded.self, from: TrainStage.definition(model, fold: fold, preset: preset).configuration).config
    }

    // MARK: - The mapping

    func testPaperPresetMapsToThePaperAugmentation() throws {
        let paper = try Preset.load(name: "paper", directory: Self.configs)
        XCTAssertEqual(paper.training.augmentation, AugmentationParameters.paper)
        XCTAssertEqual(TrainStage.config(.resnet50v2FPN, preset: paper).augmentation, .paper)
        XCTAssertEqual(try recorded(paper).augmentation, .paper)
        XCTAssertEqual(paper.training.optimizer, "Nadam")
    }

    func testEveryAugmentationFieldReachesTheStageAndItsKey() throws {
        let base = try Preset.load(name: "default", directory: Self.configs)
        let baseConfiguration = TrainStage.definition(.xception, fold: 2, preset: base).configuration
        let cases: [(String, (inout Preset) -> Void, (AugmentationParameters) -> Bool)] = [
            ("flips", { $0.training.flips = false }, { !$0.horizontalFlip && !$0.verticalFlip }),
            ("zoomRange", { $0.training.zoomRange = 0.2 }, { $0.zoomRange == 0.2 }),
            ("rotationDegrees", { $0.training.rotationDegrees = 30 }, { $0.rotationRangeDegrees == 30 }),
            ("shiftRange", { $0.training.shiftRange = 0.125 }, { $0.widthShiftFraction == 0.125 && $0.heightShiftFraction == 0.125 })
        ]
        for (field, change, holds) in cases {
            var preset = base
            change(&preset)
            XCTAssertNoThrow(try preset.validate(file: "\(field).json"), field)
            let definition = TrainStage.definition(.xception, fold: 2, preset: preset)
            XCTAssertNotEqual(definition.configuration, baseConfiguration, "\(field) does not change the training stage's configuration")
            XCTAssertNotEqual(
                StageKey.key(stage: definition.name, configuration: definition.configuration, upstream: [:]),
                StageKey.key(stage: definition.name, configuration: baseConfiguration, upstream: [:]), field)
            let config = try recorded(preset, model: .xception, fold: 2)
            XCTAssertTrue(holds(config.augmentation), "\(field): the recorded config has \(config.augmentation)")
            XCTAssertEqual(config, TrainStage.config(.xception, preset: preset), field)
            XCTAssertEqual(
                config.augmentation.shearRangeDegrees, AugmentationParameters.paper.shearRangeDegrees,
                "\(field): the shear stays the paper's")
            // The ablation stage trains from the same config.
            XCTAssertNotEqual(
                InputScalingStage.definition(preset: preset).configuration,
                InputScalingStage.definition(preset: base).configuration, "\(field) does not reach the input-scaling stage")
        }
    }

    /// The schedule reaches the stage's config and key; absent and "constant" are the same
    /// config (and key) as before the field existed.
    func testTheLearningRateScheduleReachesTheStage() throws {
        var preset = try Preset.load(name: "default", directory: Self.configs)
        preset.training.learningRateSchedule = nil
        let before = TrainStage.definition(.resnet50v2FPN, fold: 1, preset: preset).configuration
        XCTAssertNil(try recorded(preset).learningRateSchedule)
        preset.training.learningRateSchedule = "constant"
        XCTAssertEqual(TrainStage.definition(.resnet50v2FPN, fold: 1, preset: preset).configuration, before)
        preset.training.learningRateSchedule = "cosine"
        XCTAssertNoThrow(try preset.validate(file: "cosine.json"))
        XCTAssertNotEqual(TrainStage.definition(.resnet50v2FPN, fold: 1, preset: preset).configuration, before)
        XCTAssertEqual(try recorded(preset).schedule, .cosine)
    }

    /// Cosine: the full rate on the first step, half at mid-run, falling towards zero on the
    /// last; constant: 1 throughout.
    func testCosineScheduleFactors() {
        let s = LearningRateSchedule.cosine
        XCTAssertEqual(s.factor(epoch: 0, batch: 0, epochs: 4, batchesPerEpoch: 10), 1, accuracy: 1e-12)
        XCTAssertEqual(s.factor(epoch: 2, batch: 0, epochs: 4, batchesPerEpoch: 10), 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.factor(epoch: 3, batch: 9, epochs: 4, batchesPerEpoch: 10), 0.5 * (1 + cos(Double.pi * 39 / 40)), accuracy: 1e-12)
        var last = 2.0
        for e in 0..<4 {
            for b in 0..<10 {
                let f = s.factor(epoch: e, batch: b, epochs: 4, batchesPerEpoch: 10)
                XCTAssertLessThan(f, last); XCTAssertGreaterThan(f, 0); last = f
            }
        }
        XCTAssertEqual(LearningRateSchedule.constant.factor(epoch: 3, batch: 9, epochs: 4, batchesPerEpoch: 10), 1)
    }

    func testDisabledRangesMapToNoAugmentationExceptShear() {
        var t = Preset.Training(
            epochs: 1, batchSize: 2, learningRate: 1e-4, optimizer: "Nadam", loss: "categorical cross-entropy",
            flips: false, zoomRange: 0, rotationDegrees: 0, shiftRange: 0)
        var expected = AugmentationParameters.disabled
        expected.shearRangeDegrees = AugmentationParameters.paper.shearRangeDegrees
        XCTAssertEqual(t.augmentation, expected)
        t.rotationDegrees = 360
        XCTAssertEqual(t.augmentation.rotationRangeDegrees, 360)
    }

    // MARK: - Validation

    /// Writes `preset` as `<dir>/<name>.json` and loads it back.
    func roundTrip(_ preset: Preset) throws -> Preset {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("preset-wiring-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try JSONEncoder().encode(preset).write(to: dir.appendingPathComponent("\(preset.name).json"))
        return try Preset.load(name: preset.name, directory: dir)
    }

    func testUnsupportedOrOutOfRangeFieldsAreRejectedWithTheFieldNamed() throws {
        let base = try Preset.load(name: "smoke", directory: Self.configs)
        XCTAssertEqual(try roundTrip(base), base)
        let bad: [(String, (inout Preset) -> Void, String)] = [
            ("training.optimizer", { $0.training.optimizer = "Adam" }, "\"Nadam\""),
            ("training.loss", { $0.training.loss = "mean squared error" }, "\"categorical cross-entropy\""),
            ("training.zoomRange", { $0.training.zoomRange = -0.1 }, "[0, 1)"),
            ("training.zoomRange", { $0.training.zoomRange = 1 }, "[0, 1)"),
            ("training.zoomRange", { $0.training.zoomRange = .nan }, "[0, 1)"),
            ("training.shiftRange", { $0.training.shiftRange = -0.05 }, "[0, 1)"),
            ("training.shiftRange", { $0.training.shiftRange = 1.5 }, "[0, 1)"),
            ("training.rotationDegrees", { $0.training.rotationDegrees = 361 }, "[0, 360]"),
            ("training.rotationDegrees", { $0.training.rotationDegrees = -5 }, "[0, 360]"),
            ("training.rotationDegrees", { $0.training.rotationDegrees = .nan }, "[0, 360]"),
            ("training.slices", { $0.training.slices = "balanced" }, "\"series-balanced\""),
            ("training.learningRateSchedule", { $0.training.learningRateSchedule = "linear" }, "\"cosine\"")
        ]
        for (field, change, accepted) in bad {
            var preset = base
            change(&preset)
            preset.name = "bad"
            XCTAssertThrowsError(try preset.validate(file: "configs/bad.json"), field) { error in
                guard case let PresetError.invalidField(file, named, _, acceptedText) = error else {
                    return XCTFail("\(field): \(error)")
                }
                XCTAssertEqual(file, "configs/bad.json")
                XCTAssertEqual(named, field)
                XCTAssertTrue(acceptedText.contains(accepted), "\(field): accepted '\(acceptedText)'")
                let message = "\(error)"
                XCTAssertTrue(message.contains("configs/bad.json") && message.contains(field) && message.contains(accepted), message)
            }
            // NaN has no JSON form; the finite cases go through a file.
            let finite = [preset.training.zoomRange, preset.training.shiftRange, preset.training.rotationDegrees].allSatisfy(\.isFinite)
            guard finite else { continue }
            XCTAssertThrowsError(try roundTrip(preset), "\(field) passed Preset.load") { error in
                guard case let PresetError.invalidField(file, named, _, _) = error else { return XCTFail("\(field): \(error)") }
                XCTAssertTrue(file.hasSuffix("bad.json"), file)
                XCTAssertEqual(named, field)
            }
        }
        // The boundary values are accepted.
        var edge = base
        edge.training.rotationDegrees = 360; edge.training.zoomRange = 0; edge.training.shiftRange = 0.999
        XCTAssertNoThrow(try edge.validate(file: "edge.json"))
    }

    /// `training.slices` reaches the training stages: their config, key and upstream (the
    /// selection, which a series-balanced set draws from).
    func testTrainingSlicesReachTheTrainingStage() throws {
        let base = try Preset.load(name: "smoke", directory: Self.configs)
        XCTAssertEqual(base.training.trainingSlices, .labelled)
        var balanced = base
        balanced.training.slices = "series-balanced"
        XCTAssertEqual(TrainStage.config(.resnet50v2FPN, preset: balanced).slices, .seriesBalanced)
        XCTAssertNotEqual(
            TrainStage.definition(.resnet50v2FPN, fold: 1, preset: balanced).configuration,
            TrainStage.definition(.resnet50v2FPN, fold: 1, preset: base).configuration)
        XCTAssertTrue(TrainStage.definition(.resnet50v2FPN, fold: 1, preset: balanced).upstream.contains(SelectionStage.name))
        XCTAssertFalse(TrainStage.definition(.resnet50v2FPN, fold: 1, preset: base).upstream.contains(SelectionStage.name))
        // The audit trains the FPN with the other choice, under its own stage names.
        XCTAssertEqual(SeriesBalanceStage.auditSlices(base), .seriesBalanced)
        XCTAssertEqual(SeriesBalanceStage.auditSlices(balanced), .labelled)
        XCTAssertEqual(SeriesBalanceStage.trainingStageNames(preset: base).first, "train-fpn-series-balanced-fold1")
        XCTAssertEqual(SeriesBalanceStage.trainingDefinitions(preset: base).first?.name, "train-fpn-series-balanced-fold1")
    }

    func testShippedPresetsAreValid() throws {
        for preset in try Preset.loadAll(directory: Self.configs) {
            XCTAssertNoThrow(try preset.validate(file: preset.name), preset.name)
        }
    }
}
