import Analysis
import Foundation
import XCTest

/// `paper-repro train --model M --fold K --preset P` runs one training stage through the cache.
final class TrainCLITests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try CLIRunner.tinyPresetFolder("cli-train")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    var common: [String] {
        ["--preset", "tiny", "--configs", root.appendingPathComponent("configs").path, "--runs", root.appendingPathComponent("runs").path]
    }

    func testTrainRunsOneStageThenReusesIt() throws {
        let first = try CLIRunner.run(["train", "--model", "fpn", "--fold", "2"] + common)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("train-fpn-fold2: ResNet50V2-FPN at 72 px"), first.stdout)
        XCTAssertTrue(first.stdout.contains("best epoch"), first.stdout)
        XCTAssertFalse(first.stdout.contains("cached"), first.stdout)
        XCTAssertTrue(first.stderr.contains("epoch 2: loss"), first.stderr)
        let stageFolder = root.appendingPathComponent("runs/tiny/train-fpn-fold2")
        let keys = try FileManager.default.contentsOfDirectory(atPath: stageFolder.path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(keys.count, 1, "\(keys)")
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: stageFolder.appendingPathComponent(keys[0]).appendingPathComponent("best.safetensors").path))
        // No other training ran.
        let ran = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("runs/tiny").path)
        XCTAssertEqual(ran.filter { $0.hasPrefix("train") }, ["train-fpn-fold2"])

        let second = try CLIRunner.run(["train", "--model", "resnet50v2-fpn", "--fold", "2"] + common)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("cached: this training had already finished"), second.stdout)
    }

    func testStandaloneOptionsWithAPresetAreRejected() throws {
        let result = try CLIRunner.run(["train", "--model", "fpn", "--fold", "1", "--epochs", "3"] + common)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--epochs only apply to a standalone training with --out"), result.stderr)
    }

    func testFoldBeyondThePresetIsRejected() throws {
        let result = try CLIRunner.run(["train", "--model", "xception", "--fold", "3"] + common)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--fold must be in 1...2 (preset tiny)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("runs/tiny/train-xception-fold3").path))
    }

    /// Writes the tiny preset changed by `change` as `<name>.json` beside it.
    func writeVariant(_ name: String, _ change: (inout Preset) -> Void) throws {
        let configs = root.appendingPathComponent("configs")
        var preset = try JSONDecoder().decode(Preset.self, from: Data(contentsOf: configs.appendingPathComponent("tiny.json")))
        preset.name = name
        change(&preset)
        try JSONEncoder().encode(preset).write(to: configs.appendingPathComponent("\(name).json"))
    }

    /// The preset's augmentation fields are the ones the training records and uses.
    func testPresetAugmentationReachesTheRecordedTrainingConfig() throws {
        try writeVariant("augmented") {
            $0.training.epochs = 1
            $0.training.flips = false; $0.training.zoomRange = 0.1
            $0.training.rotationDegrees = 90; $0.training.shiftRange = 0.2
        }
        let args = [
            "train", "--model", "resnet50v2", "--fold", "1", "--threads", "1", "--preset", "augmented",
            "--configs", root.appendingPathComponent("configs").path, "--runs", root.appendingPathComponent("runs").path
        ]
        let result = try CLIRunner.run(args)
        XCTAssertEqual(result.status, 0, result.stderr)
        let stageFolder = root.appendingPathComponent("runs/augmented/train-resnet50v2-fold1")
        let keys = try FileManager.default.contentsOfDirectory(atPath: stageFolder.path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(keys.count, 1, "\(keys)")
        let history = try TrainingHistory.read(
            from: stageFolder.appendingPathComponent(keys[0]).appendingPathComponent(Trainer.historyFileName))
        let a = history.config.augmentation
        XCTAssertEqual(
            a,
            AugmentationParameters(
                rotationRangeDegrees: 90, widthShiftFraction: 0.2, heightShiftFraction: 0.2,
                shearRangeDegrees: AugmentationParameters.paper.shearRangeDegrees, zoomRange: 0.1,
                horizontalFlip: false, verticalFlip: false))
    }

    func testUnsupportedOptimizerOrLossInThePresetFailsNamingFileAndField() throws {
        try writeVariant("adam") { $0.training.optimizer = "Adam" }
        try writeVariant("mse") { $0.training.loss = "mean squared error" }
        try writeVariant("tilted") { $0.training.rotationDegrees = 400 }
        for (name, field, accepted) in [
            ("adam", "training.optimizer", "\"Nadam\""), ("mse", "training.loss", "\"categorical cross-entropy\""),
            ("tilted", "training.rotationDegrees", "[0, 360]")
        ] {
            let runs = ["--runs", root.appendingPathComponent("runs").path]
            for command in [
                ["train", "--model", "fpn", "--fold", "1"] + runs,
                ["table", "3", "--report", root.appendingPathComponent("report").path] + runs,
                ["estimate", "--steps", "1"]
            ] {
                let result = try CLIRunner.run(command + ["--preset", name, "--configs", root.appendingPathComponent("configs").path])
                XCTAssertNotEqual(result.status, 0, "\(command) \(name)")
                for part in ["\(name).json", field, accepted] {
                    XCTAssertTrue(result.stderr.contains(part), "\(command) \(name): no '\(part)' in \(result.stderr)")
                }
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("runs/adam").path), "nothing ran")
    }

    func testThreadsMustBePositive() throws {
        let result = try CLIRunner.run(["train", "--model", "fpn", "--fold", "1", "--threads", "0"] + common)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--threads must be at least 1"), result.stderr)
    }

    func testUnknownModelIsRejected() throws {
        let result = try CLIRunner.run(["train", "--model", "vgg16", "--fold", "1"] + common)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("vgg16"), result.stderr)
    }
}
