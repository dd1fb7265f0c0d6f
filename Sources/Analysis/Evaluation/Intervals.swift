import Foundation

/// A two-sided interval estimate.
public struct Interval: Codable, Equatable, Sendable {
    public let lower: Double
    public let upper: Double
}

/// Interval estimates the paper does not give: Wilson score intervals for proportions, fold
/// mean ± SD, and patient-level bootstrap intervals.
public enum Intervals {
    /// Wilson score interval for `successes` of `trials` at `z` (1.96 for 95%). Trials 0 gives [0, 1].
    public static func wilson(successes: Int, trials: Int, z: Double = 1.959963984540054) -> Interval {
        guard trials > 0 else { return Interval(lower: 0, upper: 1) }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * ((p * (1 - p) / n + z2 / (4 * n * n))).squareRoot()
        return Interval(lower: max(0, centre - half), upper: min(1, centre + half))
    }

    /// Mean and sample standard deviation (n − 1); SD 0 for a single value.
    public static func meanSD(_ values: [Double]) -> (mean: Double, sd: Double) {
        precondition(!values.isEmpty, "mean of nothing")
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let v = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, v.squareRoot())
    }

    /// Percentile bootstrap interval of `statistic` over units resampled with replacement —
    /// patients, not images, so that slices of one patient move together. Seeded.
    public static func bootstrap<Unit>(
        _ units: [Unit], replicates: Int = 1000, level: Double = 0.95, seed: UInt64,
        statistic: ([Unit]) -> Double
    ) -> Interval {
        precondition(!units.isEmpty, "bootstrap of no units")
        var rng = SplitMix64(seed: seed, stream: "bootstrap")
        var stats: [Double] = []
        stats.reserveCapacity(replicates)
        for _ in 0..<replicates {
            let sample = (0..<units.count).map { _ in units[Int(rng.next() % UInt64(units.count))] }
            let s = statistic(sample)
            if s.isFinite { stats.append(s) }
        }
        stats.sort()
        guard !stats.isEmpty else { return Interval(lower: .nan, upper: .nan) }
        func q(_ p: Double) -> Double {
            let pos = p * Double(stats.count - 1)
            let lo = Int(pos.rounded(.down)), hi = min(lo + 1, stats.count - 1)
            return stats[lo] + (stats[hi] - stats[lo]) * (pos - Double(lo))
        }
        let alpha = (1 - level) / 2
        return Interval(lower: q(alpha), upper: q(1 - alpha))
    }
}
