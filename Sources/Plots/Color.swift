import Foundation

/// An sRGB colour with straight (non-premultiplied) alpha; every component lies in 0...1.
///
/// The named palette follows matplotlib's defaults: `Color.cycle` is the "tab10" property
/// cycle (`C0`…`C9`), so the n-th series of an axes gets the colour matplotlib would give it.
public struct Color: Equatable, Hashable, Sendable {
    /// Red, green, blue and alpha in 0...1.
    public var r: Double, g: Double, b: Double, a: Double

    /// A colour from components in 0...1 (values outside are clamped when drawn).
    public init(r: Double, g: Double, b: Double, a: Double = 1) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    /// A colour from a hex string `"#rrggbb"` or `"rrggbb"`.
    /// - Precondition: the string has six hex digits (a programmer error otherwise).
    public init(hex: String, alpha: Double = 1) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else {
            preconditionFailure("Color(hex:) needs six hex digits, got \(hex)")
        }
        self.init(
            r: Double((value >> 16) & 0xff) / 255,
            g: Double((value >> 8) & 0xff) / 255,
            b: Double(value & 0xff) / 255, a: alpha)
    }

    /// A grey level in 0 (black) ... 1 (white).
    public init(gray: Double, alpha: Double = 1) { self.init(r: gray, g: gray, b: gray, a: alpha) }

    /// The same colour with another alpha.
    public func withAlpha(_ alpha: Double) -> Color { Color(r: r, g: g, b: b, a: alpha) }

    /// Relative luminance (ITU-R BT.709 weights on the sRGB-encoded components), 0...1.
    /// Used to pick black or white text over a coloured cell.
    public var luminance: Double { 0.2126 * r + 0.7152 * g + 0.0722 * b }

    /// Black or white, whichever contrasts more with this colour.
    public var contrastingText: Color { luminance > 0.5 ? .black : .white }

    /// The colour's 8-bit components, rounded: (r, g, b).
    public var rgb8: (UInt8, UInt8, UInt8) {
        func q(_ v: Double) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
        return (q(r), q(g), q(b))
    }

    /// SVG/CSS form `#rrggbb`.
    public var hexString: String {
        let (r8, g8, b8) = rgb8
        return String(format: "#%02x%02x%02x", r8, g8, b8)
    }

    public static let black = Color(r: 0, g: 0, b: 0)
    public static let white = Color(r: 1, g: 1, b: 1)
    /// matplotlib's "tab:red" etc., the tab10 palette.
    public static let blue = Color(hex: "#1f77b4")
    public static let orange = Color(hex: "#ff7f0e")
    public static let green = Color(hex: "#2ca02c")
    public static let red = Color(hex: "#d62728")
    public static let purple = Color(hex: "#9467bd")
    public static let brown = Color(hex: "#8c564b")
    public static let pink = Color(hex: "#e377c2")
    public static let gray = Color(hex: "#7f7f7f")
    public static let olive = Color(hex: "#bcbd22")
    public static let cyan = Color(hex: "#17becf")
    /// Pure colours for overlays and highlights.
    public static let pureRed = Color(r: 1, g: 0, b: 0)
    public static let pureGreen = Color(r: 0, g: 1, b: 0)
    public static let yellow = Color(r: 1, g: 1, b: 0)

    /// matplotlib's default property cycle (tab10), `C0`…`C9`.
    public static let cycle: [Color] = [
        .blue, .orange, .green, .red, .purple,
        .brown, .pink, .gray, .olive, .cyan
    ]

    /// The n-th colour of the default cycle (wraps around).
    public static func cycle(_ n: Int) -> Color { cycle[((n % cycle.count) + cycle.count) % cycle.count] }
}
