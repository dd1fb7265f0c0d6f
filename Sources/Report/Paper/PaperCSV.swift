import Foundation

/// A small CSV table: a header and rows of cells, read by column name.
///
/// Handles quoted fields (`"a,b"`, doubled quotes) and `\n` or `\r\n` line ends; no
/// embedded newlines (none of the paper's tables has one).
public struct PaperCSV: Sendable {
    /// Column names in order.
    public let header: [String]
    /// Rows of cells, each as long as `header`.
    public let rows: [[String]]
    /// Where the table came from, for error messages.
    public let source: String

    /// Parses `text`.
    /// - Throws: `ReportError.badTable` when a row's length differs from the header's.
    public init(text: String, source: String) throws {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).filter { !$0.isEmpty }
        guard let first = lines.first else { throw ReportError.badTable(file: source, reason: "empty") }
        header = PaperCSV.split(first)
        rows = try lines.dropFirst().enumerated().map { index, line in
            let cells = PaperCSV.split(line)
            guard cells.count == PaperCSV.split(first).count else {
                throw ReportError.badTable(
                    file: source, reason: "line \(index + 2) has \(cells.count) cells, header has \(PaperCSV.split(first).count)")
            }
            return cells
        }
        self.source = source
    }

    /// The cell of `row` in column `column`.
    /// - Throws: `ReportError.badTable` when the column does not exist.
    public func cell(_ row: [String], _ column: String) throws -> String {
        guard let i = header.firstIndex(of: column) else {
            throw ReportError.badTable(file: source, reason: "no column '\(column)'")
        }
        return row[i]
    }

    /// The cell parsed as a number.
    /// - Throws: `ReportError.badTable` when it is not one.
    public func number(_ row: [String], _ column: String) throws -> Double {
        let text = try cell(row, column)
        guard let value = Double(text) else {
            throw ReportError.badTable(file: source, reason: "'\(text)' in column '\(column)' is not a number")
        }
        return value
    }

    /// Splits one CSV line into cells.
    static func split(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                cells.append(current); current = ""
            } else {
                current.append(c)
            }
        }
        cells.append(current)
        return cells
    }

    /// Renders rows as CSV text with a header line and `\n` line ends; quotes cells that need it.
    public static func render(header: [String], rows: [[String]]) -> String {
        func quote(_ s: String) -> String {
            s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([header] + rows).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}
