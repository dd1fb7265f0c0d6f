import Analysis
import Foundation

@testable import Report

/// Paths and fixed inputs shared by the report tests.
enum Fixture {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let configs = root.appendingPathComponent("configs")
    static let templates = root.appendingPathComponent("report-templates")
    static let snapshots = root.appendingPathComponent("Tests/ReportTests/Snapshots")

    /// Fixed facts, so rendered text does not depend on the machine or the commit.
    static let facts = RunFacts(
        gitCommit: "0000000000000000000000000000000000000000", gitDirty: false,
        versions: ["swift": "6.3", "report": "test"], cores: 2)

    /// One stage cache shared by the tests that build the whole report, so the pipeline runs
    /// once per test process (stages are reused by key; the results do not depend on which test
    /// ran first). A fixed path, emptied on first use: the index stage records absolute slice
    /// paths, and the Markdown snapshot shows stage keys.
    static let sharedRuns: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("paper-repro-report-tests/runs")
        try? FileManager.default.removeItem(at: url)
        return url
    }()

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String = #function) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("report-tests-\(name.filter { $0.isLetter })-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func preset(_ name: String) throws -> Preset {
        try Preset.load(name: name, directory: configs)
    }

    /// A preset with its synthetic twin shrunk to 2 + 2 patients at 32 px and the networks to
    /// their thinnest (smoke), so that runs that generate the twin and train stay quick in
    /// debug builds.
    static func tinyTwin(_ name: String) throws -> Preset {
        var p = try preset(name)
        p.data.syntheticCovidPatients = 2
        p.data.syntheticNormalPatients = 2
        p.data.syntheticImageSize = 32
        if name == "smoke" {
            p.model.widthMultiplier = 0.0625
            p.model.fpnFeatures = 4
            p.timing = Preset.TimingSettings(targets: [65], repeats: 1)
        }
        return p
    }

    /// A builder writing under `directory` with fixed facts.
    static func builder(
        _ directory: URL, preset: String = "smoke", entries: [any ReportEntry] = Registry.entries,
        force: Bool = false, presetValue: Preset? = nil, runs: URL? = nil, strictData: Bool = false
    ) throws -> ReportBuilder {
        let options = ReportOptions(
            preset: try presetValue ?? Fixture.tinyTwin(preset),
            runsDirectory: runs ?? directory.appendingPathComponent("runs"),
            reportDirectory: directory.appendingPathComponent("report"),
            templatesDirectory: templates, force: force, facts: facts, strictData: strictData)
        return ReportBuilder(options: options, entries: entries)
    }

    /// A 2 × 2 grey PNG (valid file; used where a figure needs an image).
    static let tinyPNG = Data(
        base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAADklEQVR4nGNgYGBgYAAAAAUAAXpeqz8AAAAASUVORK5CYII=")!
}

/// A figure entry that draws a fixed image from the `parameters` stage, so rendering of
/// images and links can be tested before any real figure has one.
struct FixtureFigureEntry: ReportEntry {
    let id = EntryID(.figure, 9)
    let stages = [ParametersStage.name]

    func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let p = try ParametersStage.read(from: inputs.stage(ParametersStage.name))
        let svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\" height=\"2\"><rect width=\"2\" height=\"2\" fill=\"#888\"/></svg>\n"
        return BuiltEntry(
            files: ["figures/fig09.png": Fixture.tinyPNG, "figures/fig09.svg": Data(svg.utf8)],
            images: [EntryImage(png: "figures/fig09.png", svg: "figures/fig09.svg", alt: "Fixture image")],
            comparisons: [
                .numeric(
                    key: "input", quantity: "Input size", paper: 512, ours: Double(p.model.inputSize),
                    tolerance: .relative(0.1), dependsOnData: true, syntheticData: inputs.dataSource.isSynthetic)
            ])
    }
}
