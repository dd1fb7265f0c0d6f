import Analysis
import Foundation

/// One entry as the report shows it: reproduced (with its build) or pending (with a reason).
public struct EntryRecord: Sendable {
    public var id: EntryID
    public var title: String
    public var caption: String
    public var stages: [String]
    /// The build, when the entry was reproduced.
    public var built: BuiltEntry?
    /// Why not, when it was not.
    public var pendingReason: String?

    /// "reproduced" or "not yet reproduced — <reason>", as in the manifest.
    public var status: String {
        built != nil ? "reproduced" : "not yet reproduced — \(pendingReason ?? "unknown")"
    }

    /// The heading text, also the source of the HTML anchor.
    public var heading: String { "\(id.label): \(title)" }
}

/// Everything the report shows; rendering it is a pure function of this value.
public struct ReportDocument: Sendable {
    public var preset: Preset
    public var dataSource: DataSourceIdentity
    public var facts: RunFacts
    /// All twenty entries in the paper's order.
    public var entries: [EntryRecord]
    public var audit: AuditResult
    /// Stage name -> cache key, for the stages this report ran.
    public var stageKeys: [String: String]
}

/// GitHub-style heading anchors, so the same links work on GitHub and in the HTML.
public enum Anchor {
    /// Lowercase; letters, digits, `-` and `_` kept; spaces become `-`; everything else dropped.
    public static func slug(_ heading: String) -> String {
        var out = ""
        for c in heading.lowercased() {
            if c.isLetter || c.isNumber || c == "-" || c == "_" { out.append(c) } else if c == " " { out.append("-") }
        }
        return out
    }
}
