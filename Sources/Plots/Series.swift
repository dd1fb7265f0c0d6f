/// The mapping from data coordinates to figure points owned by an axes.
///
/// `box` is the plotting rectangle; `x` and `y` are the view limits. With `yInverted`,
/// y grows downwards (images and heatmaps: row 0 at the top).
public struct AxesTransform: Sendable {
    public var box: Rect
    public var x: ClosedRange<Double>
    public var y: ClosedRange<Double>
    public var yInverted: Bool

    /// Figure point of data point (x, y).
    public func point(_ dx: Double, _ dy: Double) -> Point {
        let fx = (dx - x.lowerBound) / (x.upperBound - x.lowerBound)
        let fy = (dy - y.lowerBound) / (y.upperBound - y.lowerBound)
        return Point(x: box.minX + fx * box.width, y: yInverted ? box.minY + fy * box.height : box.maxY - fy * box.height)
    }

    /// Figure rectangle of the data rectangle with corners (x0, y0), (x1, y1).
    func rect(x0: Double, y0: Double, x1: Double, y1: Double) -> Rect {
        let a = point(x0, y0), b = point(x1, y1)
        return Rect(x: min(a.x, b.x), y: min(a.y, b.y), width: abs(b.x - a.x), height: abs(b.y - a.y))
    }
}

/// What a series occupies on the axes, in figure points, so a legend can avoid it.
struct Occupancy {
    var points: [Point] = []
    var segments: [(Point, Point)] = []
    var rects: [Rect] = []
}

/// Data extents of a series: its x and y ranges, and "sticky" values the automatic limits
/// must not pad past (0 under bars, the edges of an image), like matplotlib's sticky edges.
struct DataBounds {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    var stickyX: [Double] = []
    var stickyY: [Double] = []
}

/// A drawable data series on an axes (matplotlib's Artist): it knows its data, draws itself
/// through the axes' transform, and draws its legend handle.
protocol Series: AnyObject {
    /// Legend text; nil leaves the series out of the legend.
    var label: String? { get }
    /// Data extents, or nil for a series with no data.
    var bounds: DataBounds? { get }
    /// Draws the series; the canvas is clipped to the plotting box.
    func draw(on canvas: Canvas, transform: AxesTransform)
    /// Draws the legend handle inside `rect`.
    func drawLegendHandle(on canvas: Canvas, in rect: Rect)
    /// Screen footprint, for legend placement.
    func occupancy(_ transform: AxesTransform) -> Occupancy
    /// Text drawn by the series outside the clip (value labels), drawn after clipping ends.
    func drawAnnotations(on canvas: Canvas, transform: AxesTransform)
}

extension Series {
    func drawAnnotations(on canvas: Canvas, transform: AxesTransform) {}
    func drawLegendHandle(on canvas: Canvas, in rect: Rect) {}
    func occupancy(_ transform: AxesTransform) -> Occupancy { Occupancy() }
}

/// Range of a non-empty sequence of finite values, or nil.
func finiteRange<S: Sequence>(_ values: S) -> ClosedRange<Double>? where S.Element == Double {
    var lo = Double.infinity, hi = -Double.infinity
    for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
    return lo <= hi ? lo...hi : nil
}
