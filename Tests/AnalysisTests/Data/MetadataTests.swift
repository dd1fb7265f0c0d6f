import Foundation
import XCTest

@testable import Analysis

final class MetadataTests: XCTestCase {
    func testBundledPatientDetailsMatchTheRealCohort() throws {
        let records = try PatientDetails.load(from: PatientDetails.bundledURL("Patient_details.csv"))
        XCTAssertEqual(records.count, 377)
        let covid = records.filter { $0.label == .covid }, normal = records.filter { $0.label == .normal }
        XCTAssertEqual(covid.count, 95); XCTAssertEqual(normal.count, 282)
        XCTAssertEqual(covid.filter { $0.sex == "M" }.count, 56)
        XCTAssertEqual(normal.filter { $0.sex == "F" }.count, 146)
        XCTAssertEqual(covid.compactMap(\.ageYears).min(), 17); XCTAssertEqual(covid.compactMap(\.ageYears).max(), 82)
        XCTAssertEqual(normal.compactMap(\.ageYears).min(), 10); XCTAssertEqual(normal.compactMap(\.ageYears).max(), 75)
        // 11 patients have an N/A series.
        XCTAssertEqual(records.filter { $0.thicknessMM.count < 3 }.count, 11)
        XCTAssertEqual(Set(records.flatMap { $0.thicknessMM.values }), [1.5, 4, 5, 6, 8])
    }

    func testBundledAllCSVDeduplicates() throws {
        let (slices, dups) = try LabelledSlices.load(from: PatientDetails.bundledURL("all.csv"))
        XCTAssertEqual(dups, 2125)
        XCTAssertEqual(slices.count, 9933)
        XCTAssertEqual(slices.filter { $0.label == .covid }.count, 2282)
        XCTAssertEqual(Set(slices.filter { $0.label == .covid }.map(\.patientID)).count, 95)
        let first = slices[0]
        XCTAssertEqual(first.batch, "137covid"); XCTAssertEqual(first.patientID, "patient1")
        XCTAssertEqual(first.series, "SR_2"); XCTAssertEqual(first.imageNumber, 10)
    }

    func testBundledScanMetadata() throws {
        let meta = try PatientsMetadata.load(from: PatientDetails.bundledURL("Patients_metadata.csv"))
        XCTAssertEqual(meta.count, 377)
        let sr2 = try XCTUnwrap(meta["patient1"]?["SR_2"])
        XCTAssertEqual(sr2.pixelSpacingMM ?? 0, 0.814453125, accuracy: 1e-9)
        XCTAssertEqual(sr2.convolutionKernel, "B70s")
        XCTAssertEqual(sr2.rows, 512)
        let spacings = meta.values.flatMap { $0.values.compactMap(\.pixelSpacingMM) }
        XCTAssertGreaterThanOrEqual(spacings.min()!, 0.45); XCTAssertLessThanOrEqual(spacings.max()!, 0.93)
    }

    func testCSVQuotingAndErrors() throws {
        let t = try CSVTable(text: "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n1,2\n", source: "t.csv")
        XCTAssertEqual(t.rows, [["x, y", "say \"hi\""], ["1", "2"]])
        XCTAssertThrowsError(try CSVTable(text: "a,b\n1,2,3\n", source: "bad.csv")) {
            XCTAssertEqual($0 as? MetadataError, .malformed(file: "bad.csv", line: 2, reason: "3 fields, header has 2"))
        }
        XCTAssertThrowsError(try CSVTable(text: "a\n\"open\n", source: "q.csv"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pd-\(getpid()).csv")
        try "Patient ID,SEX\np1,M\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try PatientDetails.load(from: url)) {
            XCTAssertEqual($0 as? MetadataError, .missingColumn(file: url.path, column: "AGE"))
        }
    }

    func testLabelledSliceNameParsing() {
        let s = LabelledSlice(filename: "normalcd3_patient301_SR_4_IM00123.tif", label: .normal)
        XCTAssertEqual(s?.batch, "normalcd3"); XCTAssertEqual(s?.patientID, "patient301")
        XCTAssertEqual(s?.series, "SR_4"); XCTAssertEqual(s?.imageNumber, 123)
        XCTAssertNil(LabelledSlice(filename: "garbage.tif", label: .normal))
        XCTAssertEqual(ClassLabel(batchName: "cdunnormal"), .normal)
        XCTAssertEqual(ClassLabel(batchName: "157covid"), .covid)
        XCTAssertNil(ClassLabel(batchName: "misc"))
    }
}
