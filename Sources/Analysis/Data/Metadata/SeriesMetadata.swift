import Foundation

/// DICOM tags of one series, read from `Patients_metadata.csv` (79 tags per series, taken from
/// the series' first image). Empty or `N/A` cells are absent.
public struct SeriesMetadata: Codable, Equatable, Sendable {
    /// Tag name -> printed value, e.g. `"PixelSpacing": "[0.814453125, 0.814453125]"`.
    public let tags: [String: String]

    public init(tags: [String: String]) { self.tags = tags }

    /// In-plane pixel spacing in mm (the first of the two printed values).
    public var pixelSpacingMM: Double? { numbers("PixelSpacing").first }
    /// Slice thickness in mm.
    public var sliceThicknessMM: Double? { numbers("SliceThickness").first }
    /// Reconstruction kernel, e.g. `B70s`.
    public var convolutionKernel: String? { tags["ConvolutionKernel"] }
    /// Display window centre and width in HU (first values when several are listed).
    public var windowCenter: Double? { numbers("WindowCenter").first }
    public var windowWidth: Double? { numbers("WindowWidth").first }
    /// The largest stored pixel value of the series' first image.
    public var largestPixelValue: Double? { numbers("LargestImagePixelValue").first }
    /// Image rows and columns.
    public var rows: Int? { numbers("Rows").first.map { Int($0) } }
    public var columns: Int? { numbers("Columns").first.map { Int($0) } }

    /// All numbers in a tag's printed value (`[0.8, 0.8]`, `-600\\-500`, `512`).
    public func numbers(_ tag: String) -> [Double] {
        guard let text = tags[tag] else { return [] }
        return text.split(whereSeparator: { "[], \\".contains($0) }).compactMap { Double($0) }
    }
}

/// Loader of `Patients_metadata.csv`: patient id -> series name -> tags.
public enum PatientsMetadata {
    public static func load(from url: URL) throws -> [String: [String: SeriesMetadata]] {
        let table = try CSVTable(contentsOf: url)
        let idColumn = try table.column("Patient ID")
        // Columns are "<SR_k> <Tag>".
        var columns: [(index: Int, series: String, tag: String)] = []
        for (i, name) in table.header.enumerated() where i != idColumn {
            let parts = name.split(separator: " ", maxSplits: 1)
            if parts.count == 2, seriesNames.contains(String(parts[0])) {
                columns.append((i, String(parts[0]), String(parts[1])))
            }
        }
        var out: [String: [String: SeriesMetadata]] = [:]
        for row in table.rows {
            var perSeries: [String: [String: String]] = [:]
            for c in columns {
                let v = row[c.index].trimmingCharacters(in: .whitespaces)
                if v.isEmpty || v == "N/A" || v == "nan" { continue }
                perSeries[c.series, default: [:]][c.tag] = v
            }
            out[row[idColumn]] = perSeries.mapValues(SeriesMetadata.init(tags:))
        }
        return out
    }
}
