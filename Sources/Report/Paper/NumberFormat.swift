import Foundation

/// Locale-independent number formatting, so the report is byte-identical on every machine.
public enum NumberFormat {
    /// A whole number with thousands separators: `15589` -> `15,589`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// `x` with exactly `decimals` decimals (round half away from zero), no grouping.
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        precondition(decimals >= 0 && decimals <= 12, "decimals out of range")
        if x.isNaN { return "NaN" }
        let scale = pow(10.0, Double(decimals))
        let rounded = (abs(x) * scale).rounded(.toNearestOrAwayFromZero) / scale
        let sign = x < 0 && rounded != 0 ? "-" : ""
        return sign + String(format: "%.\(decimals)f", rounded)
    }

    /// A count or a mean as people write it: whole numbers grouped (`15,590`), others with up
    /// to `maxDecimals` decimals and trailing zeros dropped (`8,308.8`, `0.8092`).
    public static func plain(_ x: Double, maxDecimals: Int = 4) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return grouped(Int(x)) }
        var text = fixed(x, maxDecimals)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let whole = Int(parts[0]) else { return text }
        let head = parts[0].hasPrefix("-") && whole == 0 ? "-0" : grouped(whole)
        return parts.count == 2 ? head + "." + parts[1] : head
    }

    /// A signed difference: `+0.0034`, `-12`, `0`.
    public static func signed(_ x: Double, maxDecimals: Int = 4) -> String {
        let text = plain(x, maxDecimals: maxDecimals)
        return x > 0 && text != "0" ? "+" + text : text
    }
}
