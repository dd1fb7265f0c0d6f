import Foundation

/// How several bar series share a category: side by side or on top of each other.
public enum BarMode: Sendable { case grouped, stacked }

/// A set of vertical bars of one colour (matplotlib's `bar`; a histogram is bars that touch).
/// Each bar spans `left ..< left + width` horizontally and `bottom ... bottom + height` vertically.
final class BarSeries: Series {
    let left: [Double], width: [Double], bottom: [Double], height: [Double]
    let label: String?
    let color: Color
    let edgeColor: Color?
    /// Text drawn above (or inside, for stacked bars) each bar; nil for none.
    let valueLabels: [String]?
    let labelsInside: Bool

    init(
        left: [Double], width: [Double], bottom: [Double], height: [Double], label: String?, color: Color,
        edgeColor: Color? = nil, valueLabels: [String]? = nil, labelsInside: Bool = false
    ) {
        precondition(
            left.count == width.count && left.count == bottom.count && left.count == height.count,
            "bars: inconsistent array lengths")
        precondition(valueLabels == nil || valueLabels!.count == left.count, "bars: one value label per bar")
        self.left = left; self.width = width; self.bottom = bottom; self.height = height
        self.label = label; self.color = color; self.edgeColor = edgeColor
        self.valueLabels = valueLabels; self.labelsInside = labelsInside
    }

    var bounds: DataBounds? {
        guard !left.isEmpty else { return nil }
        let xs = zip(left, width).flatMap { [$0, $0 + $1] }
        let ys = zip(bottom, height).flatMap { [$0, $0 + $1] }
        guard let xr = finiteRange(xs), var yr = finiteRange(ys) else { return nil }
        if valueLabels != nil && !labelsInside {
            // Headroom for the labels above the bars.
            yr = yr.lowerBound...(yr.upperBound + 0.06 * (yr.upperBound - yr.lowerBound))
        }
        return DataBounds(x: xr, y: yr, stickyX: [], stickyY: Array(Set(bottom)))
    }

    private func rects(_ t: AxesTransform) -> [Rect] {
        (0..<left.count).map { i in
            t.rect(x0: left[i], y0: bottom[i], x1: left[i] + width[i], y1: bottom[i] + height[i])
        }
    }

    func draw(on canvas: Canvas, transform t: AxesTransform) {
        for r in rects(t) where r.height > 0 || r.width > 0 {
            canvas.rect(r, fill: color, stroke: edgeColor, width: 0.8)
        }
    }

    func drawAnnotations(on canvas: Canvas, transform t: AxesTransform) {
        guard let valueLabels else { return }
        for (r, text) in zip(rects(t), valueLabels) where !text.isEmpty {
            if labelsInside {
                let size = canvas.measure(text, size: Style.fontSize - 1)
                guard size.height <= r.height, size.width <= r.width + 4 else { continue }
                let fill = color
                canvas.text(
                    text, at: r.center, h: .center, v: .center, size: Style.fontSize - 1,
                    color: fill.contrastingText)
            } else {
                canvas.text(
                    text, at: Point(x: r.midX, y: r.minY - 2), h: .center, v: .bottom,
                    size: Style.fontSize - 1)
            }
        }
    }

    func drawLegendHandle(on canvas: Canvas, in r: Rect) {
        let h = min(r.height, 7.0)
        canvas.rect(Rect(x: r.minX, y: r.midY - h / 2, width: r.width, height: h), fill: color, stroke: edgeColor, width: 0.8)
    }

    func occupancy(_ t: AxesTransform) -> Occupancy {
        var o = Occupancy()
        o.rects = rects(t)
        if valueLabels != nil && !labelsInside {
            // Keep room for the labels above the bars.
            o.rects += o.rects.map { Rect(x: $0.minX, y: $0.minY - 14, width: $0.width, height: 14) }
        }
        return o
    }
}

extension Plots {
    /// Histogram binning: `bins` equal-width bins over `range` (default: the data's range); the
    /// last bin includes its right edge (numpy's convention). Non-finite values are ignored.
    /// - Returns: `bins + 1` edges and `bins` counts.
    public static func histogram(_ values: [Double], bins: Int, range: ClosedRange<Double>? = nil) -> (edges: [Double], counts: [Int]) {
        precondition(bins > 0, "histogram needs at least one bin")
        var r = range ?? finiteRange(values) ?? 0...1
        if r.lowerBound == r.upperBound { r = (r.lowerBound - 0.5)...(r.upperBound + 0.5) }
        let step = (r.upperBound - r.lowerBound) / Double(bins)
        let edges = (0...bins).map { r.lowerBound + Double($0) * step }
        var counts = [Int](repeating: 0, count: bins)
        for v in values where v.isFinite && v >= r.lowerBound && v <= r.upperBound {
            counts[min(bins - 1, Int((v - r.lowerBound) / step))] += 1
        }
        return (edges, counts)
    }
}
