import XCTest

@testable import Plots

/// SVG snapshots, one per chart kind, compared as text with `Snapshots/<test name>.svg`.
final class SnapshotTests: XCTestCase {
    func testLineChartSVG() throws {
        let fig = Figure(width: 3, height: 2)
        let ax = fig.addAxes()
        ax.line(x: [1, 2, 3, 4], y: [0.6, 0.75, 0.8, 0.82], label: "train", marker: .circle)
        ax.line(x: [1, 2, 3, 4], y: [0.55, 0.7, 0.72, 0.71], label: "val", marker: .square, style: .dashed)
        ax.xLabel = "Epoch"; ax.yLabel = "Accuracy"; ax.grid = true
        assertSVGSnapshot(try fig.svgString())
    }

    func testGroupedBarsSVG() throws {
        let fig = Figure(width: 3, height: 2)
        let ax = fig.addAxes()
        ax.bars(categories: ["<40", "40–60", ">60"], values: [[3, 5, 2], [2, 4, 4]], labels: ["M", "F"], valueLabels: true)
        assertSVGSnapshot(try fig.svgString())
    }

    func testStackedBarsSVG() throws {
        let fig = Figure(width: 3, height: 2)
        fig.addAxes().bars(categories: ["a", "b"], values: [[3, 5], [2, 4]], labels: ["x", "y"], mode: .stacked)
        assertSVGSnapshot(try fig.svgString())
    }

    func testHistogramSVG() throws {
        let fig = Figure(width: 3, height: 2)
        fig.addAxes().histogram([1, 2, 2, 3, 3, 3, 4, 4, 5], bins: 5, range: 0.5...5.5)
        assertSVGSnapshot(try fig.svgString())
    }

    func testConfusionMatrixSVG() throws {
        let fig = Figure(width: 3, height: 2.5)
        fig.addAxes().confusionMatrix([[50, 3], [4, 43]], classNames: ["C", "N"])
        assertSVGSnapshot(try fig.svgString())
    }

    func testImageSVG() throws {
        let fig = Figure(width: 2, height: 2)
        let ax = fig.addAxes()
        ax.image(GrayImage(width: 4, height: 4, pixels: (0..<16).map { UInt16($0 * 100) }), window: DisplayWindow(center: 750, width: 1500))
        ax.rectangle(x: 1, y: 1, width: 2, height: 2)
        ax.caption = "slice"
        assertSVGSnapshot(try fig.svgString())
    }

    func testDiagramSVG() throws {
        let fig = Figure(width: 3, height: 2)
        let d = fig.addDiagram()
        d.node("a", row: 0, col: 0, "A", shape: .ellipse)
        d.node("b", row: 0, col: 1, "B?", shape: .diamond)
        d.node("c", row: 1, col: 1, "C")
        d.edge("a", "b"); d.edge("b", "c", label: "yes")
        assertSVGSnapshot(try fig.svgString())
    }
}
