import XCTest

@testable import Analysis

/// Series-balanced training slices (`TrainingSlices.seriesBalanced`, the dataset audit's fix):
/// the normal class gets the COVID class's mix of series from the normal patients' own
/// open-lung slices, with its count unchanged.
final class SeriesBalanceTests: XCTestCase {
    /// Two COVID patients labelled in SR_2 (4 slices) and SR_3 (6 slices); three normal patients
    /// labelled only in SR_2 (10 slices), each with 12-slice SR_3 and SR_4 series of which the
    /// selection keeps slices 3…10.
    private func fixture() -> (Dataset, [String: [Int]]) {
        func series(_ patient: String, _ name: String, _ n: Int) -> Series {
            Series(
                name: name, directory: "/d/\(patient)/\(name)", thicknessMM: name == "SR_2" ? 6 : 1.5, pixelSpacingMM: nil,
                slices: (1...n).map { SliceFile(imageNumber: $0, path: "/d/\(patient)/\(name)/IM\(String(format: "%05d", $0)).tif") })
        }
        let covid = ["patient1", "patient2"].map { id in
            Patient(id: id, batch: "137covid", label: .covid, record: nil, series: ["SR_2", "SR_3", "SR_4"].map { series(id, $0, 12) })
        }
        let normal = ["patient101", "patient102", "patient103"].map { id in
            Patient(id: id, batch: "normal1", label: .normal, record: nil, series: ["SR_2", "SR_3", "SR_4"].map { series(id, $0, 12) })
        }
        func label(_ batch: String, _ p: String, _ s: String, _ i: Int, _ l: ClassLabel) -> LabelledSlice {
            LabelledSlice(filename: "\(batch)_\(p)_\(s)_IM\(String(format: "%05d", i)).tif", label: l)!
        }
        var labelled: [LabelledSlice] = []
        labelled += (3...4).map { label("137covid", "patient1", "SR_2", $0, .covid) }
        labelled += (3...5).map { label("137covid", "patient1", "SR_3", $0, .covid) }
        labelled += (5...6).map { label("137covid", "patient2", "SR_2", $0, .covid) }
        labelled += (6...8).map { label("137covid", "patient2", "SR_3", $0, .covid) }
        labelled += (3...6).map { label("normal1", "patient101", "SR_2", $0, .normal) }
        labelled += (3...5).map { label("normal1", "patient102", "SR_2", $0, .normal) }
        labelled += (3...5).map { label("normal1", "patient103", "SR_2", $0, .normal) }
        var selected: [String: [Int]] = [:]
        for p in covid + normal { for s in p.series { selected["\(p.id)/\(s.name)"] = Array(3...10) } }
        return (Dataset(root: "/d", layout: .raw, patients: covid + normal, labelled: labelled, notes: []), selected)
    }

    private let patients = ["patient1", "patient2", "patient101", "patient102", "patient103"]

    func testNormalClassTakesTheCovidSeriesMixWithItsCountUnchanged() throws {
        let (data, selected) = fixture()
        let records = try ImageSet.seriesBalancedRecords(dataset: data, patients: patients, selected: selected, seed: 3, stream: "t")
        let covid = records.filter { $0.label == .covid }, normal = records.filter { $0.label == .normal }
        XCTAssertEqual(covid.count, 10, "every labelled COVID slice is kept")
        XCTAssertEqual(normal.count, 10, "the normal count is the labelled one")
        // COVID: 4 of 10 in SR_2, 6 in SR_3 → normal 4 SR_2 (labelled) and 6 SR_3 (added).
        XCTAssertEqual(normal.filter { $0.key.series == "SR_2" }.count, 4)
        XCTAssertEqual(normal.filter { $0.key.series == "SR_3" }.count, 6)
        XCTAssertEqual(normal.filter { $0.key.series == "SR_4" }.count, 0)
        let labelledKeys = Set(data.labelled.map(\.key))
        for r in normal where r.key.series != "SR_2" {
            XCTAssertFalse(labelledKeys.contains(r.key))
            XCTAssertTrue((3...10).contains(r.key.imageNumber), "only slices the selection kept: \(r.key)")
            XCTAssertTrue(r.key.patientID.hasPrefix("patient10"), "only normal patients' slices: \(r.key)")
            XCTAssertTrue(r.path.hasSuffix("/\(r.key.series)/IM\(String(format: "%05d", r.key.imageNumber)).tif"), r.path)
        }
        XCTAssertEqual(Set(records.map(\.key)).count, records.count, "no slice twice")
        XCTAssertEqual(records, records.sorted { $0.key < $1.key })
        // Deterministic in the seed and stream; another seed draws other slices.
        XCTAssertEqual(
            records, try ImageSet.seriesBalancedRecords(dataset: data, patients: patients, selected: selected, seed: 3, stream: "t"))
        XCTAssertNotEqual(
            records, try ImageSet.seriesBalancedRecords(dataset: data, patients: patients, selected: selected, seed: 4, stream: "t"))
    }

    func testShortPoolsAreMadeUpFromLabelledSlices() throws {
        let (data, full) = fixture()
        // Only one open-lung SR_3 slice per normal patient: 3 added, 7 labelled SR_2 kept.
        var selected = full
        for p in ["patient101", "patient102", "patient103"] { selected["\(p)/SR_3"] = [9] }
        let normal = try ImageSet.seriesBalancedRecords(dataset: data, patients: patients, selected: selected, seed: 3, stream: "t")
            .filter { $0.label == .normal }
        XCTAssertEqual(normal.count, 10)
        XCTAssertEqual(normal.filter { $0.key.series == "SR_3" }.count, 3)
        XCTAssertEqual(normal.filter { $0.key.series == "SR_2" }.count, 7)
    }

    func testMissingSelectionIsAnError() throws {
        let (data, full) = fixture()
        var selected = full
        selected["patient102/SR_3"] = nil
        XCTAssertThrowsError(
            try ImageSet.seriesBalancedRecords(dataset: data, patients: patients, selected: selected, seed: 3, stream: "t")
        ) {
            XCTAssertEqual($0 as? TrainingSlicesError, .noSelection(patient: "patient102"))
        }
    }

    func testFoldRecordsFollowTheConfig() throws {
        let (data, selected) = fixture()
        let fold = Fold(index: 1, trainPatients: patients, testPatients: [], validationPatients: [], validationSource: .testSubset)
        var config = TrainingConfig(seed: 3)
        XCTAssertEqual(config.slices, .labelled)
        let labelled = try FoldTraining.records(dataset: data, fold: fold, config: config).training
        XCTAssertTrue(labelled.filter { $0.label == .normal }.allSatisfy { $0.key.series == "SR_2" })
        config.trainingSlices = .seriesBalanced
        let balanced = try FoldTraining.records(dataset: data, fold: fold, config: config, selected: selected).training
        XCTAssertEqual(balanced.filter { $0.label == .normal && $0.key.series == "SR_3" }.count, 6)
        // The labelled choice is left out of the encoded config (older stage keys stay valid).
        let plain = String(decoding: try JSONEncoder().encode(TrainingConfig(seed: 3, trainingSlices: .labelled)), as: UTF8.self)
        XCTAssertFalse(plain.contains("trainingSlices"), plain)
        XCTAssertEqual(TrainingConfig(seed: 3, trainingSlices: .labelled), TrainingConfig(seed: 3))
    }
}
