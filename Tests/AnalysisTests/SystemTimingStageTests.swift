import Foundation
import NeuralNet
import XCTest

@testable import Analysis

/// The `timing` stage run through the stage runner on a small hand-made dataset: the real
/// `index` and `folds` stages, and a stand-in `train` stage that writes seeded FPN weights
/// where `TrainStage` would (training is tested elsewhere and is slow in debug builds).
final class SystemTimingStageTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("timing-stage") }
    override func tearDown() { dir.remove() }

    /// The smoke preset with the thinnest FPN at 72 px and two folds.
    func preset() throws -> Preset {
        let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs")
        var p = try Preset.load(name: "smoke", directory: configs)
        p.model = .init(inputSize: 72, widthMultiplier: 0.0625, fpnFeatures: 4)
        p.folds = 2
        return p
    }

    func runner(root: URL, preset: Preset, targets: [Int]) throws -> StageRunner {
        let data = dir.url.appendingPathComponent("data")
        let identity = DataSourceIdentity(kind: .real, path: data.path, contentHash: try DataSourceIdentity.listingHash(root: data))
        let runner = StageRunner(root: root, presetSeed: preset.seed, versions: [:], force: false)
        runner.register(IndexStage.definition(location: .path(data.path), identity: identity))
        runner.register(FoldsStage.definition(folds: preset.folds, seed: preset.seed))
        let config = TrainStage.config(TimingStage.model, preset: preset)
        runner.register(
            StageDefinition(
                name: TrainStage.name, upstream: [IndexStage.name, FoldsStage.name],
                configuration: Data("{\"stand-in\":1}".utf8)
            ) { context in
                let folder = context.outputDirectory.appendingPathComponent(TrainStage.folder(TimingStage.model, fold: 1))
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try TimingStage.model.build(scale: config.scale, seed: 5).saveWeights(
                    to: folder.appendingPathComponent(Trainer.bestFileName))
                try TrainStage.writeTrainings(
                    [TrainingStage.Config(config: config, fold: 1, weightSeed: 0)], to: context.outputDirectory)
            })
        runner.register(TimingStage.definition(preset: preset, targets: targets, repeats: 2))
        return runner
    }

    func testTimingStagePlanAndMeasurements() throws {
        // Patients with 3 to 11 slices over one or two series.
        let layout: [(String, [Int])] = [
            ("137covid/patient1", [5]), ("137covid/patient2", [4, 3]), ("137covid/patient3", [9]),
            ("normal1/patient100", [6]), ("normal1/patient101", [3]), ("normal2/patient102", [7, 4])
        ]
        for (patient, counts) in layout {
            for (k, n) in counts.enumerated() {
                try TimingFixture.series(dir.path("data/\(patient)/SR_\(k + 2)"), count: n)
            }
        }
        let preset = try preset()
        // More targets than fold 1 has test patients: the last ones take patients again.
        let targets = [8, 4, 100, 5, 6, 7, 3]
        let results = try runner(root: dir.url.appendingPathComponent("runs"), preset: preset, targets: targets).run([TimingStage.name])
        let stage = try XCTUnwrap(results[TimingStage.name])
        let dataset = try IndexStage.readDataset(from: try XCTUnwrap(results[IndexStage.name]).directory)
        let fold1 = try FoldsStage.readPlan(from: try XCTUnwrap(results[FoldsStage.name]).directory).folds[0]
        let candidates = dataset.patients.filter { fold1.testPatients.contains($0.id) }
        XCTAssertGreaterThanOrEqual(candidates.count, 3, "the fixture must give fold 1 enough test patients")

        let plan = try TimingStage.readPlan(from: stage.directory)
        XCTAssertEqual(plan.model, .resnet50v2FPN)
        XCTAssertEqual(plan.fold, 1)
        XCTAssertEqual(plan.repeats, 2)
        XCTAssertEqual(plan.entries.map(\.target), targets)
        XCTAssertLessThan(candidates.count, targets.count, "the fixture must make the plan reuse patients")
        XCTAssertEqual(Set(plan.entries.map(\.patient)).count, candidates.count, "no patient twice while others are left")
        XCTAssertEqual(Set(plan.entries.prefix(candidates.count).map(\.patient)).count, candidates.count)
        // Each choice is the closest of the fold-1 test patients not yet taken (ties: lower ID).
        var taken: Set<String> = []
        for e in plan.entries {
            let p = try XCTUnwrap(candidates.first { $0.id == e.patient })
            XCTAssertEqual(e.slices, p.sliceCount)
            if taken.count == candidates.count { taken = [] }
            for other in candidates where !taken.contains(other.id) && other.id != p.id {
                let d = abs(other.sliceCount - e.target), mine = abs(p.sliceCount - e.target)
                XCTAssertTrue(d > mine || (d == mine && naturalLess(p.id, other.id)), "\(other.id) is closer to \(e.target) than \(p.id)")
            }
            taken.insert(e.patient)
        }

        let record = try TimingStage.read(from: stage.directory)
        XCTAssertEqual(record.entries.map(\.patient), plan.entries.map(\.patient))
        // A patient chosen twice is measured once.
        for a in record.entries {
            for b in record.entries where a.patient == b.patient { XCTAssertEqual(a.withSelection, b.withSelection) }
        }
        XCTAssertGreaterThan(record.machine.cores, 0)
        for (e, p) in zip(record.entries, plan.entries) {
            XCTAssertEqual(e.slices, p.slices)
            XCTAssertEqual(e.selected, p.selected)
            XCTAssertGreaterThan(e.selected, 0)
            XCTAssertLessThan(e.selected, e.slices)
            XCTAssertEqual(e.withSelection.classified, e.selected)
            XCTAssertEqual(e.withoutSelection.classified, e.slices)
            for m in [e.withSelection, e.withoutSelection] {
                XCTAssertEqual(m.runs.count, 2)
                for s in [m.median, m.stepMedians] {
                    XCTAssertGreaterThan(s.readPrepare, 0); XCTAssertGreaterThan(s.inference, 0)
                    XCTAssertGreaterThan(s.decision, 0); XCTAssertGreaterThan(s.total, 0)
                }
                XCTAssertLessThanOrEqual(m.median.stepSum, m.median.total * (1 + 1e-9))
            }
            XCTAssertGreaterThan(e.withSelection.median.readSelect, 0)
        }

        // The wall-clock file is a timing record; the plan is the stage's hashed output.
        XCTAssertEqual(stage.record.outputs.keys.sorted(), [TimingStage.planFile])
        // A second runner over the same folder reuses the stage.
        let again = try runner(root: dir.url.appendingPathComponent("runs"), preset: preset, targets: targets).run([TimingStage.name])
        XCTAssertTrue(try XCTUnwrap(again[TimingStage.name]).reused)
        XCTAssertEqual(again[TimingStage.name]?.record.outputHash, stage.record.outputHash)
    }
}
