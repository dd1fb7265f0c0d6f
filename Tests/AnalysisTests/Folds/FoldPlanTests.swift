import Foundation
import XCTest

@testable import Analysis

final class FoldPlanTests: XCTestCase {
    nonisolated(unsafe) static var cohort: (patients: [(id: String, label: ClassLabel)], labelled: [LabelledSlice])?

    func realCohort() throws -> (patients: [(id: String, label: ClassLabel)], labelled: [LabelledSlice]) {
        if let c = Self.cohort { return c }
        let records = try PatientDetails.load(from: PatientDetails.bundledURL("Patient_details.csv"))
        let labelled = try LabelledSlices.load(from: PatientDetails.bundledURL("all.csv")).slices
        let c = (records.map { (id: $0.id, label: $0.label) }, labelled)
        Self.cohort = c
        return c
    }

    func testPaperSizedFoldsOnTheRealCohort() throws {
        let (patients, labelled) = try realCohort()
        let plan = FoldPlan.make(patients: patients, labelled: labelled, seed: 7)
        let labels = Dictionary(uniqueKeysWithValues: patients.map { ($0.id, $0.label) })
        let rows = plan.table2(labels: labels, labelled: labelled)
        XCTAssertEqual(rows.map(\.testCovidPatients), [18, 23, 18, 14, 22])
        XCTAssertEqual(plan.leaks(), [])
        // Every COVID patient is a test patient in exactly one fold.
        let covidTests = plan.folds.flatMap { $0.testPatients.filter { labels[$0] == .covid } }
        XCTAssertEqual(covidTests.count, 95); XCTAssertEqual(Set(covidTests).count, 95)
        let images = Dictionary(grouping: labelled, by: \.patientID).mapValues(\.count)
        for (f, row) in zip(plan.folds, rows) {
            XCTAssertEqual(row.trainCovidPatients + row.testCovidPatients, 95)
            XCTAssertEqual(row.trainNormalPatients + row.testNormalPatients, 282)
            XCTAssertEqual(row.trainCovidImages + row.testCovidImages, 2282)
            // Normal training images reach the COVID training images, and the last draw was needed.
            XCTAssertGreaterThanOrEqual(row.trainNormalImages, row.trainCovidImages)
            let normalsTrain = f.trainPatients.filter { labels[$0] == .normal }
            let minimal = normalsTrain.contains { row.trainNormalImages - (images[$0] ?? 0) < row.trainCovidImages }
            XCTAssertTrue(minimal, "fold \(f.index) drew more normal patients than needed")
            // Faithful validation: a subset of the test patients.
            XCTAssertTrue(Set(f.validationPatients).isSubset(of: Set(f.testPatients)))
            XCTAssertFalse(f.validationPatients.isEmpty)
        }
    }

    func testTrainHoldoutValidationIsDisjointFromTrainAndTest() throws {
        let (patients, labelled) = try realCohort()
        let plan = FoldPlan.make(patients: patients, labelled: labelled, seed: 7, validation: .trainHoldout)
        XCTAssertEqual(plan.leaks(), [])
        for f in plan.folds {
            XCTAssertTrue(Set(f.validationPatients).isDisjoint(with: Set(f.testPatients)))
            XCTAssertTrue(Set(f.validationPatients).isDisjoint(with: Set(f.trainPatients)))
            XCTAssertTrue(f.validationPatients.contains { $0.hasPrefix("patient") })
        }
    }

    func testLeakCheckCatchesAPatientOnBothSides() {
        let bad = FoldPlan(
            folds: [
                Fold(
                    index: 1, trainPatients: ["patient1", "patient2"], testPatients: ["patient2", "patient3"],
                    validationPatients: ["patient1"], validationSource: .testSubset)
            ], seed: 0)
        XCTAssertEqual(bad.leaks(), ["fold 1: patient2 trains and tests", "fold 1: patient1 trains and validates"])
    }

    func testDeterministicAndSeedDependent() throws {
        let (patients, labelled) = try realCohort()
        let a = FoldPlan.make(patients: patients, labelled: labelled, seed: 11)
        let b = FoldPlan.make(patients: patients, labelled: labelled, seed: 11)
        let c = FoldPlan.make(patients: patients, labelled: labelled, seed: 12)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.folds[0].testPatients, c.folds[0].testPatients)
    }

    func testProportionalSizesForASubset() {
        XCTAssertEqual(FoldPlan.apportion(95, weights: [18, 23, 18, 14, 22]), [18, 23, 18, 14, 22])
        let small = FoldPlan.apportion(10, weights: [18, 23, 18, 14, 22])
        XCTAssertEqual(small.reduce(0, +), 10)
        XCTAssertEqual(small, [2, 2, 2, 2, 2])
        XCTAssertEqual(FoldPlan.apportion(7, weights: [18, 23, 18, 14, 22]).reduce(0, +), 7)
    }
}
