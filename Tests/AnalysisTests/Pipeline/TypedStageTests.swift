import Foundation
import XCTest

@testable import Analysis

/// Stages as types: the key hashes exactly the encoded `Config`, the work receives that JSON
/// decoded again, and every stage of the pipeline's graph has a `Config` that reproduces its
/// configuration byte for byte.
final class TypedStageTests: XCTestCase {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs")

    /// A stage that writes the configuration it was handed.
    enum Echo: Stage {
        struct Config: Codable, Sendable, Equatable {
            var seed: UInt64
            var rate: Double
            var names: [String]
        }
        static let name = "echo"
        static let file = "config.json"
        static func run(_ config: Config, in context: StageContext) throws {
            try CanonicalJSON.encode(config).write(to: context.outputDirectory.appendingPathComponent(file))
        }
        static func read(from directory: URL) throws -> Config {
            try JSONDecoder().decode(Config.self, from: Data(contentsOf: directory.appendingPathComponent(file)))
        }
    }

    func testTheWorkGetsTheHashedConfigurationAndTheRecordDecodesIt() throws {
        let dir = TemporaryDirectory("typed-stage")
        defer { dir.remove() }
        // A seed above 2^53 and a rate with no short decimal form survive the round trip.
        let config = Echo.Config(seed: UInt64.max - 12345, rate: 0.1 + 0.2, names: ["a/b", "ü"])
        let definition = StageDefinition(Echo.self, config: config)
        XCTAssertEqual(definition.name, Echo.name)
        XCTAssertEqual(definition.configuration, CanonicalJSON.encode(config))
        let runner = StageRunner(root: dir.url, presetSeed: 1, versions: [:], force: false)
        runner.register(definition)
        let result = try XCTUnwrap(try runner.run([Echo.name])[Echo.name])
        XCTAssertEqual(try Echo.read(from: result.directory), config)
        XCTAssertEqual(try Echo.recordedConfig(result.record), config)
        XCTAssertEqual(try Echo.recordedConfig(try StageRecord.read(from: result.directory)), config)
    }

    /// A stage whose configuration encodes in a form its decoder refuses.
    enum Lossy: Stage {
        struct Config: Codable, Sendable {
            init() {}
            init(from decoder: Decoder) throws {
                _ = try decoder.singleValueContainer().decode(Int.self)
            }
            func encode(to encoder: Encoder) throws {
                var c = encoder.singleValueContainer()
                try c.encode("not a number")
            }
        }
        static let name = "lossy"
        static func run(_ config: Config, in context: StageContext) throws {}
        static func read(from directory: URL) throws -> URL { directory }
    }

    func testAConfigurationThatDoesNotDecodeFailsTheStageByName() throws {
        let dir = TemporaryDirectory("typed-stage")
        defer { dir.remove() }
        let runner = StageRunner(root: dir.url, presetSeed: 1, versions: [:], force: false)
        runner.register(StageDefinition(Lossy.self, config: Lossy.Config()))
        XCTAssertThrowsError(try runner.run([Lossy.name])) { error in
            XCTAssertTrue("\(error)".contains("lossy"), "\(error)")
            XCTAssertTrue("\(error)".contains("does not decode"), "\(error)")
        }
    }

    /// Decodes `data` as `S.Config` and encodes it again.
    func reencoded<S: Stage>(_ stage: S.Type, _ data: Data) throws -> Data {
        CanonicalJSON.encode(try JSONDecoder().decode(S.Config.self, from: data))
    }

    func testEveryPipelineStageIsTypedAndItsConfigurationRoundTrips() throws {
        for name in ["smoke", "default", "paper"] {
            let preset = try Preset.load(name: name, directory: Self.configs)
            let definitions = try PipelineStages.definitions(preset: preset, dataSource: try DataSourceIdentity.of(preset))
            for d in definitions {
                let type: any Stage.Type
                switch d.name {
                case ParametersStage.name: type = ParametersStage.self
                case PatientCountsStage.name: type = PatientCountsStage.self
                case TwinStage.name: type = TwinStage.self
                case IndexStage.name: type = IndexStage.self
                case SelectionStage.name: type = SelectionStage.self
                case SelectionValidationStage.name: type = SelectionValidationStage.self
                case FoldsStage.name: type = FoldsStage.self
                case TrainStage.name: type = TrainStage.self
                case EvaluateStage.name: type = EvaluateStage.self
                case IdentifyStage.name: type = IdentifyStage.self
                case GradCAMStage.name: type = GradCAMStage.self
                case SeriesBalanceStage.name: type = SeriesBalanceStage.self
                case ShortcutStage.name: type = ShortcutStage.self
                case MetadataBaselineStage.name: type = MetadataBaselineStage.self
                case InputScalingStage.name: type = InputScalingStage.self
                case TimingStage.name: type = TimingStage.self
                case let n where n.hasPrefix("train-"): type = TrainingStage.self
                default: return XCTFail("\(name): stage '\(d.name)' has no Stage type in this test")
                }
                XCTAssertEqual(try reencoded(type, d.configuration), d.configuration, "\(name): \(d.name)")
            }
        }
    }

    func testTheCollectorListsEveryTrainingAndTheTrainingsRecordTheirConfig() throws {
        let preset = try Preset.load(name: "default", directory: Self.configs)
        let definitions = try PipelineStages.definitions(preset: preset, dataSource: try DataSourceIdentity.of(preset))
        let collector = try XCTUnwrap(definitions.first { $0.name == TrainStage.name })
        let config = try JSONDecoder().decode(TrainStage.Config.self, from: collector.configuration)
        XCTAssertEqual(config.trainings.map(\.stage), TrainStage.stageNames(preset: preset))
        XCTAssertEqual(collector.upstream, TrainStage.stageNames(preset: preset))
        let fpn3 = try XCTUnwrap(definitions.first { $0.name == "train-fpn-fold3" })
        let training = try JSONDecoder().decode(TrainingStage.Config.self, from: fpn3.configuration)
        XCTAssertEqual(training.fold, 3)
        XCTAssertEqual(training.config, TrainStage.config(.resnet50v2FPN, preset: preset))
        XCTAssertEqual(training.weightSeed, TrainStage.weightSeed(.resnet50v2FPN, fold: 3, preset: preset))
    }

    func testAnUnknownDataSourceIsRejectedNamingThePresetFile() throws {
        let dir = TemporaryDirectory("typed-stage")
        defer { dir.remove() }
        var text = try String(contentsOf: Self.configs.appendingPathComponent("smoke.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"synthetic\"", with: "\"scanner\"")
        try text.write(to: dir.url.appendingPathComponent("smoke.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Preset.load(name: "smoke", directory: dir.url)) { error in
            XCTAssertTrue("\(error)".contains("smoke.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("scanner"), "\(error)")
        }
    }

    func testCachedLooksUpWithoutComputing() throws {
        let dir = TemporaryDirectory("typed-stage")
        defer { dir.remove() }
        func runner() -> StageRunner {
            let r = StageRunner(root: dir.url, presetSeed: 1, versions: [:], force: false)
            r.register(StageDefinition(Echo.self, config: Echo.Config(seed: 1, rate: 1, names: [])))
            r.register(
                StageDefinition(Echo.self, name: "downstream", upstream: [Echo.name], config: Echo.Config(seed: 2, rate: 1, names: [])))
            return r
        }
        // Nothing is cached yet, and looking does not compute.
        XCTAssertNil(runner().cached(Echo.name))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(Echo.name).path))
        let computed = try XCTUnwrap(try runner().run([Echo.name])[Echo.name])
        let later = runner()
        XCTAssertEqual(later.cached(Echo.name)?.record.key, computed.record.key)
        XCTAssertEqual(later.cached(Echo.name)?.reused, true)
        XCTAssertNil(later.cached("downstream"))
        XCTAssertNil(later.cached("no-such-stage"))
    }
}
