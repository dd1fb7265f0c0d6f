/// Marker shapes drawn at the data points of a line (matplotlib's `o s ^ D x +`).
public enum Marker: Sendable, CaseIterable {
    case none, circle, square, triangle, diamond, cross, plus
}

/// Line dash styles (matplotlib's `-`, `--`, `:`, `-.`).
public enum LineStyle: Sendable {
    case solid, dashed, dotted, dashDot
    /// Dash pattern in points for a line of width `w` (matplotlib scales dashes by width).
    func pattern(width w: Double) -> [Double] {
        switch self {
        case .solid: return []
        case .dashed: return [3.7 * w, 1.6 * w]
        case .dotted: return [1 * w, 1.65 * w]
        case .dashDot: return [6.4 * w, 1.6 * w, 1 * w, 1.6 * w]
        }
    }
}

/// A line through (x, y) points, optionally with markers (matplotlib's `plot`).
/// Non-finite points break the line.
final class LineSeries: Series {
    let x: [Double], y: [Double]
    let label: String?
    let color: Color
    let marker: Marker
    let style: LineStyle
    let width: Double
    let markerSize: Double

    init(
        x: [Double], y: [Double], label: String?, color: Color, marker: Marker, style: LineStyle,
        width: Double, markerSize: Double
    ) {
        precondition(x.count == y.count, "line: x and y differ in length (\(x.count) vs \(y.count))")
        self.x = x; self.y = y; self.label = label; self.color = color; self.marker = marker
        self.style = style; self.width = width; self.markerSize = markerSize
    }

    var bounds: DataBounds? {
        guard let xr = finiteRange(x), let yr = finiteRange(y) else { return nil }
        return DataBounds(x: xr, y: yr)
    }

    private func runs(_ t: AxesTransform) -> [[Point]] {
        var runs: [[Point]] = [], current: [Point] = []
        for (a, b) in zip(x, y) {
            if a.isFinite && b.isFinite { current.append(t.point(a, b)) } else if !current.isEmpty { runs.append(current); current = [] }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    func draw(on canvas: Canvas, transform t: AxesTransform) {
        if width > 0 {
            for run in runs(t) { canvas.polyline(run, color: color, width: width, dash: style.pattern(width: width)) }
        }
        if marker != .none {
            for run in runs(t) { for p in run { drawMarker(marker, at: p, size: markerSize, color: color, on: canvas) } }
        }
    }

    func drawLegendHandle(on canvas: Canvas, in r: Rect) {
        if width > 0 {
            canvas.line(
                Point(x: r.minX, y: r.midY), Point(x: r.maxX, y: r.midY), color: color, width: width,
                dash: style.pattern(width: width))
        }
        if marker != .none { drawMarker(marker, at: r.center, size: markerSize, color: color, on: canvas) }
    }

    func occupancy(_ t: AxesTransform) -> Occupancy {
        var o = Occupancy()
        for run in runs(t) {
            o.points += run
            if width > 0 { for (a, b) in zip(run, run.dropFirst()) { o.segments.append((a, b)) } }
        }
        return o
    }
}

/// Draws one marker of diameter `size` points centred at `p`.
func drawMarker(_ marker: Marker, at p: Point, size: Double, color: Color, on canvas: Canvas) {
    let r = size / 2
    switch marker {
    case .none: break
    case .circle:
        canvas.ellipse(Rect(x: p.x - r, y: p.y - r, width: size, height: size), fill: color, stroke: color, width: 1)
    case .square:
        let s = r * 0.9
        canvas.rect(Rect(x: p.x - s, y: p.y - s, width: 2 * s, height: 2 * s), fill: color, stroke: color, width: 1)
    case .triangle:
        canvas.polygon(
            [Point(x: p.x, y: p.y - r), Point(x: p.x + r, y: p.y + r * 0.8), Point(x: p.x - r, y: p.y + r * 0.8)],
            fill: color, stroke: color, width: 1)
    case .diamond:
        let s = r * 0.9
        canvas.polygon(
            [Point(x: p.x, y: p.y - s), Point(x: p.x + s, y: p.y), Point(x: p.x, y: p.y + s), Point(x: p.x - s, y: p.y)],
            fill: color, stroke: color, width: 1)
    case .cross:
        let s = r * 0.8
        canvas.line(Point(x: p.x - s, y: p.y - s), Point(x: p.x + s, y: p.y + s), color: color, width: 1.5)
        canvas.line(Point(x: p.x - s, y: p.y + s), Point(x: p.x + s, y: p.y - s), color: color, width: 1.5)
    case .plus:
        canvas.line(Point(x: p.x - r, y: p.y), Point(x: p.x + r, y: p.y), color: color, width: 1.5)
        canvas.line(Point(x: p.x, y: p.y - r), Point(x: p.x, y: p.y + r), color: color, width: 1.5)
    }
}

/// A horizontal or vertical reference line across the whole axes (matplotlib's `axhline`/`axvline`).
final class ReferenceLine: Series {
    let value: Double
    let horizontal: Bool
    let label: String?
    let color: Color
    let style: LineStyle
    let width: Double

    init(value: Double, horizontal: Bool, label: String?, color: Color, style: LineStyle, width: Double) {
        self.value = value; self.horizontal = horizontal; self.label = label; self.color = color
        self.style = style; self.width = width
    }

    var bounds: DataBounds? { nil }

    func draw(on canvas: Canvas, transform t: AxesTransform) {
        let a: Point, b: Point
        if horizontal {
            let y = t.point(t.x.lowerBound, value).y
            a = Point(x: t.box.minX, y: y); b = Point(x: t.box.maxX, y: y)
        } else {
            let x = t.point(value, t.y.lowerBound).x
            a = Point(x: x, y: t.box.minY); b = Point(x: x, y: t.box.maxY)
        }
        canvas.line(a, b, color: color, width: width, dash: style.pattern(width: width))
    }

    func drawLegendHandle(on canvas: Canvas, in r: Rect) {
        canvas.line(
            Point(x: r.minX, y: r.midY), Point(x: r.maxX, y: r.midY), color: color, width: width,
            dash: style.pattern(width: width))
    }

    func occupancy(_ t: AxesTransform) -> Occupancy {
        var o = Occupancy()
        if horizontal {
            let y = t.point(0, value).y
            o.segments = [(Point(x: t.box.minX, y: y), Point(x: t.box.maxX, y: y))]
        } else {
            let x = t.point(value, 0).x
            o.segments = [(Point(x: x, y: t.box.minY), Point(x: x, y: t.box.maxY))]
        }
        return o
    }
}

/// Text at a data point (matplotlib's `ax.text`), drawn unclipped above the data.
final class TextSeries: Series {
    let text: String, x: Double, y: Double
    let h: HAlign, v: VAlign
    let color: Color, size: Double
    let label: String? = nil

    init(text: String, x: Double, y: Double, h: HAlign, v: VAlign, color: Color, size: Double) {
        self.text = text; self.x = x; self.y = y; self.h = h; self.v = v; self.color = color; self.size = size
    }

    var bounds: DataBounds? { nil }
    func draw(on canvas: Canvas, transform t: AxesTransform) {}
    func drawAnnotations(on canvas: Canvas, transform t: AxesTransform) {
        canvas.text(text, at: t.point(x, y), h: h, v: v, size: size, color: color)
    }
}
