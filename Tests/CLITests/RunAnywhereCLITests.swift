import Foundation
import XCTest

/// The program runs from any working directory: the presets and the report's templates are
/// found in the checkout the executable was built in.
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
}
