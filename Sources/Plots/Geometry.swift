/// A point in figure coordinates: points (1/72 inch) from the figure's top-left corner,
/// y growing downwards (Cairo's convention).
public struct Point: Equatable, Sendable {
    public var x: Double, y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A size in points.
public struct Size: Equatable, Sendable {
    public var width: Double, height: Double
    public init(width: Double, height: Double) { self.width = width; self.height = height }
    public static let zero = Size(width: 0, height: 0)
}

/// An axis-aligned rectangle in points, origin at its top-left corner.
public struct Rect: Equatable, Sendable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }
    public var center: Point { Point(x: midX, y: midY) }

    /// The rectangle grown by `d` on every side (shrunk for negative `d`).
    public func insetBy(_ d: Double) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }

    /// True if `other` lies entirely inside this rectangle (within `tolerance` points).
    public func contains(_ other: Rect, tolerance: Double = 1e-6) -> Bool {
        other.minX >= minX - tolerance && other.minY >= minY - tolerance
            && other.maxX <= maxX + tolerance && other.maxY <= maxY + tolerance
    }

    /// True if `p` lies inside (boundary included).
    public func contains(_ p: Point) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }

    /// Area of the intersection with `other` (0 if disjoint).
    public func overlapArea(_ other: Rect) -> Double {
        let w = min(maxX, other.maxX) - max(minX, other.minX)
        let h = min(maxY, other.maxY) - max(minY, other.minY)
        return w > 0 && h > 0 ? w * h : 0
    }

    /// True if the rectangles share interior points.
    public func intersects(_ other: Rect) -> Bool { overlapArea(other) > 0 }

    /// The largest rectangle of aspect `width / height == aspect` centred inside this one.
    func fitted(aspect: Double) -> Rect {
        guard aspect > 0, width > 0, height > 0 else { return self }
        if width / height > aspect {
            let w = height * aspect
            return Rect(x: midX - w / 2, y: y, width: w, height: height)
        } else {
            let h = width / aspect
            return Rect(x: x, y: midY - h / 2, width: width, height: h)
        }
    }

    /// The smallest rectangle containing both.
    func union(_ o: Rect) -> Rect {
        let x0 = min(minX, o.minX), y0 = min(minY, o.minY)
        return Rect(x: x0, y: y0, width: max(maxX, o.maxX) - x0, height: max(maxY, o.maxY) - y0)
    }
}

/// Space around a plotting rectangle taken by decorations (tick labels, titles, colour bars), points.
struct Insets: Equatable {
    var left = 0.0, right = 0.0, top = 0.0, bottom = 0.0
}

/// True if the segment p-q meets rectangle r (Liang-Barsky clipping).
func segmentIntersects(_ p: Point, _ q: Point, _ r: Rect) -> Bool {
    var t0 = 0.0, t1 = 1.0
    let dx = q.x - p.x, dy = q.y - p.y
    for (pp, qq) in [(-dx, p.x - r.minX), (dx, r.maxX - p.x), (-dy, p.y - r.minY), (dy, r.maxY - p.y)] {
        if pp == 0 {
            if qq < 0 { return false }
        } else {
            let t = qq / pp
            if pp < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
            if t0 > t1 { return false }
        }
    }
    return true
}
