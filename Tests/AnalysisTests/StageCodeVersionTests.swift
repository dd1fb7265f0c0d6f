import Foundation
import XCTest

@testable import Analysis

/// Guards `StageCodeVersions`: the stages whose outputs are exact integers on a fixed input —
/// the index, the selection, the fold plan, the patient counts — are run on a hand-made tree
/// and their output hashes compared with the ones recorded for their code versions in
/// `Fixtures/stage-outputs.json`. A change to a stage's code that changes its output fails
/// here until the stage's version is raised (so that caches recompute it) and the new hash
/// recorded with `UPDATE_STAGE_OUTPUTS=1 swift test --filter StageCodeVersionTests`.
final class StageCodeVersionTests: XCTestCase {
    /// A fixed path: the index records absolute slice paths.
    static let root = URL(fileURLWithPath: "/tmp/paper-repro-stage-versions")
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stage-outputs.json")

    struct Recorded: Codable, Equatable { var version: Int; var outputHash: String }

    /// Six patients, one 12-slice SR_2 series each: the first and last two slices closed
    /// (bright centre), the others open (a dark lung of a size that varies by slice).
    func makeTree(at data: URL) throws {
        let size = 32
        var labels = ["filename,class"]
        for (batch, ids) in [("137covid", [1, 2]), ("normal1", [200, 201, 202, 203])] {
            for id in ids {
                let folder = data.appendingPathComponent("\(batch)/patient\(id)/SR_2")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for n in 1...12 {
                    let closed = n <= 2 || n >= 11
                    let radius = closed ? 0 : 4 + (n * id) % 7
                    var pixels = [UInt16](repeating: 1100, count: size * size)
                    for y in 0..<size {
                        for x in 0..<size where (x - 16) * (x - 16) + (y - 16) * (y - 16) < radius * radius {
                            pixels[y * size + x] = 200
                        }
                    }
                    try TIFFWriter.write(
                        TIFFImage(width: size, height: size, uint16: pixels),
                        to: folder.appendingPathComponent(String(format: "IM%05d.tif", n)).path)
                    if !closed && n % 3 == 0 {
                        labels.append(
                            "\(batch)_patient\(id)_SR_2_IM\(String(format: "%05d", n)).tif,\(batch == "137covid" ? "covid" : "normal")")
                    }
                }
            }
        }
        try (labels.joined(separator: "\n") + "\n").write(to: data.appendingPathComponent("all.csv"), atomically: true, encoding: .utf8)
    }

    func testGuardedStagesMatchTheOutputsRecordedForTheirVersions() throws {
        let fm = FileManager.default
        try? fm.removeItem(at: Self.root)
        defer { try? fm.removeItem(at: Self.root) }
        let data = Self.root.appendingPathComponent("data")
        try makeTree(at: data)
        let runner = StageRunner(root: Self.root.appendingPathComponent("runs"), presetSeed: 7, versions: [:], force: false)
        let identity = DataSourceIdentity(kind: .real, path: data.path, contentHash: "fixed")
        for definition in [
            IndexStage.definition(location: .path(data.path), identity: identity), SelectionStage.definition(),
            FoldsStage.definition(folds: 2, seed: 7), try PatientCountsStage.definition()
        ] {
            runner.register(definition)
        }
        let guarded = [IndexStage.name, SelectionStage.name, FoldsStage.name, PatientCountsStage.name]
        let results = try runner.run(guarded)
        var now: [String: Recorded] = [:]
        for name in guarded {
            now[name] = Recorded(version: StageCodeVersions.version(for: name), outputHash: results[name]!.record.outputHash)
        }
        if ProcessInfo.processInfo.environment["UPDATE_STAGE_OUTPUTS"] == "1" {
            let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(now).write(to: Self.fixture)
            return
        }
        let recorded = try JSONDecoder().decode([String: Recorded].self, from: Data(contentsOf: Self.fixture))
        for name in guarded {
            let (was, is_) = (recorded[name], now[name]!)
            guard let was else { XCTFail("\(name): no recorded output; record with UPDATE_STAGE_OUTPUTS=1"); continue }
            if was.version == is_.version {
                XCTAssertEqual(
                    was.outputHash, is_.outputHash,
                    "the \(name) stage's output changed but its code version (\(is_.version)) did not: raise it in StageCodeVersions, then record the new output with UPDATE_STAGE_OUTPUTS=1"
                )
            } else {
                XCTFail("\(name): code version \(was.version) → \(is_.version); record its output with UPDATE_STAGE_OUTPUTS=1")
            }
        }
    }
}
