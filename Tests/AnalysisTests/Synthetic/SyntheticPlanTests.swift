import XCTest

@testable import Analysis

/// The twin's cohort and slice plan (issue 3 "The cohort", §2.1, Table 1).
final class SyntheticPlanTests: XCTestCase {
    func testCohortLoadsRealMetadata() throws {
        let c = try SynthCohort.bundled()
        XCTAssertEqual(c.patients.count, 377)
        XCTAssertEqual(c.patients.filter { $0.record.label == .covid }.count, 95)
        // A patient listed under two batches keeps the first in file order.
        let p169 = try XCTUnwrap(c.patients.first { $0.record.id == "patient169" })
        XCTAssertEqual(p169.batch, "normal1")
        XCTAssertEqual(c.patients.first { $0.record.id == "patient1" }?.batch, "137covid")
        // patient78 has SR_2 slices in all.csv without a thickness: the series exists.
        let p78 = try XCTUnwrap(c.patients.first { $0.record.id == "patient78" })
        XCTAssertNil(p78.record.thicknessMM["SR_2"])
        XCTAssertTrue(p78.seriesNames.contains("SR_2"))
    }

    func testSliceTotalsCloseToReal() throws {
        let twin = try SynthFixture.twin(size: 64, patients: .firstBalanced(2))
        let full = twin.fullPlan()
        let covid = full.filter { $0.label == .covid }.reduce(0) { $0 + $1.sliceCount }
        let normal = full.filter { $0.label == .normal }.reduce(0) { $0 + $1.sliceCount }
        XCTAssertEqual(Double(covid), 15_589, accuracy: 15_589 * 0.02, "COVID total \(covid)")
        XCTAssertEqual(Double(normal), 48_260, accuracy: 48_260 * 0.02, "normal total \(normal)")
        XCTAssertEqual(Set(full.map(\.patientID)).count, 377)
    }

    func testEveryLabelledSliceExists() throws {
        let twin = try SynthFixture.twin(size: 64, patients: .firstBalanced(2))
        let all = try LabelledSlices.load(from: PatientDetails.bundledURL("all.csv")).slices
        let plans = Dictionary(uniqueKeysWithValues: twin.fullPlan().map { ("\($0.patientID)/\($0.series)", $0) })
        var missing: [String] = []
        for s in all {
            guard let p = plans["\(s.patientID)/\(s.series)"], p.index(of: s.imageNumber) != nil else {
                missing.append(s.filename); continue
            }
        }
        XCTAssertEqual(missing.count, 0, "missing: \(missing.prefix(5))")
        XCTAssertEqual(all.count, 9_933)
    }

    /// Labelled slices lie inside the open-lung window, and a normal patient's labelled run
    /// starts at the window's top (where the lung opens).
    func testLabelledRunsSitInTheOpenLungWindow() throws {
        let twin = try SynthFixture.twin(size: 64, patients: .firstBalanced(2))
        let window = SeriesPlanner.labelWindow
        var normal = 0
        for p in twin.fullPlan() where !p.labelledImageNumbers.isEmpty {
            let zs = p.labelledImageNumbers.compactMap { p.index(of: $0) }.map { p.zMM(index: $0) / p.lungHeightMM }
            XCTAssertGreaterThanOrEqual(zs.min()!, window.lowerBound - 1e-9, "\(p.patientID)/\(p.series)")
            XCTAssertLessThanOrEqual(zs.max()!, window.upperBound + 1e-9, "\(p.patientID)/\(p.series)")
            guard p.label == .normal else { continue }
            normal += 1
            XCTAssertEqual(zs.min()!, window.lowerBound, accuracy: 1e-9, "\(p.patientID)/\(p.series)")
        }
        XCTAssertGreaterThan(normal, 250)
    }

    func testNumberingGapReproducedWithoutThousandsOfSlices() throws {
        let twin = try SynthFixture.twin(size: 64, patients: .firstBalanced(2))
        let p = try XCTUnwrap(twin.fullPlan().first { $0.patientID == "patient22" && $0.series == "SR_3" })
        for n in [27, 28, 5055, 5056] { XCTAssertNotNil(p.index(of: n), "IM\(n)") }
        XCTAssertLessThan(p.sliceCount, 300)
        XCTAssertNil(p.index(of: 1000))
        XCTAssertEqual(p.imageNumbers, p.imageNumbers.sorted())
        // Contiguous in space across the gap.
        let i = try XCTUnwrap(p.index(of: 5055))
        XCTAssertEqual(p.zMM(index: i) - p.zMM(index: i - 1), p.incrementMM, accuracy: 1e-9)
    }

    func testPlanDoesNotDependOnSelection() throws {
        let a = try SynthFixture.twin(size: 64, patients: .firstBalanced(2))
        let b = try SynthFixture.twin(size: 64, patients: .ids(["patient1", "patient169"]))
        let pa = a.fullPlan().filter { $0.patientID == "patient169" }
        let pb = b.plan().filter { $0.patientID == "patient169" }
        XCTAssertEqual(pa, pb)
        XCTAssertEqual(b.plan().map(\.patientID).uniqued(), ["patient1", "patient169"])
    }

    func testPatientSelectionArgument() {
        XCTAssertEqual(PatientSelection(argument: "all"), .all)
        XCTAssertEqual(PatientSelection(argument: "10"), .firstBalanced(10))
        XCTAssertEqual(PatientSelection(argument: "patient1,patient3"), .ids(["patient1", "patient3"]))
        XCTAssertNil(PatientSelection(argument: "0"))
        XCTAssertNil(PatientSelection(argument: "bob"))
        XCTAssertThrowsError(try SyntheticTwin(config: SynthConfig(size: 64, patients: .ids(["patient9999"]))))
    }

    func testFirstBalancedSelection() throws {
        let twin = try SynthFixture.twin(size: 64, patients: .firstBalanced(4))
        let labels = Dictionary(grouping: twin.plan(), by: \.label).mapValues { Set($0.map(\.patientID)).count }
        XCTAssertEqual(labels[.covid], 2)
        XCTAssertEqual(labels[.normal], 2)
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] { var s = Set<Element>(); return filter { s.insert($0).inserted } }
}
