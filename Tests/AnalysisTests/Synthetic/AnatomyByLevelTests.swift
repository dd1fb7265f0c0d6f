import Foundation
import XCTest

@testable import Analysis

/// The twin's anatomy changes with the body level as a chest CT does: shoulders with the humeral
/// heads at the apex, the great vessels above the heart, the heart in the lower chest, the liver
/// dome at the base, breasts on female adults only.
final class AnatomyByLevelTests: XCTestCase {
    static let cohort = try! SynthCohort.bundled()
    static let planned = SeriesPlanner.plan(cohort: cohort, seed: 1)

    func anatomy(_ id: String) throws -> PatientAnatomy {
        let patient = try XCTUnwrap(try Self.cohort.select(.ids([id])).first)
        return PatientAnatomy(seed: 1, patient: patient, plans: Self.planned.plans[id] ?? [])
    }

    /// Points of each tissue on a 2 mm grid over the body at level `u`, and where they are.
    func tissues(_ a: PatientAnatomy, u: Double) -> [Tissue: [(x: Double, y: Double, hu: Double)]] {
        let geo = LevelGeometry(a, z: u * a.lungHeightMM)
        var out: [Tissue: [(x: Double, y: Double, hu: Double)]] = [:]
        let reach = 1.8 * max(a.bodyHalfWidthMM, a.bodyHalfDepthMM)
        for y in stride(from: -reach, through: reach, by: 2) {
            for x in stride(from: -reach, through: reach, by: 2) {
                let (t, hu) = geo.tissue(x, y)
                out[t, default: []].append((x, y, hu))
            }
        }
        return out
    }

    /// Some adult patients of each sex.
    func patients(sex: String, count: Int) -> [String] {
        Self.cohort.patients.filter { $0.record.sex == sex && ($0.record.ageYears ?? 0) >= 25 }.prefix(count).map(\.record.id)
    }

    /// Width of the body (not air, table or the outside of the field) at level `u`, mm.
    func bodyWidth(_ t: [Tissue: [(x: Double, y: Double, hu: Double)]]) -> Double {
        let xs = t.filter { $0.key != .air && $0.key != .outsideFOV && $0.key != .table }.flatMap(\.value).map(\.x)
        return (xs.max() ?? 0) - (xs.min() ?? 0)
    }

    func testShouldersWithHumeralHeadsOnlyAtTheTop() throws {
        let ids = patients(sex: "M", count: 4) + patients(sex: "F", count: 4)
        var withHead = 0
        for id in ids {
            let a = try anatomy(id)
            // The shoulder lobes widen the body above the apex and the upper chest.
            XCTAssertGreaterThan(bodyWidth(tissues(a, u: 0.0)), bodyWidth(tissues(a, u: 0.5)) + 10, "\(id): no shoulders")
            // Bone lateral to the chest: the humeral heads, near the shoulder joint only.
            func lateralBone(_ u: Double) -> Int {
                (tissues(a, u: u)[.bone] ?? []).filter { abs($0.x) > 1.02 * a.bodyHalfWidthMM }.count
            }
            if [0.04, 0.06, 0.08].contains(where: { lateralBone($0) > 0 }) { withHead += 1 }
            for u in [0.2, 0.5, 0.9] { XCTAssertEqual(lateralBone(u), 0, "\(id): a humeral head at u = \(u)") }
        }
        // In a small field of view the head does not fit and is left out (6 of these 8).
        XCTAssertGreaterThanOrEqual(withHead, ids.count / 4)
    }

    func testHeartGreatVesselsAndLiverAtTheirLevels() throws {
        for id in patients(sex: "M", count: 3) + patients(sex: "F", count: 3) {
            let a = try anatomy(id)
            let count = { (u: Double, t: Tissue) in self.tissues(a, u: u)[t]?.count ?? 0 }
            for u in [0.1, 0.24, 0.3] { XCTAssertEqual(count(u, .heart), 0, "\(id): heart at u = \(u)") }
            XCTAssertGreaterThan(count(0.7, .heart), 200, "\(id): no heart in the lower chest")
            for u in [0.1, 0.5, 0.7] { XCTAssertEqual(count(u, .liver), 0, "\(id): liver at u = \(u)") }
            XCTAssertGreaterThan(count(0.95, .liver), 1000, "\(id): no liver dome at the base")
            // The aortic arch crosses the mediastinum at its level, which then holds more than
            // just below it (ascending and descending aorta apart, above the roots).
            XCTAssertGreaterThan(count(0.24, .mediastinum), count(0.3, .mediastinum), "\(id): no arch")
        }
    }

    func testBreastsOnFemaleAdultsOnly() throws {
        let women = try patients(sex: "F", count: 8).map(anatomy)
        let men = try patients(sex: "M", count: 8).map(anatomy)
        XCTAssertTrue(men.allSatisfy { $0.breastMM == 0 })
        XCTAssertGreaterThan(women.filter { $0.breastMM > 5 }.count, 4)
        for a in women where a.breastMM > 5 {
            // At breast level the body reaches further forward beside the midline than on it.
            let body = tissues(a, u: 0.6).filter { $0.key != .air && $0.key != .outsideFOV && $0.key != .table }.flatMap(\.value)
            let front = { (x0: Double) in body.filter { abs($0.x - x0) < 3 }.map(\.y).min() ?? 0 }
            let side = min(front(-0.45 * a.bodyHalfWidthMM), front(0.45 * a.bodyHalfWidthMM))
            XCTAssertLessThan(side, front(0) - 3, "breast of \(a.breastMM) mm not in front of the chest")
        }
    }
}
