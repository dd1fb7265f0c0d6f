import XCTest

@testable import Plots

final class TicksTests: XCTestCase {
    func testNiceStep() {
        XCTAssertEqual(Ticks.niceStep(span: 10, intervals: 5), 2)
        XCTAssertEqual(Ticks.niceStep(span: 1, intervals: 4), 0.5)
        XCTAssertEqual(Ticks.niceStep(span: 97, intervals: 8), 20)
        XCTAssertEqual(Ticks.niceStep(span: 0.03, intervals: 3), 0.01, accuracy: 1e-15)
        XCTAssertEqual(Ticks.niceStep(span: 0, intervals: 3), 1)
    }

    func testTickPositions() {
        XCTAssertEqual(Ticks.positions(lo: -0.3, hi: 10.4, maxTicks: 7), [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(Ticks.positions(lo: 0.55, hi: 0.96, maxTicks: 6), [0.6, 0.7, 0.8, 0.9].map { $0 }, "")
        let t = Ticks.positions(lo: 0.001, hi: 0.0049, maxTicks: 5)
        XCTAssertEqual(t.count, 4)
        XCTAssertEqual(t.first!, 0.001, accuracy: 1e-12)
        XCTAssertEqual(Ticks.positions(lo: 5, hi: 5, maxTicks: 5), [5])
    }

    func testTickLabels() {
        XCTAssertEqual(Ticks.labels([0, 0.5, 1, 1.5]), ["0.0", "0.5", "1.0", "1.5"])
        XCTAssertEqual(Ticks.labels([-20, 0, 20]), ["\u{2212}20", "0", "20"])
        XCTAssertEqual(Ticks.labels([0.25, 0.5]), ["0.25", "0.50"])
        XCTAssertEqual(Ticks.format(-0.0001, decimals: 2), "0.00")
    }
}
