import XCTest

@testable import Analysis

/// A slice is a pure function of (seed, patient, series, image number) (issue 3).
final class SyntheticDeterminismTests: XCTestCase {
    func testSingleSliceMatchesFullWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synth-det-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let twin = try SyntheticTwin(config: SynthConfig(size: 32, patients: .ids(["patient7", "patient169"]), seed: 5))
        var calls = 0, lastDone = 0
        let summary = try twin.write(to: dir.path) { done, total in
            calls += 1; XCTAssertGreaterThan(done, lastDone); lastDone = done
            XCTAssertEqual(total, twin.plan().reduce(0) { $0 + $1.sliceCount })
        }
        XCTAssertEqual(summary.slices, lastDone)
        XCTAssertEqual(calls, summary.slices)
        XCTAssertEqual(summary.patients, 2)
        // Regenerate single slices in a fresh twin with a different selection.
        let alone = try SyntheticTwin(config: SynthConfig(size: 32, patients: .ids(["patient169", "patient7"]), seed: 5))
        for p in twin.plan() {
            for n in [p.imageNumbers[0], p.imageNumbers[p.sliceCount / 2]] {
                let path = dir.appendingPathComponent(p.batch).appendingPathComponent(p.patientID)
                    .appendingPathComponent(p.series).appendingPathComponent(SeriesPlan.fileName(n)).path
                let read = try TIFFReader.read(path)
                let (px, _) = try alone.renderSlice(patient: p.patientID, series: p.series, imageNumber: n)
                XCTAssertEqual(read.uint16, px, "\(path)")
            }
            let truth = try String(
                contentsOf: dir.appendingPathComponent(p.batch).appendingPathComponent(p.patientID)
                    .appendingPathComponent(p.series).appendingPathComponent("ground_truth.csv"), encoding: .utf8)
            XCTAssertEqual(truth.split(separator: "\n").count, p.sliceCount + 1)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Patient_details.csv").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("normal1/patient169/SR_2").path))
        // The dataset reader reads the raw layout back (ground truth files are skipped).
        let ds = try DatasetReader.read(root: dir.path)
        XCTAssertEqual(ds.patients.map(\.id).sorted(), ["patient169", "patient7"])
        XCTAssertEqual(ds.patients.reduce(0) { $0 + $1.sliceCount }, summary.slices)
        XCTAssertEqual(ds.patients.first { $0.id == "patient7" }?.label, .covid)
        // A different seed gives different pixels.
        let other = try SyntheticTwin(config: SynthConfig(size: 32, patients: .ids(["patient7"]), seed: 6))
        let p = twin.plan()[0]
        XCTAssertNotEqual(
            try other.renderSlice(patient: p.patientID, series: p.series, imageNumber: 1).pixels,
            try alone.renderSlice(patient: p.patientID, series: p.series, imageNumber: 1).pixels)
    }

    func testPNGContactSheetEncoding() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sheet-\(getpid()).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gray = ContactSheet.window([0, 424, 1024, 4095])
        XCTAssertEqual(gray, [37, 128, 255, 255])  // stored 0 = -1024 HU, window from -1200 HU
        let (w, h, g) = ContactSheet.tile([gray, gray], tileSize: 2, columns: 2, gap: 1)
        XCTAssertEqual(w, 7); XCTAssertEqual(h, 4)
        try ContactSheet.writePNG(gray: g, width: w, height: h, to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(ContactSheet.crc32(Array("IEND".utf8)), 0xAE42_6082)
    }
}
