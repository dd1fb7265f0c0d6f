import Analysis
import Foundation
import XCTest

/// End to end: `paper-repro data index` on a generated tree.
final class DataIndexCLITests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cli-index-\(getpid())-\(UUID().uuidString.prefix(6))")
        let slices: [(String, Int)] = [
            ("137covid/patient1/SR_2", 3), ("137covid/patient1/SR_3", 2),
            ("157covid/patient4/SR_2", 4), ("normal1/patient100/SR_2", 5),
            ("normal2/patient101/SR_4", 1), ("normal5/patient102/SR_2", 2)
        ]
        for (series, count) in slices {
            let dir = root.appendingPathComponent(series)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for n in 1...count {
                try TIFFWriter.write(
                    TIFFImage(width: 4, height: 4, uint16: [UInt16](repeating: 1000, count: 16)),
                    to: dir.appendingPathComponent(String(format: "IM%05d.tif", n)).path)
            }
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func testDataIndexJSONCounts() throws {
        let result = try CLIRunner.run(["data", "index", "--data", root.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try JSONDecoder().decode(DatasetSummary.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(summary.counts, DatasetCounts(covidPatients: 2, normalPatients: 3, covidImages: 9, normalImages: 8))
        XCTAssertEqual(summary.series.map(\.name), ["SR_2", "SR_3", "SR_4"])
        XCTAssertEqual(summary.series[0].series, 4)
        XCTAssertEqual(summary.series[0].maxSlices, 5)
    }

    func testDataIndexText() throws {
        let result = try CLIRunner.run(["data", "index", "--data", root.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Table 1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("COVID"), result.stdout)
    }

    func testMissingDatasetIsAClearErrorWithNonZeroExit() throws {
        let result = try CLIRunner.run(["data", "index", "--data", root.appendingPathComponent("nope").path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("nope: not a directory"), result.stderr)
        let none = try CLIRunner.run(["data", "index"])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("--data"), none.stderr)
    }

    /// A series whose slices differ in size: `data index` leaves it out, lists it and exits 0;
    /// `--strict` makes it fatal, naming the series (the report's side: `Table1Tests`).
    func testABadSeriesIsLeftOutAndListedUnlessStrict() throws {
        try TIFFWriter.write(
            TIFFImage(width: 8, height: 8, uint16: [UInt16](repeating: 1000, count: 64)),
            to: root.appendingPathComponent("normal1/patient100/SR_2/IM00006.tif").path)
        let index = try CLIRunner.run(["data", "index", "--data", root.path])
        XCTAssertEqual(index.status, 0, index.stderr)
        XCTAssertTrue(
            index.stdout.contains("series left out (1)") && index.stdout.contains("patient100/SR_2")
                && index.stdout.contains("4x4 in IM00001.tif and 8x8 in IM00006.tif"), index.stdout)
        let strict = try CLIRunner.run(["data", "index", "--data", root.path, "--strict"])
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stderr.contains("patient100/SR_2") && strict.stderr.contains("slices of different sizes"), strict.stderr)

    }
}
