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
        ["train", "--model", "fpn", "--fold", "1", "--preset", "tiny", "--configs", root.appendingPathComponent("configs").path,
         "--runs", root.appendingPathComponent(runs).path, "--threads", "1"]
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
            for key in try fm.contentsOfDirectory(atPath: presetFolder.appendingPathComponent(stage).path) where !key.hasSuffix(".partial") {
                let folder = presetFolder.appendingPathComponent(stage).appendingPathComponent(key)
                let recordFile = folder.appendingPathComponent("stage.json")
                guard let data = try? Data(contentsOf: recordFile) else {
                    return XCTFail("\(stage)/\(key) has no stage.json but is not .partial", file: file, line: line)
                }
                let record = try JSONDecoder().decode(StageRecord.self, from: data)
                XCTAssertEqual(record.key, key, file: file, line: line)
                for (path, hash) in record.outputs {
                    XCTAssertEqual(try StageKey.sha256(file: folder.appendingPathComponent(path)), hash, "\(stage)/\(path)",
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
            let key = try FileManager.default.contentsOfDirectory(atPath: folder.path).first { !$0.hasSuffix(".partial") && !$0.hasPrefix(".") }
            return try Data(contentsOf: folder.appendingPathComponent(try XCTUnwrap(key)).appendingPathComponent("best.safetensors"))
        }
        XCTAssertEqual(try weights("killed"), try weights("clean"), "resumed after kills, the training ends where an uninterrupted one does")
    }

    func testASecondProcessOnTheSameCacheIsRefused() throws {
        let first = try start(arguments(runs: "shared"))
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) }; first.waitUntilExit() }
        // Wait until the first holds the lock (it writes its pid into the lock file).
        let lockFile = root.appendingPathComponent("shared/tiny/.lock")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, ((try? String(contentsOf: lockFile, encoding: .utf8)) ?? "").isEmpty { Thread.sleep(forTimeInterval: 0.02) }
        guard first.isRunning else { throw XCTSkip("the first run finished before the second could start") }
        let second = try CLIRunner.run(arguments(runs: "shared"))
        guard first.isRunning else { throw XCTSkip("the first run finished while the second started") }
        XCTAssertEqual(second.status, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("in use by another paper-repro (pid \(first.processIdentifier)"), second.stderr)
    }
}
