import Analysis
import Foundation
import NeuralNet
import XCTest

/// End to end: `paper-repro diagnose` on small patient folders with the thinnest ResNet50V2.
final class DiagnoseCLITests: XCTestCase {
    var root: URL!
    var weights: URL!
    let scale = ModelScale(inputSize: 32, widthMultiplier: 0.0625, fpnFeatures: 4)
    var scaleArguments: [String] { ["--model", "resnet50v2", "--size", "32", "--width", "0.0625", "--features", "4"] }

    /// What the JSON output holds (decoded independently of the command's own types).
    struct Output: Decodable {
        struct SeriesCounts: Decodable { let series: String; let slices: Int; let selected: Int; let covid: Int }
        let patient: String
        let decision: String
        let totalSlices: Int
        let selectedSlices: Int
        let covidSlices: Int
        let series: [SeriesCounts]
        let slices: [PatientDiagnosis.SliceOutcome]
    }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cli-diagnose-\(getpid())-\(UUID().uuidString.prefix(6))")
        try series("patient5/SR_2", darks: [0, 120, 300, 310, 295, 30, 0])
        try series("patient5/SR_3", darks: [10, 280, 320, 5, 0])
        try series("patient6/SR_2", darks: [0, 0, 0, 0])
        weights = root.appendingPathComponent("weights.safetensors")
        try ModelKind.resnet50v2.build(scale: scale, seed: 9).saveWeights(to: weights)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// A series folder of 64 px slices whose selection regions (372 px) hold `darks` dark pixels.
    func series(_ relative: String, darks: [Int]) throws {
        let dir = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let region = SelectionRegion(width: 64, height: 64)
        for (n, dark) in darks.enumerated() {
            var px = [UInt16](repeating: 1064, count: 64 * 64)
            // A little texture so the network's outputs differ between slices (never dark).
            for i in stride(from: n, to: px.count, by: 7) { px[i] = UInt16(900 + 37 * n) }
            var placed = 0
            for y in region.rows { for x in region.columns where placed < dark { px[y * 64 + x] = 50; placed += 1 } }
            try TIFFWriter.write(
                TIFFImage(width: 64, height: 64, uint16: px),
                to: dir.appendingPathComponent(String(format: "IM%05d.tif", n + 1)).path)
        }
    }

    func testDiagnoseJSONAgreesWithTheDirectRun() throws {
        let patient = root.appendingPathComponent("patient5").path
        let result = try CLIRunner.run(["diagnose", patient, "--weights", weights.path, "--threshold", "1", "--json"] + scaleArguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        let out = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))

        let graph = try ModelKind.resnet50v2.build(scale: scale, seed: 0)
        try graph.loadWeights(from: weights)
        let classifier = SliceClassifier(
            graph: graph, preparation: TrainingConfig(model: .resnet50v2, scale: scale).preparation, batchSize: 32)
        let direct = try PatientDiagnosis.run(
            patient: "patient5", series: try PatientDiagnosis.series(inPatientFolder: patient),
            rule: .paperThreshold1
        ) { try classifier.classify($0) }
        XCTAssertEqual(out.patient, "patient5")
        XCTAssertEqual(out.decision, direct.decision.rawValue)
        XCTAssertEqual(out.totalSlices, 12)
        XCTAssertEqual(out.selectedSlices, direct.selectedSlices)
        XCTAssertEqual(out.selectedSlices, 5)  // SR_2: 300, 310, 295 > 206.7; SR_3: 280, 320 > 213.3
        XCTAssertEqual(out.covidSlices, direct.covidSlices)
        XCTAssertEqual(out.series.map(\.series), ["SR_2", "SR_3"])
        XCTAssertEqual(out.series.map(\.slices), [7, 5])
        XCTAssertEqual(out.series.map(\.selected), [3, 2])
        XCTAssertEqual(out.series.map(\.covid).reduce(0, +), direct.covidSlices)
        XCTAssertEqual(out.slices.count, 12)
        for (a, b) in zip(out.slices, direct.slices) {
            XCTAssertEqual(a.series, b.series); XCTAssertEqual(a.imageNumber, b.imageNumber)
            XCTAssertEqual(a.darkCount, b.darkCount); XCTAssertEqual(a.selected, b.selected)
            XCTAssertEqual(a.covidProbability == nil, b.covidProbability == nil)
            if let p = a.covidProbability, let q = b.covidProbability { XCTAssertEqual(p, q, accuracy: 1e-9) }
        }
        XCTAssertEqual(out.slices.first { $0.series == "SR_2" && $0.imageNumber == 3 }?.darkCount, 300)

        // Human output: the table and the summary line.
        let text = try CLIRunner.run(["diagnose", patient, "--weights", weights.path, "--threshold", "1"] + scaleArguments)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("total"), text.stdout)
        let decision = direct.decision == .covid ? "COVID-19" : "normal"
        XCTAssertTrue(text.stdout.contains("patient5: \(decision) — \(direct.covidSlices) of 5 selected slices (of 12)"), text.stdout)
    }

    func testTimingFlagTimesBothPaths() throws {
        let patient = root.appendingPathComponent("patient5").path
        let result = try CLIRunner.run(
            ["diagnose", patient, "--weights", weights.path, "--timing", "--repeats", "1", "--json"] + scaleArguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        struct Timed: Decodable { let selectedSlices: Int; let timing: SystemTiming.Result }
        let out = try JSONDecoder().decode(Timed.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(out.timing.totalSlices, 12)
        XCTAssertEqual(out.timing.withSelection.classified, out.selectedSlices)
        XCTAssertEqual(out.timing.withoutSelection.classified, 12)
        XCTAssertEqual(out.timing.withSelection.runs.count, 1)
        XCTAssertLessThanOrEqual(out.timing.withSelection.median.stepSum, out.timing.withSelection.median.total * (1 + 1e-9))
        let text = try CLIRunner.run(["diagnose", patient, "--weights", weights.path, "--timing", "--repeats", "1"] + scaleArguments)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("without selection"), text.stdout)
    }

    func testNoSelectedSliceIsUndetermined() throws {
        let patient = root.appendingPathComponent("patient6").path
        let result = try CLIRunner.run(["diagnose", patient, "--weights", weights.path, "--json"] + scaleArguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        let out = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(out.decision, "undetermined")
        XCTAssertEqual(out.totalSlices, 4)
        XCTAssertEqual(out.selectedSlices, 0)
        XCTAssertTrue(out.slices.allSatisfy { !$0.selected && $0.covidProbability == nil })
        let text = try CLIRunner.run(["diagnose", patient + "/SR_2", "--weights", weights.path] + scaleArguments)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("UNDETERMINED"), text.stdout)
    }

    func testWeightsOfAnotherScaleAreAClearError() throws {
        let patient = root.appendingPathComponent("patient5").path
        let wider = try CLIRunner.run([
            "diagnose", patient, "--weights", weights.path, "--model", "resnet50v2",
            "--size", "32", "--width", "0.125", "--features", "4"
        ])
        XCTAssertNotEqual(wider.status, 0)
        XCTAssertTrue(wider.stderr.contains(weights.path), wider.stderr)
        XCTAssertTrue(wider.stderr.contains("the model expects"), wider.stderr)
        // The scale from a preset (smoke: width 0.125) does not fit either.
        let configs = root.appendingPathComponent("configs")
        try FileManager.default.createDirectory(at: configs, withIntermediateDirectories: true)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(
            at: repo.appendingPathComponent("configs/smoke.json"), to: configs.appendingPathComponent("smoke.json"))
        let preset = try CLIRunner.run([
            "diagnose", patient, "--weights", weights.path, "--model", "resnet50v2",
            "--preset", "smoke", "--configs", configs.path
        ])
        XCTAssertNotEqual(preset.status, 0)
        XCTAssertTrue(preset.stderr.contains(weights.path) && preset.stderr.contains("--preset"), preset.stderr)
        let missing = try CLIRunner.run([
            "diagnose", patient, "--weights", weights.path, "--model", "resnet50v2",
            "--preset", "nope", "--configs", configs.path
        ])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nope"), missing.stderr)
    }

    func testBadInputIsAClearErrorNamingThePath() throws {
        let nope = root.appendingPathComponent("nope").path
        let missing = try CLIRunner.run(["diagnose", nope, "--weights", weights.path] + scaleArguments)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("\(nope): not a directory"), missing.stderr)

        let empty = root.appendingPathComponent("empty/SR_2")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try "notes".write(to: empty.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        let none = try CLIRunner.run(["diagnose", empty.deletingLastPathComponent().path, "--weights", weights.path] + scaleArguments)
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("no slices found"), none.stderr)

        try series("patient7/SR_2", darks: [0, 400, 0])
        let junk = root.appendingPathComponent("patient7/SR_2/IM00004.tif")
        try "junk".write(to: junk, atomically: true, encoding: .utf8)
        let unreadable = try CLIRunner.run(
            ["diagnose", root.appendingPathComponent("patient7").path, "--weights", weights.path] + scaleArguments)
        XCTAssertNotEqual(unreadable.status, 0)
        XCTAssertTrue(unreadable.stderr.contains(junk.path), unreadable.stderr)

        let noWeights = root.appendingPathComponent("none.safetensors").path
        let absent = try CLIRunner.run(["diagnose", root.appendingPathComponent("patient5").path, "--weights", noWeights] + scaleArguments)
        XCTAssertNotEqual(absent.status, 0)
        XCTAssertTrue(absent.stderr.contains(noWeights) && !absent.stderr.contains("do not fit"), absent.stderr)

        let threshold = try CLIRunner.run(["diagnose", nope, "--weights", weights.path, "--threshold", "3"] + scaleArguments)
        XCTAssertNotEqual(threshold.status, 0)
        XCTAssertTrue(threshold.stderr.contains("--threshold"), threshold.stderr)
    }
}
