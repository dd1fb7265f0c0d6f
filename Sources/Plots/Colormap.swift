/// A colormap: a continuous map from t in 0...1 to a colour, given by control points with
/// piecewise-linear interpolation between them (matplotlib's `LinearSegmentedColormap`).
///
/// - `viridis` (the default) is sampled from matplotlib's published 256-entry table
///   (van der Walt & Smith, CC0): every 4th entry plus the last, interpolated linearly, which
///   reproduces the full table to within 1/1000 per component.
/// - `jet` uses matplotlib's segment data (`_jet_data`), the classic Grad-CAM look.
/// - `gray` runs linearly from black to white.
///
/// Values outside 0...1 are clamped; NaN maps to the lowest colour.
public struct Colormap: Sendable, Equatable {
    /// The colormap's name as matplotlib spells it.
    public let name: String
    /// Control points: positions in 0...1 (increasing, first 0, last 1) and their colours.
    public let positions: [Double]
    public let colors: [Color]

    /// A colormap from control points.
    /// - Precondition: at least two points, positions increasing from 0 to 1.
    public init(name: String, positions: [Double], colors: [Color]) {
        precondition(
            positions.count >= 2 && positions.count == colors.count,
            "Colormap needs at least two control points")
        precondition(positions.first == 0 && positions.last == 1, "Colormap positions must span 0...1")
        precondition(
            zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 },
            "Colormap positions must increase")
        self.name = name; self.positions = positions; self.colors = colors
    }

    /// The colour at t in 0...1 (clamped).
    public func color(at t: Double) -> Color {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        // Binary search for the segment [positions[lo], positions[lo+1]] containing t.
        var lo = 0, hi = positions.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if positions[mid] <= t { lo = mid } else { hi = mid }
        }
        let span = positions[hi] - positions[lo]
        let f = span > 0 ? (t - positions[lo]) / span : 0
        let a = colors[lo], b = colors[hi]
        return Color(r: a.r + (b.r - a.r) * f, g: a.g + (b.g - a.g) * f, b: a.b + (b.b - a.b) * f)
    }

    /// The colour of `value` on the scale `range` (`vmin...vmax`); a degenerate range maps
    /// everything to the middle colour.
    public func color(for value: Double, in range: ClosedRange<Double>) -> Color {
        let width = range.upperBound - range.lowerBound
        return color(at: width > 0 ? (value - range.lowerBound) / width : 0.5)
    }

    /// matplotlib's default colormap.
    public static let viridis: Colormap = {
        let n = viridisSamples.count
        // Samples are table entries 0, 4, ..., 252 and 255 of the 256-entry table.
        let positions = (0..<n).map { i in i == n - 1 ? 1.0 : Double(4 * i) / 255 }
        let colors = viridisSamples.map { Color(r: $0.0, g: $0.1, b: $0.2) }
        return Colormap(name: "viridis", positions: positions, colors: colors)
    }()

    /// matplotlib's `jet` (from its red/green/blue segment data).
    public static let jet: Colormap = {
        let red: [(Double, Double)] = [(0, 0), (0.35, 0), (0.66, 1), (0.89, 1), (1, 0.5)]
        let green: [(Double, Double)] = [(0, 0), (0.125, 0), (0.375, 1), (0.64, 1), (0.91, 0), (1, 0)]
        let blue: [(Double, Double)] = [(0, 0.5), (0.11, 1), (0.34, 1), (0.65, 0), (1, 0)]
        func channel(_ seg: [(Double, Double)], _ t: Double) -> Double {
            for (a, b) in zip(seg, seg.dropFirst()) where t <= b.0 {
                return a.1 + (b.1 - a.1) * (t - a.0) / (b.0 - a.0)
            }
            return seg.last!.1
        }
        let positions = Array(Set(red.map(\.0) + green.map(\.0) + blue.map(\.0))).sorted()
        let colors = positions.map { t in Color(r: channel(red, t), g: channel(green, t), b: channel(blue, t)) }
        return Colormap(name: "jet", positions: positions, colors: colors)
    }()

    /// Black to white.
    public static let gray = Colormap(name: "gray", positions: [0, 1], colors: [.black, .white])

    /// The colormap named `name` (`viridis`, `jet`, `gray`), or nil.
    public static func named(_ name: String) -> Colormap? {
        switch name {
        case "viridis": return viridis
        case "jet": return jet
        case "gray", "grey": return gray
        default: return nil
        }
    }

    public static func == (lhs: Colormap, rhs: Colormap) -> Bool {
        lhs.name == rhs.name && lhs.positions == rhs.positions && lhs.colors == rhs.colors
    }
}

/// Entries 0, 4, 8, ..., 252 and 255 of matplotlib's `_viridis_data` (sRGB, 0...1).
let viridisSamples: [(Double, Double, Double)] = [
    (0.267004, 0.004874, 0.329415), (0.272594, 0.025563, 0.353093),
    (0.277018, 0.050344, 0.375715), (0.280267, 0.073417, 0.397163),
    (0.282327, 0.094955, 0.417331), (0.283197, 0.115680, 0.436115),
    (0.282884, 0.135920, 0.453427), (0.281412, 0.155834, 0.469201),
    (0.278826, 0.175490, 0.483397), (0.275191, 0.194905, 0.496005),
    (0.270595, 0.214069, 0.507052), (0.265145, 0.232956, 0.516599),
    (0.258965, 0.251537, 0.524736), (0.252194, 0.269783, 0.531579),
    (0.244972, 0.287675, 0.537260), (0.237441, 0.305202, 0.541921),
    (0.229739, 0.322361, 0.545706), (0.221989, 0.339161, 0.548752),
    (0.214298, 0.355619, 0.551184), (0.206756, 0.371758, 0.553117),
    (0.199430, 0.387607, 0.554642), (0.192357, 0.403199, 0.555836),
    (0.185556, 0.418570, 0.556753), (0.179019, 0.433756, 0.557430),
    (0.172719, 0.448791, 0.557885), (0.166617, 0.463708, 0.558119),
    (0.160665, 0.478540, 0.558115), (0.154815, 0.493313, 0.557840),
    (0.149039, 0.508051, 0.557250), (0.143343, 0.522773, 0.556295),
    (0.137770, 0.537492, 0.554906), (0.132444, 0.552216, 0.553018),
    (0.127568, 0.566949, 0.550556), (0.123463, 0.581687, 0.547445),
    (0.120565, 0.596422, 0.543611), (0.119423, 0.611141, 0.538982),
    (0.120638, 0.625828, 0.533488), (0.124780, 0.640461, 0.527068),
    (0.132268, 0.655014, 0.519661), (0.143303, 0.669459, 0.511215),
    (0.157851, 0.683765, 0.501686), (0.175707, 0.697900, 0.491033),
    (0.196571, 0.711827, 0.479221), (0.220124, 0.725509, 0.466226),
    (0.246070, 0.738910, 0.452024), (0.274149, 0.751988, 0.436601),
    (0.304148, 0.764704, 0.419943), (0.335885, 0.777018, 0.402049),
    (0.369214, 0.788888, 0.382914), (0.404001, 0.800275, 0.362552),
    (0.440137, 0.811138, 0.340967), (0.477504, 0.821444, 0.318195),
    (0.515992, 0.831158, 0.294279), (0.555484, 0.840254, 0.269281),
    (0.595839, 0.848717, 0.243329), (0.636902, 0.856542, 0.216620),
    (0.678489, 0.863742, 0.189503), (0.720391, 0.870350, 0.162603),
    (0.762373, 0.876424, 0.137064), (0.804182, 0.882046, 0.114965),
    (0.845561, 0.887322, 0.099702), (0.886271, 0.892374, 0.095374),
    (0.926106, 0.897330, 0.104071), (0.964894, 0.902323, 0.123941),
    (0.993248, 0.906157, 0.143936)
]
