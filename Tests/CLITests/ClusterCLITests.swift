import Analysis
import Foundation
import XCTest

/// `paper-repro cluster slurm` and the shared cache its tasks use.
final class ClusterCLITests: XCTestCase {
    /// The array holds one task per training stage the report needs (15 + the audit's 5 for the
    /// default preset), each a `train … --shared-cache` that the train command accepts; the
    /// collect job runs `all` on the same cache; --submit without sbatch is a clear error.
    func testTheJobArrayHasOneTaskPerTrainingStage() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cli-slurm-\(getpid())-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLIRunner.run([
            "cluster", "slurm", "--preset", "default", "--out", out.path, "--partition", "cpu",
            "--cpus", "16", "--mem", "32G", "--runs", "/shared/runs"
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let train = try String(contentsOf: out.appendingPathComponent("train.sbatch"), encoding: .utf8)
        let collect = try String(contentsOf: out.appendingPathComponent("collect.sbatch"), encoding: .utf8)
        XCTAssertTrue(train.contains("#SBATCH --array=0-19"), train)
        XCTAssertTrue(
            train.contains("#SBATCH --partition=cpu") && train.contains("#SBATCH --cpus-per-task=16") && train.contains("#SBATCH --mem=32G")
        )
        let stages = train.split(separator: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "# "), line.contains(": train-") else { return nil }
            return String(line[r.upperBound...].split(separator: " ").last!)
        }
        let preset = try Preset.load(
            name: "default",
            directory: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs"))
        XCTAssertEqual(Set(stages), Set(TrainStage.stageNames(preset: preset) + SeriesBalanceStage.trainingStageNames(preset: preset)))
        XCTAssertEqual(stages.count, 20)
        XCTAssertTrue(
            train.contains("train \"${task[@]}\" --preset default") && train.contains("--runs /shared/runs --shared-cache"), train)
        XCTAssertTrue(collect.contains(" all --preset default") && collect.contains("--runs /shared/runs"), collect)
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("submit.sh"), encoding: .utf8).contains("--dependency=afterok:"))

        let noSbatch = try CLIRunner.run(
            ["cluster", "slurm", "--preset", "smoke", "--out", out.path, "--submit"],
            environment: ["PATH": "/nonexistent"])
        XCTAssertNotEqual(noSbatch.status, 0)
        XCTAssertTrue(noSbatch.stderr.contains("sbatch is not on PATH"), noSbatch.stderr)
    }

    /// Two `train --shared-cache` processes started together on one cache both finish; the
    /// stages they share (the twin, its index, the folds) are computed once.
    func testTwoTrainingsSharingACacheComputeTheirCommonStagesOnce() throws {
        let root = try CLIRunner.tinyPresetFolder("cli-shared-cache", epochs: 1)
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = root.appendingPathComponent("runs")
        func start(_ model: String) throws -> (Process, Pipe) {
            let p = Process()
            p.executableURL = CLIRunner.executable
            p.arguments = [
                "train", "--model", model, "--fold", "1", "--preset", "tiny", "--configs",
                root.appendingPathComponent("configs").path, "--runs", runs.path, "--shared-cache", "--threads", "1"
            ]
            let err = Pipe()
            p.standardError = err; p.standardOutput = FileHandle.nullDevice
            try p.run()
            return (p, err)
        }
        let a = try start("resnet50v2"), b = try start("xception")
        let ea = String(decoding: a.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let eb = String(decoding: b.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        a.0.waitUntilExit(); b.0.waitUntilExit()
        XCTAssertEqual(a.0.terminationStatus, 0, ea)
        XCTAssertEqual(b.0.terminationStatus, 0, eb)
        let computedTwin = [ea, eb].filter { $0.contains("twin: computing") }.count
        XCTAssertEqual(computedTwin, 1, "the twin was generated \(computedTwin) times:\n\(ea)\n\(eb)")
        for stage in ["twin", "train-resnet50v2-fold1", "train-xception-fold1"] {
            let finished = try FileManager.default.contentsOfDirectory(atPath: runs.appendingPathComponent("tiny/\(stage)").path)
                .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".partial") }
            XCTAssertEqual(finished.count, 1, "\(stage): \(finished)")
        }
        // Without --shared-cache a second process on the cache is refused while one runs, as before.
        let plain = try CLIRunner.run([
            "train", "--model", "fpn", "--fold", "1", "--preset", "tiny", "--configs",
            root.appendingPathComponent("configs").path, "--runs", runs.path, "--threads", "1"
        ])
        XCTAssertEqual(plain.status, 0, plain.stderr)
    }
}
