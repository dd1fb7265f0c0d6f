import Foundation

/// One panel of a figure with x and y axes (matplotlib's `Axes`): it owns the view limits,
/// the data-to-figure mapping, ticks, labels, title, legend and colour bar, and a list of
/// series that draw themselves through its mapping.
///
/// Create with `Figure.addAxes(row:col:)`; add data with `line`, `bars`, `histogram`,
/// `heatmap`, `confusionMatrix`, `image`, `rectangle`, `heatOverlay` (see Axes+Plotting).
/// Limits default to the data range plus 5 % (not past sticky edges such as 0 under bars).
public final class Axes: Panel {
    /// Grid cell of the figure this axes occupies.
    public let row: Int, col: Int
    /// Title above the axes (12 pt).
    public var title: String?
    /// Axis labels; include units, e.g. "Epoch" or "Accuracy (%)".
    public var xLabel: String?, yLabel: String?
    /// Text centred under the axes and its labels (e.g. an image's caption).
    public var caption: String?
    /// Draw grid lines at the major ticks (matplotlib's `ax.grid(True)`).
    public var grid = false
    /// Legend position; shown only when some series has a label.
    public var legendLocation: LegendLocation = .best
    /// Fixed view limits; nil means automatic.
    public var xLimits: ClosedRange<Double>?, yLimits: ClosedRange<Double>?
    /// Explicit tick positions; nil means automatic 1-2-5 ticks.
    public var xTicks: [Double]?, yTicks: [Double]?
    /// Custom tick label formatters; nil means a shared number of decimals.
    public var xTickFormatter: ((Double) -> String)?, yTickFormatter: ((Double) -> String)?
    /// Rotation of x tick labels in degrees (counter-clockwise; 30-90 for long category names).
    public var xTickLabelRotation = 0.0
    /// Spines, ticks and tick labels; false hides them (images).
    public var showAxis = true
    /// Equal data units on both axes (images, heatmaps): the box shrinks to keep the aspect.
    public var aspectEqual = false
    /// y grows downwards (row 0 at the top), for images and matrices.
    public var yInverted = false
    /// A coloured frame around the box (highlighting an image), colour and width in points.
    public var border: (color: Color, width: Double)?

    /// The mapping used by the last layout or render, nil before; figure points.
    public internal(set) var transform: AxesTransform?

    var series: [Series] = []
    var xCategories: [String]?, yCategories: [String]?
    var colorbarSpec: ColorbarSpec?
    private var nextColor = 0

    init(row: Int, col: Int) { self.row = row; self.col = col }

    /// The next colour of the default cycle (C0, C1, ...).
    public func nextCycleColor() -> Color { defer { nextColor += 1 }; return Color.cycle(nextColor) }

    func add(_ s: Series) { series.append(s) }

    // MARK: - Limits

    /// View limits: fixed ones if set, else the union of the series' data ranges padded by
    /// 5 % but not beyond sticky edges; an empty axes is 0...1, a single value ±0.5 around it.
    func viewLimits() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let all = series.compactMap(\.bounds)
        func auto(_ ranges: [ClosedRange<Double>], sticky: [Double]) -> ClosedRange<Double> {
            guard let lo = ranges.map(\.lowerBound).min(), let hi = ranges.map(\.upperBound).max() else { return 0...1 }
            if lo == hi { return (lo - 0.5)...(hi + 0.5) }
            var a = lo - Style.margin * (hi - lo), b = hi + Style.margin * (hi - lo)
            for s in sticky {
                if s <= lo && s > a { a = s }
                if s >= hi && s < b { b = s }
            }
            return a...b
        }
        let x = xLimits ?? auto(all.map(\.x), sticky: all.flatMap(\.stickyX))
        let y = yLimits ?? auto(all.map(\.y), sticky: all.flatMap(\.stickyY))
        return (x, y)
    }

    // MARK: - Ticks

    /// Major ticks (position, label) along x or y for an axis `length` points long.
    func ticks(horizontal: Bool, limits: ClosedRange<Double>, length: Double) -> [(Double, String)] {
        if let cats = horizontal ? xCategories : yCategories {
            return cats.enumerated().map { (Double($0.offset), $0.element) }
                .filter { limits.contains($0.0) }
        }
        let explicit = horizontal ? xTicks : yTicks
        let positions =
            explicit?.filter { limits.contains($0) }
            ?? Ticks.positions(
                lo: limits.lowerBound, hi: limits.upperBound,
                maxTicks: Ticks.maxTicks(length: length, horizontal: horizontal))
        let formatter = horizontal ? xTickFormatter : yTickFormatter
        let labels = formatter.map { f in positions.map(f) } ?? Ticks.labels(positions)
        return Array(zip(positions, labels))
    }

    // MARK: - Layout

    /// Extents of the decorations around the box (points), measured with `canvas`.
    struct Decorations {
        var xTicks: [(Double, String)] = []
        var yTicks: [(Double, String)] = []
        /// Height of the x tick label band, width of the y tick label band.
        var xTickBand = 0.0, yTickBand = 0.0
        var xLabelHeight = 0.0, yLabelWidth = 0.0, titleHeight = 0.0, captionHeight = 0.0
        var colorbarWidth = 0.0
        var firstXLabelHalf = 0.0, lastXLabelHalf = 0.0, topYLabelHalf = 0.0
        var xLeftOverhang = 0.0
        /// How far the x label, title or caption reach beyond either side of the box.
        var sideOverflow = 0.0
        /// How far the y label reaches above and below the box.
        var verticalOverflow = 0.0
        /// Width of a legend placed outside on the right (pad included).
        var outsideLegendWidth = 0.0
        /// Labels as drawn: wrapped at spaces when much wider (taller) than the box.
        var xLabelText: String?, yLabelText: String?, titleText: String?, captionText: String?
    }

    /// Labels wrapped to the box: x label, title and caption to its width, y label to its height;
    /// text overhanging by less than 20 points stays on one line.
    func wrappedTexts(canvas: Canvas, box: Size) -> (xLabel: String?, yLabel: String?, title: String?, caption: String?) {
        let slack = 20.0
        return (
            xLabel.map { canvas.wrapped($0, width: box.width, size: Style.fontSize, slack: slack) },
            yLabel.map { canvas.wrapped($0, width: box.height, size: Style.fontSize, slack: slack) },
            title.map { canvas.wrapped($0, width: box.width, size: Style.titleSize, slack: slack) },
            caption.map { canvas.wrapped($0, width: box.width, size: Style.fontSize, slack: slack) }
        )
    }

    func decorations(canvas: Canvas, box: Size) -> Decorations {
        var d = Decorations()
        let (xl, yl) = viewLimits()
        let tickOut = Style.tickLength + Style.tickPad
        if showAxis {
            d.xTicks = ticks(horizontal: true, limits: xl, length: box.width)
            d.yTicks = ticks(horizontal: false, limits: yl, length: box.height)
            let xs = d.xTicks.map { canvas.measure($0.1, size: Style.fontSize, rotation: xTickLabelRotation) }
            let ys = d.yTicks.map { canvas.measure($0.1, size: Style.fontSize) }
            d.xTickBand = tickOut + (xs.map(\.height).max() ?? 0)
            d.yTickBand = tickOut + (ys.map(\.width).max() ?? 0)
            if xTickLabelRotation == 0 {
                d.firstXLabelHalf = (xs.first?.width ?? 0) / 2
                d.lastXLabelHalf = (xs.last?.width ?? 0) / 2
            } else if let first = d.xTicks.first, let w = xs.first?.width {
                // A rotated label hangs left of its tick by its rotated width.
                let offset = box.width * (first.0 - xl.lowerBound) / (xl.upperBound - xl.lowerBound)
                d.xLeftOverhang = max(0, w - offset)
            }
            d.topYLabelHalf = (ys.last?.height ?? 0) / 2
        }
        let texts = wrappedTexts(canvas: canvas, box: box)
        d.xLabelText = texts.xLabel; d.yLabelText = texts.yLabel; d.titleText = texts.title; d.captionText = texts.caption
        if let xLabel = d.xLabelText { d.xLabelHeight = Style.labelPad + canvas.measure(xLabel, size: Style.fontSize).height }
        if let yLabel = d.yLabelText { d.yLabelWidth = Style.labelPad + canvas.measure(yLabel, size: Style.fontSize).height }
        if let title = d.titleText { d.titleHeight = Style.titlePad + canvas.measure(title, size: Style.titleSize).height }
        if let caption = d.captionText { d.captionHeight = Style.labelPad + canvas.measure(caption, size: Style.fontSize).height }
        if let cb = colorbarSpec { d.colorbarWidth = cb.extent(canvas: canvas, length: box.height) }
        let centred = [
            d.xLabelText.map { canvas.measure($0, size: Style.fontSize).width },
            d.titleText.map { canvas.measure($0, size: Style.titleSize).width },
            d.captionText.map { canvas.measure($0, size: Style.fontSize).width }
        ].compactMap { $0 }
        d.sideOverflow = max(0, ((centred.max() ?? 0) - box.width) / 2)
        let vertical = [
            d.yLabelText.map { canvas.measure($0, size: Style.fontSize).width },
            colorbarSpec?.label.map { canvas.measure($0, size: Style.fontSize).width }
        ].compactMap { $0 }
        d.verticalOverflow = max(0, ((vertical.max() ?? 0) - box.height) / 2)
        if legendLocation == .outsideRight, let size = legendSize(canvas: canvas) {
            d.outsideLegendWidth = Axes.outsideLegendPad + size.width
        }
        return d
    }

    func insets(canvas: Canvas, box: Size) -> Insets {
        let d = decorations(canvas: canvas, box: box)
        let frame = border.map { $0.width / 2 } ?? 0
        var i = Insets()
        i.left = max(d.yTickBand + d.yLabelWidth, d.firstXLabelHalf, d.xLeftOverhang, d.sideOverflow) + frame
        i.right = max(d.lastXLabelHalf, d.colorbarWidth + d.outsideLegendWidth, d.sideOverflow) + frame
        i.top = max(d.titleHeight, d.topYLabelHalf, d.verticalOverflow) + frame
        i.bottom = max(d.xTickBand + d.xLabelHeight + d.captionHeight, d.verticalOverflow) + frame
        return i
    }

    /// The box's aspect when `aspectEqual`, else nil.
    var aspect: Double? { aspectEqual ? dataAspect() : nil }

    /// Data aspect (width / height of the data rectangle) for `aspectEqual`.
    func dataAspect() -> Double {
        let (x, y) = viewLimits()
        return (x.upperBound - x.lowerBound) / (y.upperBound - y.lowerBound)
    }

    func layout(rect: Rect) {
        let box = aspectEqual ? rect.fitted(aspect: dataAspect()) : rect
        let (x, y) = viewLimits()
        transform = AxesTransform(box: box, x: x, y: y, yInverted: yInverted)
    }

    /// Figure point of data point (x, y) under the last layout.
    /// - Precondition: the figure has been laid out or rendered.
    public func figurePoint(x: Double, y: Double) -> Point {
        guard let transform else { preconditionFailure("Axes.figurePoint before layout") }
        return transform.point(x, y)
    }
}
