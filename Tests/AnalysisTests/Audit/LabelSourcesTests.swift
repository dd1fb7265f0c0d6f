import Foundation
import XCTest

@testable import Analysis

/// The dataset audit's counts on the real `all.csv` and `Patient_details.csv`, the one-feature
/// rule and the leakage check.
final class LabelSourcesTests: XCTestCase {
    nonisolated(unsafe) static var cached: LabelSources?

    func shipped() throws -> LabelSources {
        if let s = Self.cached { return s }
        let s = try LabelSources.shipped()
        Self.cached = s
        return s
    }

    // MARK: - The real metadata

    func testSeriesOfTheRealLabels() throws {
        let s = try shipped()
        XCTAssertEqual(s.origin, .shipped)
        XCTAssertEqual(s.rows.count, 12_058)
        let normal = s.tally(.normal), covid = s.tally(.covid)
        XCTAssertEqual(normal.images, 9_776)
        XCTAssertEqual(normal.series("SR_2"), 9_776, "every normal label is an SR_2 slice")
        XCTAssertEqual(covid.images, 2_282)
        XCTAssertEqual(covid.series("SR_3") + covid.series("SR_4"), 1_305)
        XCTAssertEqual(s.seriesNames, ["SR_2", "SR_3", "SR_4"])
    }

    func testThicknessOfTheRealLabels() throws {
        let s = try shipped()
        let normal = s.tally(.normal), covid = s.tally(.covid)
        XCTAssertEqual(normal.thickness(6), 8_388)
        XCTAssertEqual(covid.thickness(1.5), 422)
        XCTAssertEqual(normal.thickness(1.5), 26)
        XCTAssertEqual(covid.thickness(8), 72)
        XCTAssertEqual(normal.thickness(8), 0, "8 mm slices are COVID only")
        XCTAssertEqual(normal.thicknessShare(6), 8_388.0 / 9_776.0)
        // Every row has a thickness or counts as unknown; the tallies add up.
        XCTAssertEqual(s.thicknesses.map { covid.thickness($0) }.reduce(0, +), covid.images)
        XCTAssertEqual(s.thicknesses.last!, nil, "SR_2 of two COVID patients has no thickness in Patient_details.csv")
    }

    func testRepeatedRows() throws {
        let s = try shipped()
        XCTAssertEqual(s.repeats.count, 2_125)
        XCTAssertTrue(s.repeats.allSatisfy { $0.slice.label == .normal })
        XCTAssertEqual(s.tally(.normal, repeats: false).images, 7_651)
        XCTAssertEqual(s.tally(.covid, repeats: false).images, 2_282)
        // A repeat names a slice an earlier row already named, under another batch folder.
        let first = try XCTUnwrap(s.repeats.first)
        let original = try XCTUnwrap(s.rows.first { $0.slice.key == first.slice.key })
        XCTAssertFalse(original.isRepeat)
        XCTAssertNotEqual(original.slice.batch, first.slice.batch)
    }

    func testMissingPatientAndBadFilesNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("label-sources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let all = dir.appendingPathComponent("all.csv"), details = dir.appendingPathComponent("Patient_details.csv")
        try "filename,class\nnormal1_patient9_SR_2_IM00001.tif,normal\n".write(to: all, atomically: true, encoding: .utf8)
        try
            "Patient ID,SEX,AGE,Date,COVID-19 Infection,SR_2 Folder thickness(mm),SR_3 Folder thickness(mm),SR_4 Folder thickness(mm)\npatient1,F,053Y,20200407,Negative,6,N/A,N/A\n"
            .write(to: details, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LabelSources.load(allCSV: all, patientDetails: details, origin: .dataset)) { error in
            guard case MetadataError.malformed(let file, let line, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, all.path); XCTAssertEqual(line, 2); XCTAssertTrue(reason.contains("patient9"), reason)
        }
        try "name,label\nx,y\n".write(to: all, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LabelSources.load(allCSV: all, patientDetails: details, origin: .dataset)) { error in
            XCTAssertEqual(error as? MetadataError, .missingColumn(file: all.path, column: "filename"))
        }
        XCTAssertThrowsError(try LabelSources.load(allCSV: all, patientDetails: dir.appendingPathComponent("none.csv"), origin: .dataset)) {
            error in
            XCTAssertTrue("\(error)".contains("none.csv"), "\(error)")
        }
    }

    // MARK: - One-feature rule

    func slice(_ patient: Int, _ series: String, _ image: Int, _ label: ClassLabel) -> LabelledSlice {
        LabelledSlice(
            filename: "\(label == .covid ? "137covid" : "normal1")_patient\(patient)_\(series)_IM\(String(format: "%05d", image)).tif",
            label: label)!
    }

    func testThicknessThatSeparatesPerfectlyGivesAccuracyOne() {
        // COVID patients 1-4 are 1.5 mm, normal patients 5-8 are 6 mm: thickness alone separates.
        var slices: [LabelledSlice] = [], thickness: [String: [String: Double]] = [:]
        for p in 1...8 {
            let label: ClassLabel = p <= 4 ? .covid : .normal
            thickness["patient\(p)"] = ["SR_2": label == .covid ? 1.5 : 6]
            for i in 1...(p % 3 + 2) { slices.append(slice(p, "SR_2", i, label)) }
        }
        let sources = LabelSources(origin: .dataset, slices: slices, thicknessMM: thickness)
        let plan = FoldPlan(
            folds: [
                Fold(
                    index: 1, trainPatients: ["patient1", "patient2", "patient5", "patient6"],
                    testPatients: ["patient3", "patient4", "patient7", "patient8"],
                    validationPatients: [], validationSource: .testSubset)
            ], seed: 0)
        let results = ShortcutCheck.run(sources, plan: plan)
        XCTAssertEqual(results.count, 6)
        for r in results where r.feature == .thickness {
            XCTAssertEqual(r.rule.covidValues, ["1.5 mm"])
            XCTAssertEqual(r.test.metrics.overallAccuracy, 1)
            XCTAssertEqual(r.test.balancedAccuracy, 1)
        }
        // Series alone (all SR_2) cannot separate: everything is one value, called normal on ties
        // or the majority.
        for r in results where r.feature == .series {
            XCTAssertLessThan(r.test.balancedAccuracy, 1)
            XCTAssertEqual(r.test.balancedAccuracy, 0.5)
        }
    }

    func testFitObjectives() {
        // Value "a": 6 COVID, 10 normal; "b": 4 COVID, 0 normal; "c": 0 COVID, 90 normal.
        let samples =
            Array(repeating: (value: "a", label: ClassLabel.covid), count: 6)
            + Array(repeating: (value: "a", label: ClassLabel.normal), count: 10)
            + Array(repeating: (value: "b", label: ClassLabel.covid), count: 4)
            + Array(repeating: (value: "c", label: ClassLabel.normal), count: 90)
        XCTAssertEqual(OneFeatureRule.fit(samples, objective: .accuracy).covidValues, ["b"])
        // 6/10 of COVID is "a" against 10/100 of normal: balanced accuracy calls "a" COVID too.
        let balanced = OneFeatureRule.fit(samples, objective: .balancedAccuracy)
        XCTAssertEqual(balanced.covidValues, ["a", "b"])
        XCTAssertEqual(balanced.score(samples).balancedAccuracy, (1.0 + 0.9) / 2, accuracy: 1e-12)
        XCTAssertEqual(balanced.predict("never seen"), .normal)
    }

    func testShortcutOnTheRealLabelsIsStrong() throws {
        let s = try shipped()
        let records = try PatientDetails.load(from: PatientDetails.bundledURL("Patient_details.csv"))
        let labelled = try LabelledSlices.load(from: PatientDetails.bundledURL("all.csv")).slices
        let plan = FoldPlan.make(patients: records.map { ($0.id, $0.label) }, labelled: labelled, seed: 7)
        let results = ShortcutCheck.run(s, plan: plan)
        XCTAssertEqual(results.count, 5 * 3 * 2)
        // Series alone: SR_3 and SR_4 are COVID only, so calling them COVID is never wrong on normals.
        for r in results where r.feature == .series {
            XCTAssertTrue(r.rule.covidValues.isSuperset(of: ["SR_3", "SR_4"]))
            XCTAssertEqual(r.test.covidFP, 0, "fold \(r.fold)")
        }
        // Each feature alone beats chance (0.5) by far on the test labels.
        for r in results where r.objective == .balancedAccuracy {
            XCTAssertGreaterThan(r.test.balancedAccuracy, r.feature == .thickness ? 0.65 : 0.7, "fold \(r.fold), \(r.feature)")
        }
    }

    // MARK: - Leakage

    func testLeakageCheckReportsALeakedPatient() {
        let labels = [
            slice(1, "SR_2", 1, .normal), slice(2, "SR_2", 1, .normal), slice(3, "SR_2", 1, .normal),
            // patient2's slice listed again under another batch folder.
            LabelledSlice(filename: "normal4_patient2_SR_2_IM00001.tif", label: .normal)!
        ]
        let clean = FoldPlan(
            folds: [
                Fold(
                    index: 1, trainPatients: ["patient1"], testPatients: ["patient2", "patient3"],
                    validationPatients: ["patient3"], validationSource: .testSubset)
            ], seed: 0)
        let ok = clean.leakage(labels: labels)
        XCTAssertEqual(ok.map(\.isClean), [true])
        XCTAssertEqual(ok[0].repeatedSlices, 1)
        XCTAssertEqual(ok[0].repeatedSlicesOnBothSides, 0)

        let leaked = FoldPlan(
            folds: [
                Fold(
                    index: 1, trainPatients: ["patient1", "patient2"], testPatients: ["patient2", "patient3"],
                    validationPatients: ["patient1"], validationSource: .testSubset)
            ], seed: 0)
        let bad = leaked.leakage(labels: labels)[0]
        XCTAssertFalse(bad.isClean)
        XCTAssertEqual(bad.patientsTrainingAndTesting, ["patient2"])
        XCTAssertEqual(bad.patientsTrainingAndValidating, ["patient1"])
        XCTAssertEqual(bad.repeatedSlicesOnBothSides, 1)
    }

    func testRealFoldPlanDoesNotLeak() throws {
        let s = try shipped()
        let records = try PatientDetails.load(from: PatientDetails.bundledURL("Patient_details.csv"))
        let plan = FoldPlan.make(
            patients: records.map { ($0.id, $0.label) }, labelled: s.rows.filter { !$0.isRepeat }.map(\.slice), seed: 7)
        let checks = plan.leakage(labels: s.rows.map(\.slice))
        XCTAssertEqual(checks.count, 5)
        XCTAssertTrue(checks.allSatisfy(\.isClean))
        XCTAssertTrue(checks.allSatisfy { $0.repeatedSlices == 2_125 }, "every patient is on one side of every fold")
    }
}

extension LabelSourcesTests {
    func testRepeatShareIsAtMostHalfOnTheRealLabels() throws {
        let s = try shipped()
        XCTAssertEqual(s.maxRepeatShare(.covid), 0)
        let share = s.maxRepeatShare(.normal)
        XCTAssertGreaterThan(share, 0.4)
        XCTAssertLessThanOrEqual(share, 0.5, "no slice is listed three times")
    }
}

extension LabelSourcesTests {
    /// A real dataset's own all.csv and Patient_details.csv are used when both are in its root;
    /// without them, the index's labelled slices; the twin always uses the shipped metadata.
    func testSourcesForARun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("label-sources-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let labelled = [slice(1, "SR_3", 4, .covid), slice(2, "SR_2", 7, .normal)]
        let patients = [
            Patient(
                id: "patient1", batch: "137covid", label: .covid, record: nil,
                series: [Series(name: "SR_3", directory: dir.path, thicknessMM: 1.5, pixelSpacingMM: nil, slices: [])]),
            Patient(
                id: "patient2", batch: "normal1", label: .normal, record: nil,
                series: [Series(name: "SR_2", directory: dir.path, thicknessMM: 6, pixelSpacingMM: nil, slices: [])])
        ]
        let dataset = Dataset(root: dir.path, layout: .raw, patients: patients, labelled: labelled, notes: [])

        let fromIndex = try LabelSources.forRun(dataset: dataset, synthetic: false)
        XCTAssertEqual(fromIndex.origin, .index)
        XCTAssertEqual(fromIndex.rows.map(\.thicknessMM), [1.5, 6])

        try
            "filename,class\n137covid_patient1_SR_3_IM00004.tif,covid\nnormal1_patient2_SR_2_IM00007.tif,normal\nnormal4_patient2_SR_2_IM00007.tif,normal\n"
            .write(to: dir.appendingPathComponent("all.csv"), atomically: true, encoding: .utf8)
        try
            "Patient ID,SEX,AGE,Date,COVID-19 Infection,SR_2 Folder thickness(mm),SR_3 Folder thickness(mm),SR_4 Folder thickness(mm)\npatient1,F,053Y,20200407,Positive,5,2,N/A\npatient2,M,040Y,20200407,Negative,8,N/A,N/A\n"
            .write(to: dir.appendingPathComponent("Patient_details.csv"), atomically: true, encoding: .utf8)
        let fromFiles = try LabelSources.forRun(dataset: dataset, synthetic: false)
        XCTAssertEqual(fromFiles.origin, .dataset)
        XCTAssertEqual(fromFiles.rows.map(\.thicknessMM), [2, 8, 8])
        XCTAssertEqual(fromFiles.repeats.count, 1)

        XCTAssertEqual(try LabelSources.forRun(dataset: dataset, synthetic: true).origin, .shipped)
    }
}
