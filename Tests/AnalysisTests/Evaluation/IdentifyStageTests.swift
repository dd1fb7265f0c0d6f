import XCTest

@testable import Analysis

/// The identify stage's choice of patients and its two views of a patient (with and without
/// the selection step).
final class IdentifyStageTests: XCTestCase {
    private func dataset(covid: Int, normal: Int) -> Dataset {
        let c = (1...covid).map { Patient(id: "patient\($0)", batch: "137covid", label: .covid, record: nil, series: []) }
        let n = (1...normal).map { Patient(id: "patient\(100 + $0)", batch: "normal1", label: .normal, record: nil, series: []) }
        return Dataset(root: "/", layout: .raw, patients: c + n, labelled: [], notes: [])
    }

    func testPatientsCapsEachClassDeterministically() {
        let data = dataset(covid: 6, normal: 30)
        let fold = Fold(
            index: 2, trainPatients: ["patient1"], testPatients: data.patients.map(\.id).filter { $0 != "patient1" },
            validationPatients: [], validationSource: .testSubset)
        let chosen = IdentifyStage.patients(fold: fold, dataset: data, perClass: 4, seed: 7)
        XCTAssertEqual(chosen, IdentifyStage.patients(fold: fold, dataset: data, perClass: 4, seed: 7))
        XCTAssertEqual(chosen, chosen.sorted())
        XCTAssertTrue(Set(chosen).isSubset(of: Set(fold.testPatients)))
        let labels = Dictionary(uniqueKeysWithValues: data.patients.map { ($0.id, $0.label) })
        XCTAssertEqual(chosen.filter { labels[$0] == .covid }.count, 4)
        XCTAssertEqual(chosen.filter { labels[$0] == .normal }.count, 4)
        XCTAssertNotEqual(chosen, IdentifyStage.patients(fold: fold, dataset: data, perClass: 4, seed: 8), "the draw follows the seed")
        // No cap: every test patient; a cap above the class size keeps the whole class.
        XCTAssertEqual(IdentifyStage.patients(fold: fold, dataset: data, perClass: nil, seed: 7), fold.testPatients.sorted())
        XCTAssertEqual(IdentifyStage.patients(fold: fold, dataset: data, perClass: 100, seed: 7), fold.testPatients.sorted())
    }

    func testRecordViewsWithAndWithoutSelection() {
        let r = IdentifyStage.PatientRecord(
            model: .resnet50v2, fold: 1, patient: "patient3", truth: .covid,
            series: ["SR_2", "SR_2", "SR_3"], imageNumbers: [1, 2, 1],
            selected: [false, true, true], covidProbabilities: [0.9, 0.2, 0.7])
        XCTAssertEqual(r.withSelection.covidProbabilities, [0.2, 0.7])
        XCTAssertEqual(r.withoutSelection.covidProbabilities, [0.9, 0.2, 0.7])
        // Threshold 2 (≥ a tenth): 1 of 2 selected slices is COVID; without selection 2 of 3.
        XCTAssertEqual(r.withSelection.decide(.paperThreshold2), .covid)
        XCTAssertEqual(r.withSelection.covidSlices, 1)
        XCTAssertEqual(r.withoutSelection.covidSlices, 2)
        let none = IdentifyStage.PatientRecord(
            model: .resnet50v2, fold: 1, patient: "patient4", truth: .normal,
            series: ["SR_2"], imageNumbers: [1], selected: [false], covidProbabilities: [0.9])
        XCTAssertEqual(none.withSelection.decide(.paperThreshold1), .undetermined)
        XCTAssertEqual(none.withoutSelection.decide(.paperThreshold1), .covid)
    }
}
