import Foundation
import XCTest

@testable import Analysis

/// Every field of a preset reaches the stage that uses it: changing the field changes that
/// stage's configuration (so its cache key), and the configuration records the new value.
/// A field added to `Preset` without being listed here fails `testEveryFieldIsCovered`.
final class PresetFieldReachTests: XCTestCase {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs")

    /// Field path → (a new valid value as JSON, the stage that must change).
    static let reaches: [String: (value: String, stage: String)] = [
        "seed": ("7", "folds"),
        "data.syntheticCovidPatients": ("40", "twin"),
        "data.syntheticNormalPatients": ("100", "twin"),
        "data.syntheticImageSize": ("128", "twin"),
        "data.patientSubset": ("60", "index"),
        "model.inputSize": ("128", "train-fpn-fold1"),
        "model.widthMultiplier": ("0.25", "train-fpn-fold1"),
        "model.fpnFeatures": ("48", "train-fpn-fold1"),
        "model.batchNormMomentum": ("0.95", "train-fpn-fold1"),
        "training.epochs": ("9", "train-fpn-fold1"),
        "training.batchSize": ("16", "train-fpn-fold1"),
        "training.learningRate": ("0.0005", "train-fpn-fold1"),
        "training.learningRateSchedule": ("\"cosine\"", "train-fpn-fold1"),
        "training.flips": ("false", "train-fpn-fold1"),
        "training.zoomRange": ("0.1", "train-fpn-fold1"),
        "training.rotationDegrees": ("30", "train-fpn-fold1"),
        "training.shiftRange": ("0.1", "train-fpn-fold1"),
        "training.slices": ("\"series-balanced\"", "train-fpn-fold1"),
        "folds": ("4", "folds"),
        "identificationPatients": ("12", "identify"),
        "timing.targets": ("[40, 80]", "timing"),
        "timing.repeats": ("5", "timing")
    ]

    /// Fields that reach no stage's configuration, and why.
    static let elsewhere: [String: String] = [
        "name": "names the cache folder runs/<name>/ and the report",
        "description": "text for `paper-repro presets`",
        "deviations": "text for Table 3's notes",
        "training.optimizer": "Nadam is the only optimizer; any other value is rejected (PresetWiringTests)",
        "training.loss": "categorical cross-entropy is the only loss; any other value is rejected (PresetWiringTests)",
        "data.source": "chooses the data source (DataSourceIdentity, tested with --data)",
        "data.realPath": "the real dataset's folder (DataSourceIdentity, tested with --data)"
    ]

    /// The default preset with every optional field set, as a JSON object.
    func fullPresetObject() throws -> [String: Any] {
        var preset = try Preset.load(name: "default", directory: Self.configs)
        preset.timing = Preset.TimingSettings(targets: [35, 52], repeats: 3)
        preset.data.patientSubset = 80
        preset.training.slices = "labelled"
        preset.training.learningRateSchedule = "constant"
        preset.identificationPatients = 20
        let data = try JSONEncoder().encode(preset)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func leafPaths(_ object: Any, prefix: String = "") -> [String] {
        guard let dictionary = object as? [String: Any] else { return [prefix] }
        if prefix == "timing" || prefix == "deviations" { return [prefix] }
        return dictionary.keys.sorted().flatMap { leafPaths(dictionary[$0]!, prefix: prefix.isEmpty ? $0 : "\(prefix).\($0)") }
    }

    static func setting(_ path: [String], to value: Any, in object: [String: Any]) -> [String: Any] {
        var copy = object
        if path.count == 1 {
            copy[path[0]] = value
        } else {
            copy[path[0]] = setting(Array(path.dropFirst()), to: value, in: object[path[0]] as? [String: Any] ?? [:])
        }
        return copy
    }

    func preset(from object: [String: Any], in folder: URL) throws -> Preset {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try data.write(to: folder.appendingPathComponent("default.json"))
        return try Preset.load(name: "default", directory: folder)
    }

    func configurations(_ preset: Preset) throws -> [String: Data] {
        let stages = try PipelineStages.definitions(preset: preset, dataSource: try DataSourceIdentity.of(preset))
        return Dictionary(uniqueKeysWithValues: stages.map { ($0.name, $0.configuration) })
    }

    func testEveryFieldIsCovered() throws {
        var paths = Set(Self.leafPaths(try fullPresetObject()))
        paths.insert("timing.targets"); paths.insert("timing.repeats"); paths.remove("timing")
        paths.insert("data.realPath")  // nil for the twin, so not encoded
        XCTAssertEqual(
            paths, Set(Self.reaches.keys).union(Self.elsewhere.keys),
            "a preset field must either reach a stage (listed in `reaches`) or be listed in `elsewhere` with the reason")
    }

    func testEveryFieldChangesTheStageThatUsesItAndIsRecordedThere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("preset-reach-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = try fullPresetObject()
        let baseline = try configurations(try preset(from: base, in: folder))
        for (path, change) in Self.reaches.sorted(by: { $0.key < $1.key }) {
            let value = try JSONSerialization.jsonObject(with: Data(change.value.utf8), options: [.fragmentsAllowed])
            let changed = try preset(from: Self.setting(path.split(separator: ".").map(String.init), to: value, in: base), in: folder)
            let after = try configurations(changed)
            guard let before = baseline[change.stage], let now = after[change.stage] else {
                XCTFail("\(path): no stage \(change.stage)"); continue
            }
            XCTAssertNotEqual(before, now, "\(path) does not reach \(change.stage)")
            // The stage's recorded configuration holds the new value.
            let text = String(decoding: now, as: UTF8.self)
            let recorded = change.value.replacingOccurrences(of: " ", with: "")
            XCTAssertTrue(
                text.contains(recorded) || text.contains(String(format: "%g", Double(recorded) ?? .nan)),
                "\(path): \(change.stage)'s configuration does not show \(change.value): \(text.prefix(400))")
        }
    }
}

/// `data.patientSubset`: the index keeps the first N patients of each class and their labels.
final class PatientSubsetTests: XCTestCase {
    func testTheSubsetKeepsTheFirstPatientsOfEachClassAndTheirLabels() throws {
        func patient(_ n: Int, _ label: ClassLabel) -> Patient {
            Patient(id: "patient\(n)", batch: label == .covid ? "1covid" : "normal1", label: label, record: nil, series: [])
        }
        let patients = [patient(1, .covid), patient(2, .normal), patient(3, .covid), patient(4, .covid), patient(5, .normal)]
        let labelled = try patients.map { try XCTUnwrap(LabelledSlice(filename: "\($0.batch)_\($0.id)_SR_2_IM00010.tif", label: $0.label)) }
        let dataset = Dataset(root: "/x", layout: .raw, patients: patients, labelled: labelled, notes: [])
        let subset = dataset.subset(patientsPerClass: 2)
        XCTAssertEqual(subset.patients.map(\.id), ["patient1", "patient2", "patient3", "patient5"])
        XCTAssertEqual(subset.labelled.map(\.patientID), ["patient1", "patient2", "patient3", "patient5"])
        XCTAssertTrue(subset.notes.last?.contains("first 2 patients of each class") == true)
    }

    func testASubsetBelowOneIsRejectedWithTheFieldNamed() throws {
        var preset = try Preset.load(name: "smoke", directory: PresetFieldReachTests.configs)
        preset.data.patientSubset = 0
        XCTAssertThrowsError(try preset.validate(file: "smoke.json")) { XCTAssertTrue("\($0)".contains("data.patientSubset"), "\($0)") }
    }
}
