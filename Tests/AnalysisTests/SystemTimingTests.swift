import Foundation
import NeuralNet
import XCTest

@testable import Analysis

/// Writes small slices whose selection region holds a chosen number of dark pixels.
enum TimingFixture {
    /// A 64 px slice at `path` whose selection region (372 px) holds `dark` dark pixels (value
    /// 50; the rest 1064, i.e. 40 HU).
    static func slice(_ path: String, dark: Int) throws {
        var px = [UInt16](repeating: 1064, count: 64 * 64)
        let region = SelectionRegion(width: 64, height: 64)
        var placed = 0
        outer: for y in region.rows {
            for x in region.columns {
                if placed == dark { break outer }
                px[y * 64 + x] = 50; placed += 1
            }
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try TIFFWriter.write(TIFFImage(width: 64, height: 64, uint16: px), to: path)
    }

    /// A series folder of `count` ≥ 3 slices: the first and last without dark pixels (outside
    /// the lungs, not selected), the others with 300 or so (selected; the region holds 372 px).
    static func series(_ folder: String, count: Int) throws {
        precondition(count >= 3)
        for n in 1...count {
            let dark = n == 1 || n == count ? 0 : 300 + n % 20
            try slice((folder as NSString).appendingPathComponent(String(format: "IM%05d.tif", n)), dark: dark)
        }
    }
}

final class SystemTimingTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("system-timing") }
    override func tearDown() { dir.remove() }

    /// The thinnest ResNet50V2 at 32 px: quick in debug builds.
    func classifier(batch: Int = 4) throws -> SliceClassifier {
        let scale = ModelScale(inputSize: 32, widthMultiplier: 0.0625, fpnFeatures: 4)
        let graph = try ModelKind.resnet50v2.build(scale: scale, seed: 11)
        return SliceClassifier(graph: graph, preparation: InputPreparation(size: 32, scaling: .fixed), batchSize: batch)
    }

    func testSystemTimingAgreesWithTheDiagnosisAndItsStepsAddUp() throws {
        try TimingFixture.series(dir.path("patient9/SR_2"), count: 7)
        try TimingFixture.series(dir.path("patient9/SR_3"), count: 5)
        let c = try classifier()
        let result = try SystemTiming.measure(patientFolder: dir.path("patient9"), classifier: c, rule: .paperThreshold1, repeats: 3)
        let series = try PatientDiagnosis.series(inPatientFolder: dir.path("patient9"))
        let direct = try PatientDiagnosis.run(patient: "patient9", series: series, rule: .paperThreshold1) { try c.classify($0) }

        XCTAssertEqual(result.patient, "patient9")
        XCTAssertEqual(result.series, 2)
        XCTAssertEqual(result.totalSlices, 12)
        XCTAssertEqual(result.selectedSlices, direct.selectedSlices)
        XCTAssertGreaterThan(result.selectedSlices, 0)
        XCTAssertLessThan(result.selectedSlices, 12)
        XCTAssertEqual(result.withSelection.classified, direct.selectedSlices)
        XCTAssertEqual(result.withSelection.covidSlices, direct.covidSlices)
        XCTAssertEqual(result.withSelection.decision, direct.decision)
        XCTAssertEqual(result.withoutSelection.classified, 12)
        XCTAssertEqual(result.repeats, 3)
        XCTAssertEqual(result.batchSize, 4)
        XCTAssertEqual(result.inputSize, 32)

        for m in [result.withSelection, result.withoutSelection] {
            XCTAssertEqual(m.runs.count, 3)
            XCTAssertTrue(m.runs.contains(m.median))
            XCTAssertEqual(m.median.total, m.runs.map(\.total).sorted()[1])
            for run in m.runs { XCTAssertLessThanOrEqual(run.stepSum, run.total * (1 + 1e-9), "\(run)") }
            for s in [m.median, m.stepMedians] {
                XCTAssertGreaterThan(s.readPrepare, 0); XCTAssertGreaterThan(s.inference, 0)
                XCTAssertGreaterThan(s.decision, 0); XCTAssertGreaterThan(s.total, 0)
            }
        }
        XCTAssertGreaterThan(result.withSelection.median.readSelect, 0)
        XCTAssertEqual(result.withoutSelection.median.readSelect, 0)
        // The JSON round-trips.
        let back = try JSONDecoder().decode(SystemTiming.Result.self, from: JSONEncoder().encode(result))
        XCTAssertEqual(back, result)
    }

    func testMedianRunAndStepMedians() {
        func s(_ a: Double, _ b: Double, _ t: Double) -> SystemTiming.Steps {
            SystemTiming.Steps(readSelect: 0, readPrepare: a, inference: b, decision: 0, total: t)
        }
        // Per-step medians (8, 8) add up to more than the median total (10.1): the median run is
        // kept separately so that its steps add up.
        let m = SystemTiming.Measurement(
            classified: 1, covidSlices: 0, decision: .normal,
            runs: [s(1, 9, 10.1), s(9, 1, 10.2), s(8, 8, 16.1)])
        XCTAssertEqual(m.median, s(9, 1, 10.2))
        XCTAssertEqual(m.stepMedians.readPrepare, 8)
        XCTAssertEqual(m.stepMedians.inference, 8)
        XCTAssertEqual(m.stepMedians.total, 10.2)
        let even = SystemTiming.Measurement(classified: 1, covidSlices: 0, decision: .normal, runs: [s(1, 1, 4), s(1, 1, 2)])
        XCTAssertEqual(even.median.total, 2)
        XCTAssertEqual(even.stepMedians.total, 3)
    }

    func testAnUnreadableSeriesIsAnErrorNamingIt() throws {
        try TimingFixture.series(dir.path("p/SR_2"), count: 4)
        try FileManager.default.createDirectory(atPath: dir.path("p/SR_3"), withIntermediateDirectories: true)
        try "junk".write(toFile: dir.path("p/SR_3/IM00001.tif"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SystemTiming.measure(patientFolder: dir.path("p"), classifier: try classifier(), repeats: 1)) {
            guard case let .seriesFailed(patient, series, reason)? = $0 as? TimingError else { return XCTFail("\($0)") }
            XCTAssertEqual(patient, "p"); XCTAssertEqual(series, "SR_3")
            XCTAssertTrue(reason.contains("IM00001.tif"), reason)
        }
    }

    func testChooseTakesTheClosestPatientOnceEach() {
        func patient(_ id: String, _ slices: Int) -> Patient {
            Patient(
                id: id, batch: "normal1", label: .normal, record: nil,
                series: [
                    Series(
                        name: "SR_2", directory: "/", thicknessMM: nil, pixelSpacingMM: nil,
                        slices: (0..<slices).map { SliceFile(imageNumber: $0 + 1, path: "/x\($0)") })
                ])
        }
        let patients = [patient("patient10", 50), patient("patient2", 60), patient("patient3", 130), patient("patient4", 20)]
        let plan = TimingStage.choose(targets: [55, 52, 400, 35, 1], patients: patients)
        // 55: patient10 (50) and patient2 (60) tie at 5 → the lower ID, patient2 (natural order).
        // 52: patient10. 400: patient3. 35: patient4 (15 away). 1: every patient taken → patient4 again.
        XCTAssertEqual(plan.map(\.patient), ["patient2", "patient10", "patient3", "patient4", "patient4"])
        XCTAssertEqual(plan.map(\.slices), [60, 50, 130, 20, 20])
        XCTAssertEqual(plan.map(\.target), [55, 52, 400, 35, 1])
        XCTAssertTrue(plan.allSatisfy { $0.selected == nil && $0.series == 1 })
    }
}
