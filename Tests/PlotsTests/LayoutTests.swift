import Foundation
import XCTest

@testable import Plots

final class LayoutTests: XCTestCase {
    /// Long labels, titles and rotated tick labels: every measured text box lies in the figure,
    /// and no panel's text overlaps another panel's plotting box.
    func testLongLabelsStayInsideFigure() throws {
        let fig = Figure(width: 8, height: 6, dpi: 72)
        fig.title = "A figure title that is rather long for a figure of this size, really"
        for c in 0..<2 {
            let ax = fig.addAxes(row: 0, col: c)
            ax.bars(categories: ["A long category name", "Another very long category", "Third"], values: [[120000, 35000, 99000]])
            ax.xTickLabelRotation = 45
            ax.yLabel = "Number of images in the training set"
            ax.title = "Panel with a long title \(c)"
        }
        let ax = fig.addAxes(row: 1, col: 0)
        ax.line(x: [-1000, 1000], y: [-0.001, 0.001])
        ax.xLabel = "A very long x label with units (thousands of arbitrary units)"
        fig.addAxes(row: 1, col: 1).confusionMatrix([[5, 1], [2, 9]], classNames: ["COVID-19", "Normal"])
        _ = try fig.renderRGB()
        let bounds = Rect(x: 0, y: 0, width: fig.size.width, height: fig.size.height)
        XCTAssertGreaterThan(fig.textBoxes.count, 20)
        for t in fig.textBoxes {
            XCTAssertTrue(bounds.contains(t.rect), "text '\(t.text)' at \(t.rect) leaves the figure")
        }
        let boxes = fig.axes.map { $0.transform!.box }
        for t in fig.textBoxes {
            let inside = boxes.filter { $0.overlapArea(t.rect) > 0.5 }
            // Text may sit inside at most its own box (heatmap cells, legends); never over two.
            XCTAssertLessThanOrEqual(inside.count, 1, "text '\(t.text)' overlaps several panels")
        }
        // Texts do not overlap each other (boxes of 45° labels are not tight, so they are left out).
        let straight = fig.textBoxes.filter { $0.rotation.truncatingRemainder(dividingBy: 90) == 0 }
        for (i, a) in straight.enumerated() {
            for b in straight[(i + 1)...] where a.rect.overlapArea(b.rect) > 0.5 {
                XCTFail("'\(a.text)' overlaps '\(b.text)'")
            }
        }
    }

    /// Every gallery figure: text inside the figure, no two straight texts overlapping.
    func testGalleryTextLayout() throws {
        for (name, fig) in Gallery.figures() {
            fig.layout()
            let bounds = Rect(x: 0, y: 0, width: fig.size.width, height: fig.size.height)
            for t in fig.textBoxes { XCTAssertTrue(bounds.contains(t.rect), "\(name): '\(t.text)' leaves the figure") }
            let straight = fig.textBoxes.filter { $0.rotation.truncatingRemainder(dividingBy: 90) == 0 }
            for (i, a) in straight.enumerated() {
                for b in straight[(i + 1)...] where a.rect.overlapArea(b.rect) > 0.5 {
                    XCTFail("\(name): '\(a.text)' overlaps '\(b.text)'")
                }
            }
        }
    }

    /// Panels in a grid are aligned: same row, same box top and height; same column, same left.
    func testGridAlignment() {
        let fig = Figure(width: 6, height: 4)
        let a = fig.addAxes(row: 0, col: 0), b = fig.addAxes(row: 0, col: 1), c = fig.addAxes(row: 1, col: 0)
        a.line(x: [0, 1], y: [0, 1000000]); a.yLabel = "wide tick labels"
        b.line(x: [0, 1], y: [0, 1]); c.line(x: [0, 1], y: [0, 1])
        fig.layout()
        let ta = a.transform!.box, tb = b.transform!.box, tc = c.transform!.box
        XCTAssertEqual(ta.minY, tb.minY, accuracy: 1e-9); XCTAssertEqual(ta.height, tb.height, accuracy: 1e-9)
        XCTAssertEqual(ta.minX, tc.minX, accuracy: 1e-9)
        XCTAssertLessThan(ta.maxX, tb.minX)
    }

    func testAutomaticLimits() {
        let fig = Figure()
        let ax = fig.addAxes()
        ax.bar(categories: ["a", "b"], values: [2, 4])
        let (x, y) = ax.viewLimits()
        XCTAssertEqual(y.lowerBound, 0, "bars stick to zero")
        XCTAssertEqual(y.upperBound, 4.2, accuracy: 1e-9)
        XCTAssertEqual(x.lowerBound, -0.4 - 0.05 * 1.8, accuracy: 1e-9)
        let h = Plots.histogram([0, 1, 1, 2, 3, 3, 3], bins: 3)
        XCTAssertEqual(h.counts, [1, 2, 4])
        XCTAssertEqual(h.edges, [0, 1, 2, 3])
    }
}
