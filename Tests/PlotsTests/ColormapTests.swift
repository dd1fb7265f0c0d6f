import XCTest

@testable import Plots

final class ColormapTests: XCTestCase {
    /// Entries of matplotlib's 256-entry viridis table, including ones between the samples.
    func testViridisMatchesPublishedTable() {
        let entries: [(Int, (Double, Double, Double))] = [
            (0, (0.267004, 0.004874, 0.329415)), (2, (0.269944, 0.014625, 0.341379)),
            (128, (0.127568, 0.566949, 0.550556)), (201, (0.449368, 0.813768, 0.335384)),
            (254, (0.983868, 0.904867, 0.136897)), (255, (0.993248, 0.906157, 0.143936))
        ]
        var worst = 0.0
        for (i, e) in entries {
            let c = Colormap.viridis.color(at: Double(i) / 255)
            worst = max(worst, abs(c.r - e.0), abs(c.g - e.1), abs(c.b - e.2))
        }
        XCTAssertLessThan(worst, 1e-3, "largest difference from the published table: \(worst)")
    }

    func testJet() {
        let c0 = Colormap.jet.color(at: 0), c5 = Colormap.jet.color(at: 0.5), c1 = Colormap.jet.color(at: 1)
        XCTAssertEqual([c0.r, c0.g, c0.b], [0, 0, 0.5])
        XCTAssertEqual(c5.r, 0.15 / 0.31, accuracy: 1e-9)
        XCTAssertEqual(c5.g, 1, accuracy: 1e-9)
        XCTAssertEqual(c5.b, 1 - 0.16 / 0.31, accuracy: 1e-9)
        XCTAssertEqual([c1.r, c1.g, c1.b], [0.5, 0, 0])
    }

    func testGrayAndClamping() {
        XCTAssertEqual(Colormap.gray.color(at: 0.25), Color(gray: 0.25))
        XCTAssertEqual(Colormap.gray.color(at: -3), .black)
        XCTAssertEqual(Colormap.gray.color(at: .nan), .black)
        XCTAssertEqual(Colormap.gray.color(for: 15, in: 10...20), Color(gray: 0.5))
        XCTAssertEqual(Color.white.contrastingText, .black)
        XCTAssertEqual(Colormap.viridis.color(at: 0).contrastingText, .white)
    }

    func testDisplayWindow() {
        let lung = DisplayWindow(center: 424, width: 1200)
        XCTAssertEqual(lung.lower, -176); XCTAssertEqual(lung.upper, 1024)
        XCTAssertEqual(lung.normalized(424), 0.5)
        XCTAssertEqual(lung.normalized(-500), 0)
        XCTAssertEqual(lung.normalized(3000), 1)
    }
}
