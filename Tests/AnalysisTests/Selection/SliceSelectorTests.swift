import Foundation
import XCTest

@testable import Analysis

final class SliceSelectorTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("selection") }
    override func tearDown() { dir.remove() }

    // MARK: - The rule

    func testPaperExampleThreshold() {
        // §2.2: max 3030 and min 30 give a threshold of 2000.
        XCTAssertEqual(SelectionParameters.paper.threshold(min: 30, max: 3030), 2000)
        XCTAssertEqual(SelectionParameters(rule: .minPlusRange).threshold(min: 30, max: 3030), 2030)
        let d = SeriesSelection.decide(counts: [30, 1999, 2000, 2001, 3030], parameters: .paper)
        XCTAssertEqual(d.selected, [false, false, false, true, true])  // strict: 2000 is not kept
    }

    func testOneSliceAndEqualCounts() {
        XCTAssertEqual(SeriesSelection.decide(counts: [17], parameters: .paper).selected, [true])
        XCTAssertEqual(SeriesSelection.decide(counts: [5, 5, 5], parameters: .paper).selected, [true, true, true])
        let zero = SeriesSelection.decide(counts: [0, 0], parameters: .paper)
        XCTAssertEqual(zero.threshold, 0)
        XCTAssertEqual(zero.selected, [false, false])
        XCTAssertEqual(zero.warnings.count, 1)
        XCTAssertTrue(zero.warnings[0].contains("no dark pixels"))
    }

    func testRegionIsThePapersAndScales() {
        let r = SelectionRegion(width: 512, height: 512)
        XCTAssertEqual(r.rows, 240..<340); XCTAssertEqual(r.columns, 120..<370)
        XCTAssertEqual(r.area, 25_000); XCTAssertFalse(r.scaled)
        let s = SelectionRegion(width: 128, height: 128)
        XCTAssertEqual(s.rows, 60..<85); XCTAssertEqual(s.columns, 30..<92); XCTAssertTrue(s.scaled)
    }

    // MARK: - Counting

    func testCountMatchesANaiveCountIncludingTheBoundaryValue() {
        var state: UInt64 = 12345
        func next() -> UInt16 { state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt16((state >> 33) % 700) }
        let px = (0..<(512 * 512)).map { _ in next() }
        var naive = 0
        for y in 240..<340 { for x in 120..<370 where px[y * 512 + x] < 300 { naive += 1 } }
        XCTAssertEqual(DarkPixelCounter.count(pixels: px, width: 512, height: 512), naive)
        // 299 is dark, 300 is not (strict).
        var edge = [UInt16](repeating: 1000, count: 512 * 512)
        edge[250 * 512 + 200] = 299; edge[250 * 512 + 201] = 300; edge[239 * 512 + 200] = 0; edge[250 * 512 + 370] = 0
        XCTAssertEqual(DarkPixelCounter.count(pixels: edge, width: 512, height: 512), 1)
    }

    // MARK: - Series from files

    /// A 512 px slice whose region holds `dark` dark pixels (value 100) and bright elsewhere.
    func writeSlice(_ path: String, dark: Int, size: Int = 512) throws {
        var px = [UInt16](repeating: 1064, count: size * size)
        let region = SelectionRegion(width: size, height: size)
        var placed = 0
        outer: for y in region.rows { for x in region.columns { if placed == dark { break outer }; px[y * size + x] = 100; placed += 1 } }
        // Dark pixels outside the region must not count.
        for x in 0..<size { px[x] = 0 }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try TIFFWriter.write(TIFFImage(width: size, height: size, uint16: px), to: path)
    }

    func makeSeries(_ name: String, darks: [Int], size: Int = 512) throws -> Series {
        let d = dir.path(name)
        let slices = try darks.enumerated().map { i, dark -> SliceFile in
            let p = "\(d)/IM\(String(format: "%05d", i + 1)).tif"
            try writeSlice(p, dark: dark, size: size)
            return SliceFile(imageNumber: i + 1, path: p)
        }
        return Series(name: "SR_2", directory: d, thicknessMM: 5, pixelSpacingMM: 0.7, slices: slices)
    }

    func testSeriesFromFiles() throws {
        let series = try makeSeries("p1", darks: [30, 500, 2500, 3030, 2600, 900, 40])
        let s = try SliceSelector.select(series: series, patientID: "patient1", label: .covid)
        XCTAssertEqual(s.counts, [30, 500, 2500, 3030, 2600, 900, 40])
        XCTAssertEqual(s.threshold, 2000)
        XCTAssertEqual(s.selectedImageNumbers, [3, 4, 5])
        XCTAssertFalse(s.regionScaled)
    }

    func testScaledRegionIsReported() throws {
        let series = try makeSeries("small", darks: [0, 100, 800], size: 128)
        let s = try SliceSelector.select(series: series, patientID: "patient2", label: .normal)
        XCTAssertTrue(s.regionScaled)
        XCTAssertEqual(s.counts, [0, 100, 800])
    }

    func testDatasetWithAnUnreadableSliceAndAnEmptySeriesGoesOn() throws {
        let good = try makeSeries("good", darks: [10, 2000, 20])
        var bad = try makeSeries("bad", darks: [10, 2000])
        try "not a tiff".write(toFile: bad.slices[1].path, atomically: true, encoding: .utf8)
        bad = Series(name: "SR_3", directory: bad.directory, thicknessMM: nil, pixelSpacingMM: nil, slices: bad.slices)
        let empty = Series(name: "SR_4", directory: dir.path("empty"), thicknessMM: nil, pixelSpacingMM: nil, slices: [])
        let dataset = Dataset(
            root: dir.url.path, layout: .raw,
            patients: [Patient(id: "patient1", batch: "137covid", label: .covid, record: nil, series: [good, bad, empty])],
            labelled: [], notes: [])
        let result = SliceSelector.select(dataset: dataset)
        XCTAssertEqual(result.series.count, 1)
        XCTAssertEqual(result.series[0].selectedImageNumbers, [2])
        XCTAssertEqual(result.failures.map(\.series), ["SR_3", "SR_4"])
        XCTAssertTrue(result.failures[0].reason.contains(bad.slices[1].path), result.failures[0].reason)
        XCTAssertTrue(result.failures[1].reason.contains("empty series"), result.failures[1].reason)
        XCTAssertEqual(result.keptFraction, 1.0 / 3.0, accuracy: 1e-12)
    }
}

final class SelectionValidationTests: XCTestCase {
    func testPrecisionRecallAgainstAHandWrittenGroundTruth() throws {
        let dir = TemporaryDirectory("validation")
        defer { dir.remove() }
        // Counts 0, 100, 3000, 2900, 50 → threshold 2000: slices 3 and 4 kept.
        // Truth: lung open in 2, 3, 4 → precision 1, recall 2/3; labelled 3 (kept) and 2 (dropped).
        var slices: [SliceFile] = []
        for (i, dark) in [0, 100, 3000, 2900, 50].enumerated() {
            var px = [UInt16](repeating: 1064, count: 512 * 512)
            var placed = 0
            outer: for y in 240..<340 { for x in 120..<370 { if placed == dark { break outer }; px[y * 512 + x] = 10; placed += 1 } }
            let path = dir.path("IM0000\(i + 1).tif")
            try TIFFWriter.write(TIFFImage(width: 512, height: 512, uint16: px), to: path)
            slices.append(SliceFile(imageNumber: i + 1, path: path))
        }
        try """
        image_number,z_mm,lung_area_in_region,lung_open,lesion_area,lesion_area_in_region,labelled
        1,0,0,no,0,0,no
        2,5,90,yes,0,0,yes
        3,10,2900,yes,0,0,yes
        4,15,2800,yes,0,0,no
        5,20,0,no,0,0,no
        """.write(toFile: dir.path("ground_truth.csv"), atomically: true, encoding: .utf8)
        let dataset = Dataset(
            root: dir.url.path, layout: .raw,
            patients: [
                Patient(
                    id: "patient1", batch: "137covid", label: .covid, record: nil,
                    series: [Series(name: "SR_2", directory: dir.url.path, thicknessMM: 5, pixelSpacingMM: nil, slices: slices)])
            ],
            labelled: [
                LabelledSlice(filename: "137covid_patient1_SR_2_IM00002.tif", label: .covid)!,
                LabelledSlice(filename: "137covid_patient1_SR_2_IM00003.tif", label: .covid)!
            ],
            notes: [])
        let v = try XCTUnwrap(try SelectionValidation.validate(SliceSelector.select(dataset: dataset), dataset: dataset))
        XCTAssertEqual(v.precision, 1); XCTAssertEqual(v.recall, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(v.labelledKept, 0.5); XCTAssertEqual(v.closedDropped, 1); XCTAssertEqual(v.slices, 5)
        XCTAssertEqual(v.covidLabelledKept, 0.5); XCTAssertNil(v.normalLabelledKept)
        let sweep = try SelectionValidation.sweep(dataset: dataset, darkValues: [300], divisors: [1.2, 1.5, 40])
        XCTAssertEqual(sweep.count, 3)
        XCTAssertEqual(sweep[2].recall, 1)  // threshold 75: slices 2, 3, 4 kept
        XCTAssertEqual(sweep[1], v)
    }

    func testNoGroundTruthGivesNil() throws {
        let dataset = Dataset(root: "/", layout: .raw, patients: [], labelled: [], notes: [])
        XCTAssertNil(try SelectionValidation.validate(SelectionResult(parameters: .paper, series: [], failures: []), dataset: dataset))
    }

    func testOnASmallTwinTheRuleKeepsLabelledSlicesAndDropsClosedLungs() throws {
        let dir = TemporaryDirectory("twin-validation")
        defer { dir.remove() }
        let twin = try SyntheticTwin(config: SynthConfig(size: 64, patients: .ids(["patient3", "patient200"]), seed: 5))
        _ = try twin.write(to: dir.url.path) { _, _ in }
        let dataset = try DatasetReader.read(root: dir.url.path)
        let v = try XCTUnwrap(try SelectionValidation.validate(SliceSelector.select(dataset: dataset), dataset: dataset))
        XCTAssertGreaterThanOrEqual(v.labelledKept, 0.9, "\(v)")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(v.normalLabelledKept), 0.95, "\(v)")
        XCTAssertGreaterThanOrEqual(v.closedDropped, 0.9, "\(v)")
        XCTAssertGreaterThan(v.precision, 0.8, "\(v)")
    }
}
