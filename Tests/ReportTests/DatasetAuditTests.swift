import Analysis
import XCTest

@testable import Report

/// The dataset audit's finding in the paper audit and its arithmetic on Table 2.
final class DatasetAuditTests: XCTestCase {
    func testAuditFindsRepeatedNormalImagesInTable2() throws {
        let tables = try PaperTables.load()
        let labels = try LabelSources.shipped()
        let result = PaperAudit.run(tables, labels: labels)
        let f = try XCTUnwrap(result.finding("table2.normalImages.repeats"))
        XCTAssertEqual(f.severity, .disagreement)
        XCTAssertEqual(f.printed, 9_776)
        XCTAssertEqual(f.recomputed, 7_651)
        XCTAssertTrue(f.title.contains("2,125"), f.title)
        XCTAssertTrue(f.arithmetic.contains("fold 1: 1,916 + 7,860 = 9,776"), f.arithmetic)
        XCTAssertFalse(f.arithmetic.contains("fold 5"), "fold 5's pool is 9,706, not all normal rows")
        XCTAssertTrue(result.passed.contains { $0.contains("2,282 COVID rows") }, "\(result.passed)")
        // Without the labels the audit has no such finding.
        XCTAssertNil(PaperAudit.run(tables).finding("table2.normalImages.repeats"))
    }

    func testPaperRepeatsBounds() throws {
        let tables = try PaperTables.load()
        let labels = try LabelSources.shipped()
        let folds = PaperRepeats.of(tables.table2, sources: labels)
        XCTAssertEqual(folds.map(\.countsRepeats), [true, true, true, true, false])
        let fold1 = try XCTUnwrap(folds.first?.testRepeats)
        // At most half of fold 1's 1,916 training rows can be repeats: at least 2,125 − 958 test.
        XCTAssertGreaterThanOrEqual(fold1.lowerBound, 2_125 - 958)
        XCTAssertEqual(fold1.upperBound, 2_125)
        XCTAssertNil(folds[4].testRepeats)
    }
}
