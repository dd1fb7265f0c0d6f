import Foundation

/// Tick placement and labelling for linear axes.
///
/// Ticks use "nice" steps 1, 2 or 5 times a power of ten, at most `maxTicks - 1` intervals
/// across the view limits (matplotlib's `MaxNLocator` with steps [1, 2, 5, 10]); labels share
/// one number of decimals (matplotlib's `ScalarFormatter`) and use the Unicode minus sign.
public enum Ticks {
    /// The nice step for a range of `span` split into at most `intervals` intervals.
    /// - Returns: 1, 2 or 5 times a power of ten; 1 for an empty or non-finite span.
    public static func niceStep(span: Double, intervals: Int) -> Double {
        guard span > 0, span.isFinite, intervals > 0 else { return 1 }
        let raw = span / Double(intervals)
        let magnitude = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * magnitude >= raw * (1 - 1e-9) { return m * magnitude }
        return 10 * magnitude
    }

    /// Tick positions inside `lo...hi` (inclusive, with a small tolerance), at most about
    /// `maxTicks` of them. A degenerate range gives the single value.
    public static func positions(lo: Double, hi: Double, maxTicks: Int) -> [Double] {
        guard hi > lo else { return [lo] }
        var intervals = max(1, maxTicks - 1)
        while true {
            let step = niceStep(span: hi - lo, intervals: intervals)
            let eps = step * 1e-9
            let first = (lo / step - 1e-9).rounded(.up)
            let last = (hi / step + 1e-9).rounded(.down)
            var ticks: [Double] = []
            // k * step computed as k * mantissa / 10^-e for small steps, so 0.1 * 6 prints as 0.6.
            let e = log10(step).rounded(.down)
            let mantissa = (step / pow(10, e)).rounded()
            var k = first
            while k <= last {
                ticks.append(e < 0 ? k * mantissa / pow(10, -e) : k * step)
                k += 1
            }
            ticks = ticks.map { abs($0) < eps ? 0 : $0 }
            if ticks.count >= 2 || intervals >= 50 { return ticks }
            intervals *= 2  // too few ticks: ask for a finer step
        }
    }

    /// How many ticks fit along an axis of `length` points (matplotlib's `get_tick_space`:
    /// three font sizes per x tick, two per y tick), clipped to 3...10.
    static func maxTicks(length: Double, horizontal: Bool) -> Int {
        let per = Style.fontSize * (horizontal ? 3 : 2)
        return min(10, max(3, Int(floor(length / per)) + 1))
    }

    /// Labels for `ticks` with a shared number of decimals: the fewest that represent every
    /// tick exactly (up to 10). Negative numbers use U+2212 MINUS SIGN.
    public static func labels(_ ticks: [Double]) -> [String] {
        var decimals = 0
        while decimals < 10 {
            let scale = pow(10, Double(decimals))
            if ticks.allSatisfy({ abs(($0 * scale).rounded() - $0 * scale) < 1e-6 * max(1, abs($0 * scale)) }) { break }
            decimals += 1
        }
        return ticks.map { format($0, decimals: decimals) }
    }

    /// `value` with `decimals` decimals, the Unicode minus for negatives, never "−0".
    public static func format(_ value: Double, decimals: Int) -> String {
        var s = String(format: "%.\(decimals)f", value)
        if s.hasPrefix("-") {
            let digits = s.dropFirst()
            s = digits.allSatisfy { $0 == "0" || $0 == "." } ? String(digits) : "\u{2212}" + digits
        }
        return s
    }
}
