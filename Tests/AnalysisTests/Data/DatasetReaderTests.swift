import Foundation
import XCTest

@testable import Analysis

final class DatasetReaderTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("dataset") }
    override func tearDown() { dir.remove() }

    /// Writes a small 16-bit slice of `size`x`size` at `path`, creating folders.
    func slice(_ path: String, size: Int = 8, value: UInt16 = 100) throws {
        let url = dir.url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try TIFFWriter.write(TIFFImage(width: size, height: size, uint16: [UInt16](repeating: value, count: size * size)), to: url.path)
    }

    func write(_ path: String, _ text: String) throws {
        let url = dir.url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Two COVID patients and two normal ones; patient2 has 3+2 slices.
    func makeRawTree() throws {
        for n in 1...3 { try slice("137covid/patient2/SR_2/IM0000\(n).tif") }
        for n in [4, 10] { try slice("137covid/patient2/SR_4/IM0000\(n).tif".replacingOccurrences(of: "IM000010", with: "IM00010")) }
        try slice("157covid/patient10/SR_3/IM00001.tif")
        for n in 1...4 { try slice("normal1/patient200/SR_2/IM0000\(n).tif") }
        try slice("normal2/patient201/SR_2/IM00001.tif")
        try slice("normal2/patient201/SR_3/IM00001.tif")
    }

    func testRawLayoutCountsAndOrder() throws {
        try makeRawTree()
        let data = try DatasetReader.read(root: dir.url.path)
        XCTAssertEqual(data.layout, .raw)
        XCTAssertEqual(data.patients.map(\.id), ["patient2", "patient10", "patient200", "patient201"])
        XCTAssertEqual(data.counts, DatasetCounts(covidPatients: 2, normalPatients: 2, covidImages: 6, normalImages: 6))
        let p2 = data.patients[0]
        XCTAssertEqual(p2.label, .covid); XCTAssertEqual(p2.batch, "137covid")
        XCTAssertEqual(p2.series.map(\.name), ["SR_2", "SR_4"])
        XCTAssertEqual(p2.series[1].slices.map(\.imageNumber), [4, 10])
        XCTAssertTrue(data.notes.isEmpty, "\(data.notes)")
    }

    func testDuplicatesAcrossBatchFoldersKeptOnceWithOneWarning() throws {
        try makeRawTree()
        for n in 1...4 { try slice("normal4/patient200/SR_2/IM0000\(n).tif") }
        let data = try DatasetReader.read(root: dir.url.path)
        XCTAssertEqual(data.counts.normalImages, 6)
        let dupNotes = data.notes.filter { $0.contains("two batch folders") }
        XCTAssertEqual(dupNotes.count, 1)
        XCTAssertTrue(dupNotes[0].contains(": 4"), dupNotes[0])
        XCTAssertEqual(data.patients.first { $0.id == "patient200" }?.batch, "normal1")
    }

    func testPatientDetailsMismatchesAreNoted() throws {
        try makeRawTree()
        try write(
            "Patient_details.csv",
            """
            Patient ID,SEX,AGE,Date,COVID-19 Infection,SR_2 Folder thickness(mm),SR_3 Folder thickness(mm),SR_4 Folder thickness(mm)
            patient2,F,053Y,20200407,Positive,4,N/A,1.5
            patient10,M,066Y,20200418,Positive,5,5,5
            patient200,F,030Y,20200401,Negative,5,5,8
            patient999,M,040Y,20200401,Negative,5,5,8

            """)
        let data = try DatasetReader.read(root: dir.url.path)
        XCTAssertEqual(data.patients[0].record?.ageYears, 53)
        XCTAssertEqual(data.patients[0].series[0].thicknessMM, 4)
        XCTAssertNil(data.patients[0].series[1].slices.isEmpty ? 1 : data.patients[0].record?.thicknessMM["SR_3"])
        XCTAssertTrue(data.notes.contains { $0.contains("without a folder") && $0.contains("patient999") }, "\(data.notes)")
        XCTAssertTrue(
            data.notes.contains { $0.contains("not listed in Patient_details.csv") && $0.contains("patient201") }, "\(data.notes)")
    }

    func testEmptySeriesAndNonTIFFFilesAreNotedNotFatal() throws {
        try makeRawTree()
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("normal1/patient200/SR_4"), withIntermediateDirectories: true)
        try write("normal1/patient200/SR_2/Thumbs.db", "junk")
        try write("normal1/patient200/SR_2/IM00099.tif", "this is not a tiff")
        let data = try DatasetReader.read(root: dir.url.path)
        XCTAssertEqual(data.patients.first { $0.id == "patient200" }?.series.map(\.name), ["SR_2"])
        XCTAssertEqual(data.counts.normalImages, 6)
        XCTAssertTrue(data.notes.contains { $0.contains("empty series") && $0.contains("patient200/SR_4") }, "\(data.notes)")
        XCTAssertTrue(data.notes.contains { $0.contains("not IM#####.tif") && $0.contains("Thumbs.db") }, "\(data.notes)")
        XCTAssertTrue(data.notes.contains { $0.contains("could not be read as TIFF") && $0.contains("IM00099.tif") }, "\(data.notes)")
    }

    func testMixedSliceSizesNameTheSeriesAndBothSizes() throws {
        try makeRawTree()
        try slice("normal1/patient200/SR_2/IM00005.tif", size: 16)
        // By default the series is left out and listed; the rest is read.
        let data = try DatasetReader.read(root: dir.url.path)
        XCTAssertEqual(data.excludedSeries?.count, 1)
        XCTAssertTrue(
            data.excludedSeries?[0].reason.contains("8x8") == true && data.excludedSeries?[0].reason.contains("16x16") == true,
            "\(data.excludedSeries ?? [])")
        XCTAssertFalse(data.patients.contains { p in p.id == "patient200" && p.series.contains { $0.name == "SR_2" } })
        // --strict makes it fatal.
        XCTAssertThrowsError(try DatasetReader.read(root: dir.url.path, options: .init(strict: true))) { error in
            guard case .mixedSliceSizes(let series, let a, let b)? = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertTrue(series.hasSuffix("normal1/patient200/SR_2"), series)
            XCTAssertTrue(a.contains("8x8") && b.contains("16x16") && b.contains("IM00005.tif"), "\(a) / \(b)")
        }
    }

    func testSpacesAndNonASCIIInRootPath() throws {
        let sub = "my data/für Ärzte"
        try slice("\(sub)/normal1/patient5/SR_2/IM00001.tif")
        let data = try DatasetReader.read(root: dir.path(sub))
        XCTAssertEqual(data.counts.normalImages, 1)
        XCTAssertTrue(data.patients[0].series[0].slices[0].path.contains("für Ärzte"))
    }

    func testFlatLayoutWithCSVs() throws {
        try slice("137covid_patient1_SR_2_IM00010.tif")
        try slice("137covid_patient1_SR_2_IM00011.tif")
        try slice("normal1_patient300_SR_3_IM00002.tif")
        try slice("normal4_patient300_SR_3_IM00002.tif")  // the same slice under a second batch prefix
        try write(
            "all.csv",
            """
            filename,class
            137covid_patient1_SR_2_IM00010.tif,covid
            137covid_patient1_SR_2_IM00011.tif,covid
            normal1_patient300_SR_3_IM00002.tif,normal
            normal4_patient300_SR_3_IM00002.tif,normal

            """)
        let data = try DatasetReader.read(root: dir.url.path)
        XCTAssertEqual(data.layout, .flat)
        XCTAssertEqual(data.counts, DatasetCounts(covidPatients: 1, normalPatients: 1, covidImages: 2, normalImages: 1))
        XCTAssertEqual(data.labelled.count, 3)
        XCTAssertTrue(data.notes.contains { $0.contains("two batch prefixes") }, "\(data.notes)")
        XCTAssertTrue(data.notes.contains { $0.contains("another batch (one kept): 1") }, "\(data.notes)")
    }

    func testNotADirectoryAndNoPatients() throws {
        XCTAssertThrowsError(try DatasetReader.read(root: dir.path("nothing"))) {
            XCTAssertEqual($0 as? DatasetError, .notADirectory(path: self.dir.path("nothing")))
        }
        XCTAssertThrowsError(try DatasetReader.read(root: dir.url.path)) {
            guard case .noPatients? = $0 as? DatasetError else { return XCTFail("\($0)") }
        }
    }

    func testLabelledSlicesWithoutFilesAreLeftOutAndGroundTruthIsNotNoted() throws {
        try makeRawTree()
        try write("137covid/patient2/SR_2/ground_truth.csv", "image_number\n1\n")
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("137covid/patient2/SR_2/lesion_masks"), withIntermediateDirectories: true)
        try write(
            "all.csv",
            """
            filename,class
            137covid_patient2_SR_2_IM00001.tif,covid
            137covid_patient2_SR_2_IM00099.tif,covid
            normal1_patient999_SR_2_IM00001.tif,normal

            """)
        let data = try DatasetReader.read(root: dir.url.path)
        XCTAssertEqual(data.labelled.map(\.filename), ["137covid_patient2_SR_2_IM00001.tif"])
        XCTAssertTrue(data.notes.contains { $0.contains("without an image file, left out: 2") }, "\(data.notes)")
        XCTAssertFalse(data.notes.contains { $0.contains("ground_truth") || $0.contains("lesion_masks") }, "\(data.notes)")
    }
}
