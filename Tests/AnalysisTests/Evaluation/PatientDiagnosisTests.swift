import Foundation
import XCTest

@testable import Analysis

final class PatientDiagnosisTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("diagnose") }
    override func tearDown() { dir.remove() }

    /// A 64 px slice whose selection region holds `dark` dark pixels.
    func slice(_ path: String, dark: Int) throws {
        var px = [UInt16](repeating: 1064, count: 64 * 64)
        let region = SelectionRegion(width: 64, height: 64)
        var placed = 0
        outer: for y in region.rows { for x in region.columns { if placed == dark { break outer }; px[y * 64 + x] = 50; placed += 1 } }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try TIFFWriter.write(TIFFImage(width: 64, height: 64, uint16: px), to: path)
    }

    func testWholeSystemOnAPatientFolder() throws {
        // SR_2: counts 0, 200, 300, 10 → threshold 200: slice 3 kept. SR_3: 5, 400, 390 → 263.3: slices 2, 3 kept.
        for (n, d) in [0, 200, 300, 10].enumerated() { try slice(dir.path("patient7/SR_2/IM0000\(n + 1).tif"), dark: d) }
        for (n, d) in [5, 400, 390].enumerated() { try slice(dir.path("patient7/SR_3/IM0000\(n + 1).tif"), dark: d) }
        let series = try PatientDiagnosis.series(inPatientFolder: dir.path("patient7"))
        XCTAssertEqual(series.map(\.name), ["SR_2", "SR_3"])
        var seen: [String] = []
        let result = try PatientDiagnosis.run(patient: "patient7", series: series, rule: .paperThreshold2) { paths in
            seen = paths
            return paths.map { $0.hasSuffix("IM00002.tif") ? 0.9 : 0.2 }
        }
        XCTAssertEqual(seen.map { ($0 as NSString).lastPathComponent }, ["IM00003.tif", "IM00002.tif", "IM00003.tif"])
        XCTAssertEqual(result.totalSlices, 7); XCTAssertEqual(result.selectedSlices, 3); XCTAssertEqual(result.covidSlices, 1)
        XCTAssertEqual(result.decision, .covid)  // 1 ≥ 0.1 × 3
        XCTAssertEqual(result.slices.filter(\.selected).count, 3)
        XCTAssertNil(result.slices[0].covidProbability)
        // A folder of one series works too.
        let one = try PatientDiagnosis.series(inPatientFolder: dir.path("patient7/SR_3"))
        XCTAssertEqual(one.count, 1); XCTAssertEqual(one[0].slices.count, 3)
    }

    func testNoSelectedSliceIsUndetermined() throws {
        for n in 1...3 { try slice(dir.path("p/SR_2/IM0000\(n).tif"), dark: 0) }
        let result = try PatientDiagnosis.run(patient: "p", series: try PatientDiagnosis.series(inPatientFolder: dir.path("p"))) { _ in
            XCTFail("nothing to classify"); return []
        }
        XCTAssertEqual(result.decision, .undetermined)
        XCTAssertEqual(result.selectedSlices, 0)
    }

    func testAnUnreadableSeriesIsReportedAndTheRestGoesOn() throws {
        for (n, d) in [0, 500, 20].enumerated() { try slice(dir.path("q/SR_2/IM0000\(n + 1).tif"), dark: d) }
        try FileManager.default.createDirectory(atPath: dir.path("q/SR_4"), withIntermediateDirectories: true)
        try "junk".write(toFile: dir.path("q/SR_4/IM00001.tif"), atomically: true, encoding: .utf8)
        let result = try PatientDiagnosis.run(patient: "q", series: try PatientDiagnosis.series(inPatientFolder: dir.path("q"))) {
            $0.map { _ in 0.1 }
        }
        XCTAssertEqual(result.failures.map(\.series), ["SR_4"])
        XCTAssertEqual(result.decision, .normal)
        XCTAssertThrowsError(try PatientDiagnosis.series(inPatientFolder: dir.path("missing")))
    }
}
