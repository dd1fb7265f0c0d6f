import Foundation

/// One disagreement (or noteworthy fact) the audit found in the paper, with its arithmetic.
public struct AuditFinding: Sendable, Equatable {
    /// How serious it is.
    public enum Severity: String, Sendable {
        /// Two numbers the paper prints cannot both be right.
        case disagreement
        /// Not an error, but a reader should know (redundant columns, rounding of means).
        case note
    }

    /// Stable identifier, e.g. `table8.avg.ResNet50V2-FPN.covid_precision`.
    public let id: String
    public let severity: Severity
    /// The tables or text places involved ("Table 4", "Table 1").
    public let sources: [String]
    /// One-line statement of the finding.
    public let title: String
    /// The arithmetic that shows it, e.g. `2,858 + 3,540 + ... = 15,590 ≠ 15,589`.
    public let arithmetic: String
    /// The value the paper prints, when one number is at stake.
    public let printed: Double?
    /// The value the arithmetic gives.
    public let recomputed: Double?
}

/// The audit's result: every finding plus a tally of the checks that passed.
public struct AuditResult: Sendable {
    /// Findings in a stable order (by table, then row).
    public var findings: [AuditFinding]
    /// Checks made.
    public var checks: Int
    /// Groups of checks that all passed, as sentences with counts.
    public var passed: [String]

    /// The findings of one severity.
    public func findings(_ severity: AuditFinding.Severity) -> [AuditFinding] {
        findings.filter { $0.severity == severity }
    }

    /// The finding with this id, if any.
    public func finding(_ id: String) -> AuditFinding? {
        findings.first { $0.id == id }
    }
}
