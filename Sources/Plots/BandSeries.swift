/// A filled band between two curves sharing x (matplotlib's `fill_between`), e.g. a min–max
/// range around a mean. Drawn translucent; no outline.
final class BandSeries: Series {
    let x: [Double], lower: [Double], upper: [Double]
    let label: String?
    let color: Color
    let alpha: Double

    init(x: [Double], lower: [Double], upper: [Double], label: String?, color: Color, alpha: Double) {
        precondition(x.count == lower.count && x.count == upper.count, "band needs one lower and upper value per x")
        self.x = x; self.lower = lower; self.upper = upper; self.label = label; self.color = color; self.alpha = alpha
    }

    var bounds: DataBounds? {
        guard let xr = finiteRange(x), let yr = finiteRange(lower + upper) else { return nil }
        return DataBounds(x: xr, y: yr)
    }

    private var fill: Color { Color(r: color.r, g: color.g, b: color.b, a: color.a * alpha) }

    func draw(on canvas: Canvas, transform t: AxesTransform) {
        let idx = x.indices.filter { x[$0].isFinite && lower[$0].isFinite && upper[$0].isFinite }
        guard idx.count >= 2 else { return }
        let top = idx.map { t.point(x[$0], upper[$0]) }, bottom = idx.reversed().map { t.point(x[$0], lower[$0]) }
        canvas.polygon(top + bottom, fill: fill)
    }

    func drawLegendHandle(on canvas: Canvas, in r: Rect) {
        canvas.rect(Rect(x: r.minX, y: r.midY - r.height / 4, width: r.width, height: r.height / 2), fill: fill)
    }

    func occupancy(_ t: AxesTransform) -> Occupancy {
        Occupancy(points: x.indices.flatMap { [t.point(x[$0], lower[$0]), t.point(x[$0], upper[$0])] })
    }
}

extension Axes {
    /// Fills the band between `lower` and `upper` over `x` in `color` at `alpha`.
    public func fillBetween(
        x: [Double], lower: [Double], upper: [Double], label: String? = nil, color: Color? = nil,
        alpha: Double = 0.2
    ) {
        add(BandSeries(x: x, lower: lower, upper: upper, label: label, color: color ?? nextCycleColor(), alpha: alpha))
    }
}
