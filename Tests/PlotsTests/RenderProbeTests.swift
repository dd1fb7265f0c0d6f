import Foundation
import XCTest

@testable import Plots

/// Rendered PNG pixels checked at probe points.
final class RenderProbeTests: XCTestCase {
    func testPNGSizeFollowsDPI() throws {
        let fig = Figure(width: 3, height: 2, dpi: 150)
        fig.addAxes().line(x: [0, 1], y: [0, 1])
        let img = try fig.renderRGB()
        XCTAssertEqual(img.width, 450); XCTAssertEqual(img.height, 300)
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try fig.savePNG(dir + "/f.png")
        let back = try RasterPNG.readRGB8(dir + "/f.png")
        XCTAssertEqual(back, img, "the saved PNG decodes to the rendered pixels")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["f.png"], "no temporary file left")
    }

    /// A heatmap cell's centre has the colormap's colour for the cell's value.
    func testHeatmapCellColor() throws {
        let fig = Figure(width: 4, height: 3, dpi: 100)
        let ax = fig.addAxes()
        let values: [[Double]] = [[0, 1, 2], [3, 4, 5]]
        ax.heatmap(values)
        let img = try fig.renderRGB()
        for i in 0..<2 {
            for j in 0..<3 {
                let expected = Colormap.viridis.color(for: values[i][j], in: 0...5).rgb8
                assertColor(
                    pixel(img, at: ax.figurePoint(x: Double(j), y: Double(i) + 0.3), dpi: 100), expected,
                    "cell (\(i), \(j))")
            }
        }
        // Row 0 is at the top.
        XCTAssertLessThan(ax.figurePoint(x: 0, y: 0).y, ax.figurePoint(x: 0, y: 1).y)
    }

    /// An overlay pixel equals (1 - alpha) * windowed grey + alpha * colormap(heat).
    func testOverlayPixelIsAlphaBlend() throws {
        let gray = GrayImage(width: 8, height: 8, pixels: [Float](repeating: 500, count: 64))
        let heat = GrayImage(width: 4, height: 4, pixels: [Float](repeating: 0.75, count: 16))
        let window = DisplayWindow(center: 424, width: 1200)
        let fig = Figure(width: 3, height: 3, dpi: 100)
        let ax = fig.addAxes()
        ax.image(gray, window: window, overlay: HeatOverlay(values: heat, colormap: .jet, alpha: 0.4, range: 0...1))
        let img = try fig.renderRGB()
        let g = window.normalized(500), c = Colormap.jet.color(at: 0.75)
        func blend(_ h: Double) -> UInt8 { UInt8(((0.6 * g + 0.4 * h) * 255).rounded()) }
        assertColor(pixel(img, at: ax.figurePoint(x: 4, y: 4), dpi: 100), (blend(c.r), blend(c.g), blend(c.b)))
        // composeImage is exact at every pixel.
        let composed = composeImage(gray, window: window, overlay: HeatOverlay(values: heat, alpha: 0.4, range: 0...1))
        XCTAssertEqual(composed[3, 5].0, blend(c.r)); XCTAssertEqual(composed[3, 5].1, blend(c.g))
    }

    /// A highlighted image has a border of its colour; others do not.
    func testHighlightedBorderHasItsColor() throws {
        let imgs = (0..<3).map { _ in GrayImage(width: 16, height: 16, pixels: [Float](repeating: 100, count: 256)) }
        let fig = Figure.imageGrid(
            imgs, columns: 3, captions: ["a", "b", "c"], highlighted: [1],
            highlightColor: Color(r: 0, g: 0.8, b: 0))
        let img = try fig.renderRGB()
        let axes = fig.axes
        for (k, ax) in axes.enumerated() {
            let box = ax.transform!.box
            let p = pixel(img, at: Point(x: box.minX, y: box.midY), dpi: fig.dpi)
            if k == 1 {
                assertColor(p, Color(r: 0, g: 0.8, b: 0).rgb8, "highlighted border")
            } else {
                XCTAssertNotEqual(p.1, 204, "panel \(k) must not have a green border")
            }
        }
    }

    /// A rectangle overlay on an image is drawn in its colour at the given pixel edges.
    func testRectangleOverlay() throws {
        let fig = Figure(width: 3, height: 3, dpi: 100)
        let ax = fig.addAxes()
        ax.image(GrayImage(width: 20, height: 20, pixels: [Float](repeating: 0, count: 400)), window: DisplayWindow(center: 0.5, width: 1))
        ax.rectangle(x: 5, y: 5, width: 10, height: 6, color: .pureRed, lineWidth: 2)
        let img = try fig.renderRGB()
        assertColor(pixel(img, at: ax.figurePoint(x: 10, y: 5), dpi: 100), (255, 0, 0), "top edge")
        assertColor(pixel(img, at: ax.figurePoint(x: 10, y: 8), dpi: 100), (0, 0, 0), "inside")
    }

    /// The legend goes where it hides the least data.
    func testLegendAvoidsData() {
        let fig = Figure(width: 4, height: 3)
        let ax = fig.addAxes()
        // Data fills the upper half: the legend should go to a lower corner.
        ax.line(x: (0...20).map(Double.init), y: (0...20).map { 10 + sin(Double($0)) }, label: "a", marker: .circle)
        ax.yLimits = 0...12
        fig.layout()
        let frame = ax.legendFrame!
        XCTAssertGreaterThan(frame.midY, ax.transform!.box.midY, "legend in the lower half")
        XCTAssertEqual(
            ax.resolvedLegendLocation(size: Size(width: frame.width, height: frame.height), transform: ax.transform!),
            .lowerLeft, "first free candidate in matplotlib's order")
    }
}
