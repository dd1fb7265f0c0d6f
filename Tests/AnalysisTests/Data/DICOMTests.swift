import Foundation
import XCTest

@testable import Analysis

/// DICOM input through DCMTK, checked against files written by other writers
/// (Fixtures/dicom, see its make-fixtures.sh): pydicom's test files with the Hounsfield units
/// pydicom computes, and CT series written by DCMTK's command-line tools.
final class DICOMTests: XCTestCase {
    func fixture(_ relative: String) -> String {
        Bundle.module.url(forResource: "Fixtures/dicom/\(relative)", withExtension: nil)!.path
    }

    struct Expected: Decodable { let rows: Int; let columns: Int; let modality: String; let transferSyntax: String }
    struct SeriesExpected: Decodable { let files_head_first: [String]; let hu_head_first: [[Double]] }

    func floats(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// HU = stored pixel × RescaleSlope + RescaleIntercept, as pydicom computes it, for
    /// uncompressed little- and big-endian, RLE and JPEG-LS lossless files.
    func testHounsfieldUnitsEqualTheHeaderRescaleOfTheStoredPixels() throws {
        let expected = try JSONDecoder().decode(
            [String: Expected].self, from: Data(contentsOf: URL(fileURLWithPath: fixture("pydicom/expected.json"))))
        for name in ["CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_bigendian.dcm"] {
            let e = try XCTUnwrap(expected[name])
            let h = try XCTUnwrap(try DICOMFile.header(fixture("pydicom/\(name)")), name)
            XCTAssertEqual(h.rows, e.rows, name); XCTAssertEqual(h.columns, e.columns, name)
            XCTAssertEqual(h.modality, e.modality, name)
            XCTAssertEqual(h.transferSyntaxUID, e.transferSyntax, name)
            XCTAssertTrue(h.isImage, name)
            let hu = try DICOMFile.hounsfield(fixture("pydicom/\(name)"), rows: h.rows, columns: h.columns)
            assertSameElements(hu, try floats(fixture("pydicom/\(name).hu.f32")), name)
        }
        // CT_small carries a real rescale: the intercept is applied, not assumed.
        let ct = try XCTUnwrap(try DICOMFile.header(fixture("pydicom/CT_small.dcm")))
        XCTAssertTrue(ct.hasRescale)
        XCTAssertNotEqual(ct.rescaleIntercept, 0)
    }

    /// Stored values are HU + 1024 clamped to 12 bits, as on COVID-CTset's TIFFs.
    func testStoredValuesAreHUPlus1024ClampedToTwelveBits() {
        XCTAssertEqual(
            DICOMFile.storedValues(hounsfield: [-2000, -1024, -724, 0, 0.4, 0.6, 3071, 5000, .nan]),
            [0, 0, 300, 1024, 1024, 1025, 4095, 4095, 0])
    }

    /// A transfer syntax DCMTK cannot decode is a clear error naming the file and the syntax.
    func testAnUndecodableTransferSyntaxIsAClearError() throws {
        let path = fixture("pydicom/JPEG2000.dcm")
        let h = try XCTUnwrap(try DICOMFile.header(path))
        XCTAssertThrowsError(try DICOMFile.hounsfield(path, rows: h.rows, columns: h.columns)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), text)
            XCTAssertTrue(text.contains("JPEG 2000"), text)
        }
    }

    /// Series written by DCMTK's tools: grouped by SeriesInstanceUID, ordered head first by
    /// ImagePositionPatient (not by file name, nor by InstanceNumber, which runs the other way in
    /// `signed16`), named by SeriesNumber; signed pixels and a slope other than 1 are applied.
    func testSeriesAreGroupedAndOrderedAlongTheBodyAxis() throws {
        for name in ["unsigned12", "signed16", "unsigned12-jpegls", "unsigned12-rle"] {
            let folder = fixture("dcmtk/\(name)")
            let expected = try JSONDecoder().decode(
                SeriesExpected.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))
            let scan = try DICOMSeriesReader.scan(folder)
            XCTAssertEqual(scan.series.count, 1, name)
            XCTAssertTrue(scan.excluded.isEmpty, "\(scan.excluded)")
            XCTAssertEqual(scan.skipped.map { URL(fileURLWithPath: $0).lastPathComponent }, ["expected.json"], name)
            let s = try XCTUnwrap(scan.series.first)
            XCTAssertEqual(s.name, name.hasPrefix("signed") ? "SR_3" : "SR_2", name)
            XCTAssertEqual(s.ordering, "ImagePositionPatient", name)
            XCTAssertEqual(s.files.map { String($0.dropFirst(folder.count + 1)) }, expected.files_head_first, name)
            XCTAssertEqual(s.thicknessMM, 5); XCTAssertEqual(s.pixelSpacingMM, 0.8)
            for (file, hu) in zip(s.files, expected.hu_head_first) {
                assertSameElements(try DICOMFile.hounsfield(file, rows: 16, columns: 16).map(Double.init), hu, "\(name) \(file)")
            }
        }
    }

    /// Two series in one nested folder, a non-DICOM file and an MR series: the CT series are
    /// read, the MR one is left out with its reason, the text file skipped.
    func testAMixedFolderKeepsWhatItCanAndSaysWhy() throws {
        let tmp = TemporaryDirectory("dicom-mixed"); defer { tmp.remove() }
        let fm = FileManager.default
        try fm.createDirectory(atPath: tmp.path("p/x/y"), withIntermediateDirectories: true)
        for f in ["c.dcm", "nested/b.dcm", "a.dcm"] {
            try fm.copyItem(
                atPath: fixture("dcmtk/unsigned12/\(f)"), toPath: tmp.path("p/x/u-\(URL(fileURLWithPath: f).lastPathComponent)"))
            try fm.copyItem(
                atPath: fixture("dcmtk/signed16/\(f)"), toPath: tmp.path("p/x/y/s-\(URL(fileURLWithPath: f).lastPathComponent)"))
        }
        try fm.copyItem(atPath: fixture("pydicom/MR_small.dcm"), toPath: tmp.path("p/mr.dcm"))
        try "notes".write(toFile: tmp.path("p/readme.txt"), atomically: true, encoding: .utf8)
        let scan = try DICOMSeriesReader.scan(tmp.path("p"))
        XCTAssertEqual(scan.series.map(\.name).sorted(), ["SR_2", "SR_3"])
        XCTAssertEqual(scan.series.map(\.files.count), [3, 3])
        XCTAssertEqual(scan.excluded.count, 1)
        XCTAssertTrue("\(scan.excluded)".contains("modality MR"), "\(scan.excluded)")
        XCTAssertEqual(scan.skipped.map { URL(fileURLWithPath: $0).lastPathComponent }, ["readme.txt"])
    }

    /// A dataset tree of DICOM patients becomes COVID-CTset's raw layout: batch/patient/SR_k/
    /// IM#####.tif with HU + 1024, the root's CSVs copied, a Patients_metadata.csv from the
    /// headers; an undecodable series is left out and the rest written.
    func testConvertingADatasetWritesTheCOVIDCTsetLayout() throws {
        let tmp = TemporaryDirectory("dicom-convert"); defer { tmp.remove() }
        let fm = FileManager.default
        try fm.createDirectory(atPath: tmp.path("in/covid1/patient1/scan"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: tmp.path("in/normal1/patient2"), withIntermediateDirectories: true)
        for f in ["c.dcm", "nested/b.dcm", "a.dcm"] {
            let base = URL(fileURLWithPath: f).lastPathComponent
            try fm.copyItem(atPath: fixture("dcmtk/unsigned12-jpegls/\(f)"), toPath: tmp.path("in/covid1/patient1/scan/\(base)"))
            try fm.copyItem(atPath: fixture("dcmtk/signed16/\(f)"), toPath: tmp.path("in/normal1/patient2/\(base)"))
        }
        try fm.copyItem(atPath: fixture("pydicom/JPEG2000.dcm"), toPath: tmp.path("in/normal1/patient2/j2k.dcm"))
        try "filename,class\n".write(toFile: tmp.path("in/labels.csv"), atomically: true, encoding: .utf8)

        let result = try DICOMConverter.convertDataset(from: tmp.path("in"), to: tmp.path("out"))
        XCTAssertEqual(result.patients.map(\.folder), ["covid1/patient1", "normal1/patient2"])
        XCTAssertTrue(result.failed.isEmpty)
        XCTAssertTrue(result.wroteMetadata)
        // patient2's JPEG 2000 file is another series (its own UID), modality not CT: left out.
        XCTAssertEqual(result.patients[1].result.excluded.count, 1)

        let expected = try JSONDecoder().decode(
            SeriesExpected.self, from: Data(contentsOf: URL(fileURLWithPath: fixture("dcmtk/unsigned12/expected.json"))))
        for k in 0..<3 {
            let image = try TIFFReader.read(tmp.path(String(format: "out/covid1/patient1/SR_2/IM%05d.tif", k + 1)))
            XCTAssertEqual(image.float32.map(Double.init), expected.hu_head_first[k].map { min(max($0 + 1024, 0), 4095) })
        }
        XCTAssertTrue(fm.fileExists(atPath: tmp.path("out/normal1/patient2/SR_3/IM00003.tif")))
        XCTAssertTrue(fm.fileExists(atPath: tmp.path("out/labels.csv")))
        let meta = try PatientsMetadata.load(from: URL(fileURLWithPath: tmp.path("out/Patients_metadata.csv")))
        XCTAssertEqual(meta["patient1"]?["SR_2"]?.pixelSpacingMM, 0.8)
        XCTAssertEqual(meta["patient2"]?["SR_3"]?.sliceThicknessMM, 5)
        XCTAssertFalse(try fm.contentsOfDirectory(atPath: tmp.path("out/covid1/patient1")).contains { $0.hasPrefix(".") })

        // The converted tree reads as a dataset, with the headers' thickness and spacing.
        let dataset = try DatasetReader.read(root: tmp.path("out"))
        XCTAssertEqual(dataset.patients.map(\.id), ["patient1", "patient2"])
        XCTAssertEqual(dataset.patients[0].series.first?.thicknessMM, 5)
        XCTAssertEqual(dataset.patients[0].series.first?.pixelSpacingMM, 0.8)

        // A second conversion into the same folder is refused and changes nothing.
        XCTAssertThrowsError(try DICOMConverter.convertDataset(from: tmp.path("in"), to: tmp.path("out"))) { error in
            XCTAssertTrue("\(error)".contains("not empty"), "\(error)")
        }
    }

    /// No identifying header value (PatientName, PatientID, institution, dates, UIDs) reaches
    /// the converted dataset: CT_small carries all of them.
    func testNoIdentifyingHeaderValueIsWritten() throws {
        let tmp = TemporaryDirectory("dicom-phi"); defer { tmp.remove() }
        let fm = FileManager.default
        try fm.createDirectory(atPath: tmp.path("in/covid1/patient7"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: fixture("pydicom/CT_small.dcm"), toPath: tmp.path("in/covid1/patient7/1.dcm"))
        let result = try DICOMConverter.convertDataset(from: tmp.path("in"), to: tmp.path("out"))
        XCTAssertEqual(result.patients.first?.result.written.first?.name, "SR_1")
        var bytes = Data()
        for f in DICOMSeriesReader.files(below: tmp.path("out")) { bytes += try Data(contentsOf: URL(fileURLWithPath: f)) }
        bytes += Data(DICOMImport.summary(result).joined().utf8)
        let text = String(decoding: bytes, as: UTF8.self)
        for secret in ["CompressedSamples", "1CT1", "JFK IMAGING", "20040119", "1.3.6.1.4.1.5962"] {
            XCTAssertFalse(text.contains(secret), "\(secret) was written")
        }
    }
}
