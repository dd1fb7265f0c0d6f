import Analysis
import Foundation
import XCTest

@testable import Report

/// Table S4's sentence about the augmentation row follows the run's numbers.
final class TableS4Tests: XCTestCase {
    /// A row as the `input-scaling` stage writes it (decoded, as downstream code reads it).
    func row(_ scaling: String, augmented: Bool, aucs: [Double?]) throws -> InputScalingStage.Row {
        let json: [String: Any] = [
            "scaling": scaling, "augmented": augmented,
            "counts": ["covidTP": 1, "covidFN": 1, "covidFP": 1, "normalTP": 1],
            "bestEpoch": 1, "bestValidationAccuracy": 0.5,
            "validationAUCs": aucs.map { $0.map { $0 as Any } ?? NSNull() }
        ]
        return try JSONDecoder().decode(InputScalingStage.Row.self, from: JSONSerialization.data(withJSONObject: json))
    }

    func testVerdictNamesTheAugmentationWhenOnlyTheUnaugmentedRunLearns() throws {
        let rows = [
            try row("raw", augmented: true, aucs: [0.5, 0.55]), try row("fixed", augmented: true, aucs: [0.9]),
            try row("raw", augmented: false, aucs: [0.6, nil, 0.71])
        ]
        let text = try XCTUnwrap(TableS4Entry.augmentationVerdict(rows, epochs: 3, size: 72))
        XCTAssertTrue(text.contains("learns without augmentation (best validation AUC 0.71) but not with it (0.55)"), text)
    }

    func testVerdictBlamesTheBudgetWhenNeitherLearns() throws {
        let rows = [try row("raw", augmented: true, aucs: [0.5, 0.56]), try row("raw", augmented: false, aucs: [0.58, 0.47])]
        let text = try XCTUnwrap(TableS4Entry.augmentationVerdict(rows, epochs: 3, size: 72))
        XCTAssertTrue(text.contains("neither learns (best validation AUC 0.56 with augmentation, 0.58 without)"), text)
        XCTAssertTrue(text.contains("3 epochs of a reduced network at 72 px"), text)
    }

    func testVerdictOnlyReportsNumbersOtherwise() throws {
        let rows = [try row("raw", augmented: true, aucs: [0.7]), try row("raw", augmented: false, aucs: [0.75])]
        let text = try XCTUnwrap(TableS4Entry.augmentationVerdict(rows, epochs: 3, size: 72))
        XCTAssertTrue(text.hasPrefix("Best validation AUC in this run: 0.70 with augmentation, 0.75 without"), text)
        XCTAssertNil(TableS4Entry.augmentationVerdict([try row("raw", augmented: true, aucs: [0.7])], epochs: 3, size: 72))
    }
}
