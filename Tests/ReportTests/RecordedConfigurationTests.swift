import Analysis
import Foundation
import XCTest

@testable import Report

/// Table 3 and Fig. 9 show the configuration the trainings recorded (the `train` stage's
/// `trainings.json`), not a value re-derived from the preset.
final class RecordedConfigurationTests: XCTestCase {
    /// Runs the `parameters` stage and, with `recorded`, a stand-in `train` stage whose record
    /// of the trainings holds `recorded`.
    func inputs(_ preset: Preset, recorded: TrainingConfig?) throws -> EntryInputs {
        let root = try Fixture.temporaryDirectory()
        let runner = StageRunner(root: root, presetSeed: preset.seed, versions: [:], force: false)
        runner.register(ParametersStage.definition(preset: preset))
        var targets = [ParametersStage.name]
        if let recorded {
            runner.register(
                StageDefinition(name: TrainStage.name, configuration: Data("{\"stand-in\":1}".utf8)) { context in
                    try TrainStage.writeTrainings(
                        [TrainingStage.Config(config: recorded, fold: 1, weightSeed: 0)], to: context.outputDirectory)
                })
            targets.append(TrainStage.name)
        }
        let results = try runner.run(targets)
        return EntryInputs(
            preset: preset, dataSource: try DataSourceIdentity.of(preset), paper: try PaperTables.load(), stages: results)
    }

    func row(_ built: BuiltEntry, _ parameter: String) -> String? {
        built.table?.rows.first { $0[0].hasPrefix(parameter) }?[2]
    }

    func testTable3ShowsTheRecordedTrainingConfiguration() throws {
        let preset = try Fixture.preset("default")
        var recorded = TrainStage.config(.resnet50v2FPN, preset: preset)
        recorded.learningRate = 0.0125
        recorded.batchSize = 3
        recorded.scale.inputSize = 40
        let built = try Table3Entry().build(try inputs(preset, recorded: recorded))
        XCTAssertEqual(row(built, "Learning rate"), "0.0125")
        XCTAssertEqual(row(built, "Batch size"), "3")
        XCTAssertEqual(row(built, "Input size"), "40 × 40")
        XCTAssertTrue(built.notes.contains { $0.contains("recorded values that differ from the preset") }, "\(built.notes)")
    }

    func testTable3WithoutTrainingsShowsThePresetAndSaysSo() throws {
        let preset = try Fixture.preset("default")
        let built = try Table3Entry().build(try inputs(preset, recorded: nil))
        XCTAssertEqual(row(built, "Batch size"), "\(preset.training.batchSize)")
        XCTAssertTrue(built.notes.contains { $0.contains("have not run") }, "\(built.notes)")
    }

    func testTable3WithMatchingTrainingsAddsNoNote() throws {
        let preset = try Fixture.preset("default")
        let built = try Table3Entry().build(try inputs(preset, recorded: TrainStage.config(.resnet50v2FPN, preset: preset)))
        XCTAssertFalse(built.notes.contains { $0.contains("recorded") || $0.contains("have not run") }, "\(built.notes)")
    }

    func testFigure9DrawsTheRecordedScale() throws {
        let preset = try Fixture.preset("default")
        var recorded = TrainStage.config(.resnet50v2FPN, preset: preset)
        recorded.scale.fpnFeatures = 24
        recorded.scale.inputSize = 40
        // The figure is drawn; its title names the recorded scale.
        let fromRecord = try Figure9Entry().build(try inputs(preset, recorded: recorded))
        let svg = String(decoding: try XCTUnwrap(fromRecord.files["figures/fig09.svg"]), as: UTF8.self)
        let fromPreset = try Figure9Entry().build(try inputs(preset, recorded: nil))
        let presetSVG = String(decoding: try XCTUnwrap(fromPreset.files["figures/fig09.svg"]), as: UTF8.self)
        XCTAssertNotEqual(svg, presetSVG)
    }
}

/// The presets and templates ship inside the program as package resources, the same files as
/// the repository's `configs/` and `report-templates/`.
final class BundledResourcesTests: XCTestCase {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func assertSameFiles(_ bundled: URL?, _ folder: String) throws {
        let bundled = try XCTUnwrap(bundled, "\(folder) is not bundled")
        let source = Self.checkout.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted()
        XCTAssertFalse(names.isEmpty)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundled.path).sorted(), names)
        for name in names {
            XCTAssertEqual(
                try Data(contentsOf: bundled.appendingPathComponent(name)), try Data(contentsOf: source.appendingPathComponent(name)),
                name)
        }
    }

    func testPresetsAndTemplatesAreBundled() throws {
        try assertSameFiles(Preset.bundledDirectory, "configs")
        try assertSameFiles(ReportRenderer.bundledTemplates, "report-templates")
        XCTAssertNoThrow(try ReportRenderer(templates: try XCTUnwrap(ReportRenderer.bundledTemplates)))
        XCTAssertEqual(
            try Preset.loadAll(directory: try XCTUnwrap(Preset.bundledDirectory)).map(\.name).sorted(), ["default", "paper", "smoke"])
    }
}
