import Foundation

/// A parsed CSV file: a header row and data rows (RFC 4180 quoting: fields in double quotes may
/// contain commas, newlines and doubled quotes).
public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [[String]]
    /// The file the table came from, for error messages.
    public let source: String

    /// Parses `text`; `source` names the file in errors.
    public init(text: String, source: String) throws {
        var records: [[String]] = []
        var field = "", record: [String] = []
        var inQuotes = false, fieldStarted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where !fieldStarted: inQuotes = true; fieldStarted = true
            case ",": record.append(field); field = ""; fieldStarted = false
            case "\r": continue
            case "\n":
                record.append(field); field = ""; fieldStarted = false
                if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
                record = []
            default: field.unicodeScalars.append(c); fieldStarted = true
            }
        }
        if inQuotes { throw MetadataError.malformed(file: source, line: records.count + 1, reason: "unterminated quoted field") }
        if fieldStarted || !record.isEmpty { record.append(field); records.append(record) }
        guard let head = records.first else { throw MetadataError.malformed(file: source, line: 1, reason: "no header row") }
        // Strip a UTF-8 byte-order mark from the first header cell.
        var header = head.map { $0.trimmingCharacters(in: .whitespaces) }
        if let first = header.first, first.hasPrefix("\u{FEFF}") { header[0] = String(first.dropFirst()) }
        for (i, r) in records.dropFirst().enumerated() where r.count != header.count {
            throw MetadataError.malformed(file: source, line: i + 2, reason: "\(r.count) fields, header has \(header.count)")
        }
        self.header = header
        self.rows = Array(records.dropFirst())
        self.source = source
    }

    /// Reads and parses the file at `url`.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MetadataError.unreadable(file: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MetadataError.malformed(file: url.path, line: 0, reason: "not UTF-8 text")
        }
        try self.init(text: text, source: url.path)
    }

    /// Index of column `name`, or a `MetadataError.missingColumn`.
    public func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else { throw MetadataError.missingColumn(file: source, column: name) }
        return i
    }
}

/// A metadata file that cannot be used, with the file and the reason.
public enum MetadataError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String)
    case malformed(file: String, line: Int, reason: String)
    case missingColumn(file: String, column: String)

    public var description: String {
        switch self {
        case .unreadable(let f): return "\(f): cannot read file"
        case .malformed(let f, let l, let r): return "\(f):\(l): \(r)"
        case .missingColumn(let f, let c): return "\(f): missing column '\(c)'"
        }
    }
}
