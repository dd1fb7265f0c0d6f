import CCairo

/// A colour bar beside an axes: the colormap as a vertical gradient over `range`, with ticks
/// and an optional label on its right (matplotlib's `fig.colorbar`).
struct ColorbarSpec {
    var colormap: Colormap
    var range: ClosedRange<Double>
    var label: String?
    var formatter: ((Double) -> String)?

    static let pad = 10.0, width = 12.0

    func ticks(length: Double) -> [(Double, String)] {
        let pos = Ticks.positions(
            lo: range.lowerBound, hi: range.upperBound,
            maxTicks: Ticks.maxTicks(length: length, horizontal: false))
        let labels = formatter.map { f in pos.map(f) } ?? Ticks.labels(pos)
        return Array(zip(pos, labels))
    }

    /// Width taken right of the axes box, points.
    func extent(canvas: Canvas, length: Double) -> Double {
        let labels = ticks(length: length).map { canvas.measure($0.1, size: Style.fontSize).width }.max() ?? 0
        let labelWidth = label.map { Style.labelPad + canvas.measure($0, size: Style.fontSize).height } ?? 0
        return ColorbarSpec.pad + ColorbarSpec.width + Style.tickLength + Style.tickPad + labels + labelWidth
    }

    func draw(on canvas: Canvas, beside box: Rect) {
        let bar = Rect(x: box.maxX + ColorbarSpec.pad, y: box.minY, width: ColorbarSpec.width, height: box.height)
        let cr = canvas.cr
        // The gradient runs from the bottom (range start) to the top (range end).
        let gradient = cairo_pattern_create_linear(0, bar.maxY, 0, bar.minY)!
        for (p, c) in zip(colormap.positions, colormap.colors) {
            cairo_pattern_add_color_stop_rgb(gradient, p, c.r, c.g, c.b)
        }
        canvas.save()
        cairo_rectangle(cr, bar.x, bar.y, bar.width, bar.height)
        cairo_set_source(cr, gradient)
        cairo_fill(cr)
        canvas.restore()
        cairo_pattern_destroy(gradient)
        canvas.rect(bar, fill: nil, stroke: .black, width: Style.spineWidth)
        let span = range.upperBound - range.lowerBound
        var labelRight = bar.maxX
        for (v, text) in ticks(length: box.height) {
            let y = span > 0 ? bar.maxY - (v - range.lowerBound) / span * bar.height : bar.midY
            canvas.line(Point(x: bar.maxX, y: y), Point(x: bar.maxX + Style.tickLength, y: y), color: .black, width: Style.tickWidth)
            let r = canvas.text(text, at: Point(x: bar.maxX + Style.tickLength + Style.tickPad, y: y), h: .left, v: .center)
            labelRight = max(labelRight, r.maxX)
        }
        if let label {
            canvas.text(label, at: Point(x: labelRight + Style.labelPad, y: bar.midY), h: .center, v: .top, rotation: 90)
        }
    }
}
