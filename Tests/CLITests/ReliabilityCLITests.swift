import Analysis
import Foundation
import XCTest

/// What a killed or concurrent `paper-repro` leaves behind: a stage killed by SIGKILL at any
/// point leaves no finished entry that a later run would reuse, and the next run finishes; a
/// second process on the same stage cache is refused with a message.
final class ReliabilityCLITests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try CLIRunner.tinyPresetFolder("cli-reliability", epochs: 3)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func arguments(runs: String) -> [String] {
        [
            "train", "--model", "fpn", "--fold", "1", "--preset", "tiny", "--configs", root.appendingPathComponent("configs").path,
            "--runs", root.appendingPathComponent(runs).path, "--threads", "1"
        ]
    }

    func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = CLIRunner.executable
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Every finished stage folder (not `.partial`) holds a record whose outputs all exist
    /// with the recorded hashes: nothing half-written can be taken for a finished stage.
    func assertFinishedFoldersAreComplete(_ runs: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let fm = FileManager.default
        let presetFolder = runs.appendingPathComponent("tiny")
        guard let stages = try? fm.contentsOfDirectory(atPath: presetFolder.path) else { return }
        for stage in stages where !stage.hasPrefix(".") {
            for key in try fm.contentsOfDirectory(atPath: presetFolder.appendingPathComponent(stage).path) where !key.hasSuffix(".partial")
            {
                let folder = presetFolder.appendingPathComponent(stage).appendingPathComponent(key)
                let recordFile = folder.appendingPathComponent("stage.json")
                guard let data = try? Data(contentsOf: recordFile) else {
                    return XCTFail("\(stage)/\(key) has no stage.json but is not .partial", file: file, line: line)
                }
                let record = try JSONDecoder().decode(StageRecord.self, from: data)
                XCTAssertEqual(record.key, key, file: file, line: line)
                for (path, hash) in record.outputs {
                    XCTAssertEqual(
                        try StageKey.sha256(file: folder.appendingPathComponent(path)), hash, "\(stage)/\(path)",
                        file: file, line: line)
                }
            }
        }
    }

    func testAKilledRunLeavesNothingReusableAndTheNextRunFinishes() throws {
        // An uninterrupted run, for reference.
        let clean = try CLIRunner.run(arguments(runs: "clean"))
        XCTAssertEqual(clean.status, 0, clean.stderr)
        // The same run killed at several points (during the twin, the index, the training).
        let killed = root.appendingPathComponent("killed")
        for delay in [0.2, 0.8, 1.5, 2.5, 4.0] {
            let p = try start(arguments(runs: "killed"))
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            try assertFinishedFoldersAreComplete(killed)
        }
        let next = try CLIRunner.run(arguments(runs: "killed"))
        XCTAssertEqual(next.status, 0, next.stderr)
        try assertFinishedFoldersAreComplete(killed)
        // The finished training's weights are the uninterrupted run's.
        func weights(_ runs: String) throws -> Data {
            let folder = root.appendingPathComponent(runs).appendingPathComponent("tiny/train-fpn-fold1")
            let key = try FileManager.default.contentsOfDirectory(atPath: folder.path).first {
                !$0.hasSuffix(".partial") && !$0.hasPrefix(".")
            }
            return try Data(contentsOf: folder.appendingPathComponent(try XCTUnwrap(key)).appendingPathComponent("best.safetensors"))
        }
        XCTAssertEqual(
            try weights("killed"), try weights("clean"), "resumed after kills, the training ends where an uninterrupted one does")
    }

    /// A full disk, simulated by a file-size limit of 0 (with SIGXFSZ ignored, every write of a
    /// byte fails with EFBIG): the run exits 1 naming the file and the reason, the table already
    /// written is neither lost nor half-overwritten, and no temporary file is left. With stderr
    /// itself redirected to a file on the "full disk", the run still exits 1 instead of crashing.
    func testAFullDiskFailsCleanlyAndKeepsWhatWasWritten() throws {
        let report = root.appendingPathComponent("report")
        let args = [
            "table", "1", "--preset", "tiny", "--configs", root.appendingPathComponent("configs").path,
            "--runs", root.appendingPathComponent("runs").path, "--report", report.path, "--threads", "1"
        ]
        let first = try CLIRunner.run(args)
        XCTAssertEqual(first.status, 0, first.stderr)
        let table = report.appendingPathComponent("tables/table1.csv")
        let before = try Data(contentsOf: table)
        func limited(_ redirect: String) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            let quoted = ([CLIRunner.executable.path] + args).map { "'\($0)'" }.joined(separator: " ")
            p.arguments = ["-c", "trap '' XFSZ; ulimit -f 0; exec \(quoted) \(redirect)"]
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice; p.standardError = err
            try p.run()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, p.terminationReason, String(decoding: e, as: UTF8.self))
        }
        let full = try limited("")
        XCTAssertEqual(full.reason, .exit)
        XCTAssertEqual(full.status, 1, full.stderr)
        XCTAssertTrue(full.stderr.contains("table1.csv") && full.stderr.contains("File too large"), full.stderr)
        XCTAssertEqual(try Data(contentsOf: table), before, "the table written before is kept whole")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: table.deletingLastPathComponent().path).filter {
            $0.contains(".tmp-")
        }
        XCTAssertEqual(leftovers, [])
        let quiet = try limited("2> '\(root.appendingPathComponent("stderr.log").path)'")
        XCTAssertEqual(quiet.reason, .exit, "a failed write to stderr must not crash the run")
        XCTAssertEqual(quiet.status, 1)
        XCTAssertEqual(try Data(contentsOf: table), before)
    }

    func testASecondProcessOnTheSameCacheIsRefused() throws {
        let first = try start(arguments(runs: "shared"))
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) }; first.waitUntilExit() }
        // Wait until the first holds the lock (it writes its pid into the lock file).
        let lockFile = root.appendingPathComponent("shared/tiny/.lock")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, ((try? String(contentsOf: lockFile, encoding: .utf8)) ?? "").isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard first.isRunning else { throw XCTSkip("the first run finished before the second could start") }
        let second = try CLIRunner.run(arguments(runs: "shared"))
        guard first.isRunning else { throw XCTSkip("the first run finished while the second started") }
        XCTAssertEqual(second.status, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("in use by another paper-repro (pid \(first.processIdentifier)"), second.stderr)
    }
}
