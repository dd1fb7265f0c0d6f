import Foundation
import XCTest

/// The program runs from any working directory: the presets and the report's templates are
/// found in the checkout the executable was built in, or in the resources built with it.
final class RunAnywhereCLITests: XCTestCase {
    func testReportCommandsRunFromAnEmptyDirectoryOutsideTheCheckout() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("cli-anywhere-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let presets = try CLIRunner.run(["presets"], directory: empty)
        XCTAssertEqual(presets.status, 0, presets.stderr)
        XCTAssertTrue(presets.stdout.contains("smoke:") && presets.stdout.contains("default:"), presets.stdout)
        let table = try CLIRunner.run(["table", "3", "--preset", "smoke"], directory: empty)
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: empty.appendingPathComponent("report/tables/table3.csv").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: empty.appendingPathComponent("runs/smoke").path))
        // A folder given explicitly is used as given: a missing one is an error naming it.
        let missing = try CLIRunner.run(["presets", "--configs", "no-such-folder"], directory: empty)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no-such-folder"), missing.stderr)
    }

    func testACopyOfTheProgramOutsideAnyCheckoutUsesItsBundledPresetsAndTemplates() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("cli-installed-\(getpid())-\(UUID().uuidString.prefix(6))")
        let bin = root.appendingPathComponent("bin"), work = root.appendingPathComponent("work")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: root) }
        // The executable and its resource folders, as an installation would place them.
        let build = CLIRunner.executable.deletingLastPathComponent()
        try fm.copyItem(at: CLIRunner.executable, to: bin.appendingPathComponent("paper-repro"))
        for name in try fm.contentsOfDirectory(atPath: build.path) where name.hasPrefix("paper-repro_") && name.hasSuffix(".resources") {
            try fm.copyItem(at: build.appendingPathComponent(name), to: bin.appendingPathComponent(name))
        }
        XCTAssertFalse(fm.fileExists(atPath: root.appendingPathComponent("Package.swift").path))
        let env = ["PAPER_REPRO_BIN": bin.appendingPathComponent("paper-repro").path]
        let presets = try CLIRunner.run(
            ["presets"], environment: env, directory: work, executable: bin.appendingPathComponent("paper-repro"))
        XCTAssertEqual(presets.status, 0, presets.stderr)
        XCTAssertTrue(presets.stdout.contains("smoke:") && presets.stdout.contains("paper:"), presets.stdout)
        let table = try CLIRunner.run(
            ["table", "3", "--preset", "smoke"], environment: env, directory: work, executable: bin.appendingPathComponent("paper-repro"))
        XCTAssertEqual(table.status, 0, table.stderr)
        let csv = try String(contentsOf: work.appendingPathComponent("report/tables/table3.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains("Learning rate"), csv)
    }
}
