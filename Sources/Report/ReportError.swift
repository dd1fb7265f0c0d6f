import Foundation

/// Errors of the report: reference tables, templates, rendering and manifests.
public enum ReportError: Error, CustomStringConvertible {
    /// A bundled paper table is missing or malformed.
    case badTable(file: String, reason: String)
    /// A template is missing or does not parse.
    case template(file: String, reason: String)
    /// Markdown could not be turned into HTML.
    case markdown(reason: String)
    /// A manifest cannot be read.
    case manifest(file: String, reason: String)
    /// No figure or table with that number.
    case unknownEntry(label: String)

    public var description: String {
        switch self {
        case let .badTable(file, reason): return "\(file): \(reason)"
        case let .template(file, reason): return "\(file): \(reason)"
        case let .markdown(reason): return "Markdown to HTML failed: \(reason)"
        case let .manifest(file, reason): return "\(file): \(reason)"
        case let .unknownEntry(label): return "neither the paper nor this report has \(label)"
        }
    }
}
