import Foundation

/// What moved between a baseline manifest and a fresh one (`paper-repro verify`).
public struct ManifestDrift: Sendable {
    /// One line per change, sorted: `table3.epochs.ours: 2 -> 3 (Δ +1)`.
    public var changes: [String]
    /// True when nothing moved beyond the tolerance.
    public var isClean: Bool { changes.isEmpty }

    /// Compares `current` with `baseline`. Numbers may move by `tolerance` (absolute) before
    /// they count; verdicts, entries, the preset and the data source must match exactly.
    /// Timing, git and machine facts are ignored.
    public static func compare(baseline: Manifest, current: Manifest, tolerance: Double) -> ManifestDrift {
        var changes: [String] = []
        let b = baseline.report, c = current.report
        if b.preset != c.preset { changes.append("preset: \(b.preset) -> \(c.preset)") }
        if b.presetHash != c.presetHash { changes.append("preset hash: \(b.presetHash) -> \(c.presetHash)") }
        if b.dataSource != c.dataSource {
            changes.append(
                "data source: \(b.dataSource.kind) \(b.dataSource.contentHash) -> \(c.dataSource.kind) \(c.dataSource.contentHash)")
        }
        for key in Set(b.numbers.keys).union(c.numbers.keys).sorted() {
            switch (b.numbers[key], c.numbers[key]) {
            case let (old?, new?):
                if abs(new - old) > tolerance {
                    changes.append(
                        "\(key): \(NumberFormat.plain(old, maxDecimals: 6)) -> \(NumberFormat.plain(new, maxDecimals: 6)) (Δ \(NumberFormat.signed(new - old, maxDecimals: 6)))"
                    )
                }
            case let (old?, nil): changes.append("\(key): \(NumberFormat.plain(old, maxDecimals: 6)) -> missing")
            case let (nil, new?): changes.append("\(key): new, \(NumberFormat.plain(new, maxDecimals: 6))")
            default: break
            }
        }
        for key in Set(b.verdicts.keys).union(c.verdicts.keys).sorted() where b.verdicts[key] != c.verdicts[key] {
            changes.append("verdict \(key): \(b.verdicts[key] ?? "missing") -> \(c.verdicts[key] ?? "missing")")
        }
        for key in Set(b.entries.keys).union(c.entries.keys).sorted() where b.entries[key] != c.entries[key] {
            changes.append("entry \(key): \(b.entries[key] ?? "missing") -> \(c.entries[key] ?? "missing")")
        }
        return ManifestDrift(changes: changes)
    }
}
