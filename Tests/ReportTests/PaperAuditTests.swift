import XCTest

@testable import Report

/// The audit must find the paper's arithmetic disagreements from the tables alone.
final class PaperAuditTests: XCTestCase {
    func testPaperTablesLoad() throws {
        let t = try PaperTables.load()
        XCTAssertEqual(t.table1, PaperDataDistribution(covidPatients: 95, normalPatients: 282, covidImages: 15589, normalImages: 48260))
        XCTAssertEqual(t.table2.count, 5)
        XCTAssertEqual(t.table2[4].testNormalImages, 7785)
        XCTAssertEqual(t.table3.count, 3)
        XCTAssertEqual(t.table3[0].epochs, "50")
        XCTAssertEqual(t.table4.map(\.covidImages), [2858, 3540, 3640, 2769, 2783])
        XCTAssertEqual(t.table5.count, 6)
        XCTAssertEqual(t.table6.count, 18)
        XCTAssertEqual(t.table6.filter { $0.fold == .average }.count, 3)
        XCTAssertEqual(t.table7.map(\.slices), [35, 52, 56, 65, 130, 198, 355, 406])
        XCTAssertEqual(t.table7[3].printed, "3.56452")
        XCTAssertEqual(t.table8.count, 18)
        let fpnAvg = try XCTUnwrap(t.table8.first { $0.fold == .average && $0.network == PaperNetwork.fpn })
        XCTAssertEqual(fpnAvg.metrics[.covidPrecision], 0.8126)
        XCTAssertEqual(fpnAvg.covidTP, 433.4)
        XCTAssertEqual(t.figure3.count, 14)
    }

    func testAuditFindsTable8AverageCovidPrecision() throws {
        let result = PaperAudit.run(try PaperTables.load())
        let expected: [(String, Double, Double)] = [
            (PaperNetwork.fpn, 0.8126, 433.4 / 535.6),
            (PaperNetwork.xception, 0.636, 447.4 / 725.0),
            (PaperNetwork.resnet, 0.6988, 447.2 / 644.0)
        ]
        for (network, printed, ratio) in expected {
            let f = try XCTUnwrap(result.finding("table8.avg.\(network).covid_precision"), network)
            XCTAssertEqual(f.severity, .disagreement)
            XCTAssertEqual(f.printed, printed)
            XCTAssertEqual(try XCTUnwrap(f.recomputed), ratio, accuracy: 1e-12)
        }
        // Only COVID precision is off by more than rounding in the Avg rows.
        let avgDisagreements = result.findings(.disagreement).filter { $0.id.hasPrefix("table8.avg.") }
        XCTAssertEqual(Set(avgDisagreements.map(\.id)), Set(expected.map { "table8.avg.\($0.0).covid_precision" }))
    }

    func testAuditFindsTable4CovidImages() throws {
        let f = try XCTUnwrap(PaperAudit.run(try PaperTables.load()).finding("table4.covidImages"))
        XCTAssertEqual(f.recomputed, 15590)
        XCTAssertEqual(f.printed, 15589)
        XCTAssertTrue(f.arithmetic.contains("2,858 + 3,540 + 3,640 + 2,769 + 2,783 = 15,590 ≠ 15,589"), f.arithmetic)
    }

    func testAuditFindsMeanTestImagesVersusAbstract() throws {
        let f = try XCTUnwrap(PaperAudit.run(try PaperTables.load()).finding("text.testImages.7996"))
        XCTAssertEqual(try XCTUnwrap(f.recomputed), 8308.8, accuracy: 1e-9)
        XCTAssertEqual(f.printed, 7996)
        XCTAssertTrue(f.arithmetic.contains("8,308.8"), f.arithmetic)
    }

    func testAuditFindsFold5NormalImages() throws {
        let result = PaperAudit.run(try PaperTables.load())
        let f = try XCTUnwrap(result.finding("table2.fold5.normalImages"))
        XCTAssertEqual(f.printed, 9706)
        XCTAssertEqual(f.recomputed, 9776)
        XCTAssertNil(result.finding("table2.fold5.covidImages"))
        XCTAssertNil(result.finding("table2.fold1.normalImages"))
    }

    func testAuditFindsTextClaimsAgainstTables() throws {
        let result = PaperAudit.run(try PaperTables.load())
        let speed = try XCTUnwrap(result.finding("text.speedUnder100Slices"))
        XCTAssertEqual(speed.recomputed, 3.56452)
        XCTAssertEqual(try XCTUnwrap(result.finding("text.covidTestShare")).recomputed ?? 0, 23.0 / 95.0, accuracy: 1e-12)
        XCTAssertEqual(result.finding("text.conclusionSwap")?.severity, .disagreement)
        XCTAssertEqual(result.finding("text.epochs")?.recomputed, 50)
        XCTAssertEqual(result.finding("text.234of245")?.severity, .note)
    }

    /// Checks that pass on the paper must stay silent; a planted error must be found.
    func testAuditPassesConsistentTablesAndCatchesAPlantedError() throws {
        var tables = try PaperTables.load()
        let clean = PaperAudit.run(tables)
        XCTAssertTrue(clean.findings.allSatisfy { !$0.id.hasPrefix("table6.") }, "\(clean.findings.map(\.id))")
        XCTAssertTrue(clean.findings.allSatisfy { !$0.id.hasPrefix("table8.fold") }, "\(clean.findings.map(\.id))")
        XCTAssertGreaterThan(clean.checks, 200)
        // Plant: Table 6 fold 3 Xception correct 227 -> 228; Table 8 fold 2 FPN precision 0.8069 -> 0.8096.
        let i6 = try XCTUnwrap(tables.table6.firstIndex { $0.fold == .fold(3) && $0.network == PaperNetwork.xception })
        tables.table6[i6].correct = 228
        let i8 = try XCTUnwrap(tables.table8.firstIndex { $0.fold == .fold(2) && $0.network == PaperNetwork.fpn })
        tables.table8[i8].metrics[.covidPrecision] = 0.8096
        let planted = PaperAudit.run(tables)
        XCTAssertNotNil(planted.finding("table6.fold 3.Xception.totals"), "\(planted.findings.map(\.id))")
        XCTAssertNotNil(planted.finding("table6.avg.Xception.correct"))
        XCTAssertNotNil(planted.finding("table8.fold 2.ResNet50V2-FPN.covid_precision"))
    }

    func testNumberFormat() {
        XCTAssertEqual(NumberFormat.grouped(15589), "15,589")
        XCTAssertEqual(NumberFormat.grouped(-1234567), "-1,234,567")
        XCTAssertEqual(NumberFormat.plain(8308.8), "8,308.8")
        XCTAssertEqual(NumberFormat.plain(0.80918), "0.8092")
        XCTAssertEqual(NumberFormat.signed(-0.0034), "-0.0034")
        XCTAssertEqual(NumberFormat.fixed(0.98495, 4), "0.9850")
    }
}
