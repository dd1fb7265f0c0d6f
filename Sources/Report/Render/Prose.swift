import Foundation

/// The report's longer explanatory paragraphs, kept as text in `Resources/prose/` (one file per
/// entry, one paragraph per key) instead of Swift string literals.
///
/// File format: lines starting with `#` before the first key are comments; `[Key.n]` starts a
/// paragraph, whose following lines up to a blank line are joined with single spaces.
/// `{{n}}` stands for the n-th value the code passes, already formatted.
public enum Prose {
    /// Every paragraph by key, read once from the bundle.
    static let paragraphs: [String: String] = {
        guard let folder = Bundle.module.url(forResource: "prose", withExtension: nil) else {
            preconditionFailure("Resources/prose missing from the Report bundle")
        }
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        var all: [String: String] = [:]
        for file in files where file.pathExtension == "txt" {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                preconditionFailure("\(file.path): unreadable")
            }
            for (key, paragraph) in parse(text) {
                precondition(all[key] == nil, "\(file.path): key \(key) defined twice")
                all[key] = paragraph
            }
        }
        return all
    }()

    /// The paragraphs of one prose file's text, by key.
    static func parse(_ text: String) -> [(key: String, text: String)] {
        var result: [(key: String, text: String)] = []
        var key: String?
        var lines: [String] = []
        func finish() {
            if let key { result.append((key, lines.joined(separator: " "))) }
            key = nil
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if key == nil {
                if line.hasPrefix("[") && line.hasSuffix("]") { key = String(line.dropFirst().dropLast()) }
                continue
            }
            if line.isEmpty { finish() } else { lines.append(line) }
        }
        finish()
        return result
    }

    /// The paragraph `key` with `{{1}}`, `{{2}}`, … replaced by `values`.
    /// - Precondition: the key exists and uses exactly `values.count` placeholders.
    public static func text(_ key: String, _ values: [String] = []) -> String {
        guard let paragraph = paragraphs[key] else { preconditionFailure("no prose paragraph \(key) in Resources/prose") }
        return fill(paragraph, values, key: key)
    }

    /// `paragraph` with its placeholders replaced (each value inserted as given, never scanned again).
    static func fill(_ paragraph: String, _ values: [String], key: String) -> String {
        var out = ""
        var rest = Substring(paragraph)
        var used = Set<Int>()
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}"),
                let n = Int(rest[open.upperBound..<close.lowerBound]), (1...values.count).contains(n)
            else {
                preconditionFailure("prose \(key): a placeholder without a value")
            }
            out += values[n - 1]
            used.insert(n)
            rest = rest[close.upperBound...]
        }
        precondition(used.count == values.count, "prose \(key): \(values.count) values for \(used.count) placeholders")
        return out + rest
    }
}
