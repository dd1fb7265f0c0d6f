import Analysis
import Foundation
import XCTest

@testable import Report

/// The fifteen trainings are independent stages (§2.4): each depends only on the index and the
/// fold plan, runs alone, and is collected by the `train` stage.
final class TrainStagesTests: XCTestCase {
    func testTrainingsAreFifteenStagesOnIndexAndFoldsPlusACollector() throws {
        var preset = try Fixture.preset("default")
        preset.folds = 5
        let definitions = TrainStage.definitions(preset: preset)
        XCTAssertEqual(definitions.count, 16)
        let trainings = Array(definitions.dropLast())
        XCTAssertEqual(Set(trainings.map(\.name)).count, 15)
        XCTAssertTrue(trainings.contains { $0.name == "train-fpn-fold3" })
        XCTAssertTrue(trainings.contains { $0.name == "train-xception-fold5" })
        for t in trainings { XCTAssertEqual(t.upstream, [IndexStage.name, FoldsStage.name], t.name) }
        XCTAssertEqual(Set(trainings.map(\.configuration)).count, 15, "every training has its own configuration")
        let collector = try XCTUnwrap(definitions.last)
        XCTAssertEqual(collector.name, TrainStage.name)
        XCTAssertEqual(collector.upstream, trainings.map(\.name))
        // A definition that reports progress is the same stage (same key inputs).
        let observed = TrainStage.definition(.resnet50v2FPN, fold: 3, preset: preset, progress: { _ in }, epochEnded: { _ in })
        let plain = try XCTUnwrap(trainings.first { $0.name == observed.name })
        XCTAssertEqual(observed.configuration, plain.configuration)
        XCTAssertEqual(observed.upstream, plain.upstream)
        // A different preset setting changes every training's configuration.
        var longer = preset
        longer.training.epochs += 1
        XCTAssertNotEqual(TrainStage.definition(.resnet50v2FPN, fold: 3, preset: longer).configuration, plain.configuration)
    }

    func testOneTrainingRunsAloneAndIsReused() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let builder = try Fixture.builder(dir)
        let name = TrainStage.stageName(.resnet50v2, fold: 2)
        let first = try builder.runStages([name])
        XCTAssertEqual(
            Set(first.keys), Set([TwinStage.name, IndexStage.name, FoldsStage.name, name]),
            "only the training and what it needs run")
        let result = try XCTUnwrap(first[name])
        XCTAssertFalse(result.reused)
        for file in [Trainer.bestFileName, Trainer.lastFileName, Trainer.historyFileName] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: result.directory.appendingPathComponent(file).path), file)
        }
        let history = try TrainingHistory.read(from: result.directory.appendingPathComponent(Trainer.historyFileName))
        XCTAssertEqual(history.records.count, builder.options.preset.training.epochs)
        XCTAssertEqual(history.config.model, .resnet50v2)

        let again = try builder.runStages([name])
        XCTAssertEqual(again[name]?.reused, true)
        XCTAssertEqual(again[name]?.record.key, result.record.key)
    }

    func testCollectorLinksEveryTrainingsBestWeights() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let builder = try Fixture.builder(dir, runs: Fixture.sharedRuns)
        let results = try builder.runStages([TrainStage.name])
        let collected = try XCTUnwrap(results[TrainStage.name]).directory
        let preset = builder.options.preset
        for model in ModelKind.allCases {
            for fold in 1...preset.folds {
                let source = try XCTUnwrap(results[TrainStage.stageName(model, fold: fold)]).directory
                for file in [Trainer.bestFileName, Trainer.historyFileName] {
                    let a = try Data(contentsOf: source.appendingPathComponent(file))
                    let b = try Data(
                        contentsOf: collected.appendingPathComponent(TrainStage.folder(model, fold: fold))
                            .appendingPathComponent(file))
                    XCTAssertEqual(a, b, "\(model) fold \(fold) \(file)")
                }
            }
        }
        // Downstream stages load the collected weights.
        XCTAssertNoThrow(try TrainStage.bestModel(.resnet50v2FPN, fold: 1, preset: preset, from: collected))
    }
}
