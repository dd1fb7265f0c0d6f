import Foundation

/// How close a reproduced number must be to the paper's to count as agreeing.
public enum Tolerance: Sendable, Equatable {
    /// Must be equal (configuration values, counts).
    case exact
    /// |ours - paper| <= the bound.
    case absolute(Double)
    /// |ours - paper| <= the bound × |paper|.
    case relative(Double)

    /// As shown in the report: `exact`, `±0.02`, `±10%`.
    public var text: String {
        switch self {
        case .exact: return "exact"
        case .absolute(let b): return "±" + NumberFormat.plain(b)
        case .relative(let r): return "±" + NumberFormat.plain(r * 100) + "%"
        }
    }

    /// True when `ours` is within the tolerance of `paper`.
    public func accepts(paper: Double, ours: Double) -> Bool {
        switch self {
        case .exact: return paper == ours
        case .absolute(let b): return abs(ours - paper) <= b + 1e-12
        case .relative(let r): return abs(ours - paper) <= r * abs(paper) + 1e-12
        }
    }
}

/// The verdict of one comparison.
public enum Verdict: Sendable, Equatable {
    case agrees
    case differs
    /// The comparison means nothing for this run; the reason says why.
    case notComparable(String)

    /// ✓, ✗ or "not comparable — <reason>".
    public var text: String {
        switch self {
        case .agrees: return "✓"
        case .differs: return "✗"
        case .notComparable(let why): return "not comparable — \(why)"
        }
    }
}

/// One reproduced quantity beside the paper's.
public struct Comparison: Sendable, Equatable {
    /// Stable key within its entry (`epochs`), used for the manifest's numbers.
    public var key: String
    /// What is compared, for people.
    public var quantity: String
    /// The paper's value as shown.
    public var paper: String
    /// This run's value as shown.
    public var ours: String
    /// Numeric values when both are numbers.
    public var paperValue: Double?
    public var oursValue: Double?
    /// `ours - paper`, shown, or "—".
    public var difference: String
    public var tolerance: Tolerance
    public var verdict: Verdict
    /// For a claim about the method (not about the dataset's numbers): whether it holds in this
    /// run, whatever the data. Nil for comparisons of numbers.
    public var holds: Bool? = nil

    /// A numeric comparison. When `dependsOnData` and the run used synthetic data, the
    /// verdict is "not comparable — synthetic data" whatever the numbers.
    public static func numeric(
        key: String, quantity: String, paper: Double, ours: Double, tolerance: Tolerance,
        dependsOnData: Bool, syntheticData: Bool, decimals: Int = 4
    ) -> Comparison {
        let verdict: Verdict
        if dependsOnData && syntheticData {
            verdict = .notComparable("synthetic data")
        } else {
            verdict = tolerance.accepts(paper: paper, ours: ours) ? .agrees : .differs
        }
        return Comparison(
            key: key, quantity: quantity,
            paper: NumberFormat.plain(paper, maxDecimals: decimals),
            ours: NumberFormat.plain(ours, maxDecimals: decimals),
            paperValue: paper, oursValue: ours,
            difference: NumberFormat.signed(ours - paper, maxDecimals: decimals),
            tolerance: tolerance, verdict: verdict)
    }

    /// A comparison of two texts (optimizer names, yes/no settings): agrees when equal.
    public static func text(key: String, quantity: String, paper: String, ours: String) -> Comparison {
        Comparison(
            key: key, quantity: quantity, paper: paper, ours: ours, paperValue: nil, oursValue: nil,
            difference: paper == ours ? "—" : "differs", tolerance: .exact,
            verdict: paper == ours ? .agrees : .differs)
    }
}
