import Foundation

/// The selection algorithm's result for one series (one SR_k folder of one patient), §2.2.
public struct SeriesSelection: Codable, Equatable, Sendable {
    public let patientID: String
    public let series: String
    public let label: ClassLabel
    /// Image numbers in order, and for each its dark-pixel count in the region.
    public let imageNumbers: [Int]
    public let counts: [Int]
    public let threshold: Double
    /// Per slice: count > threshold.
    public let selected: [Bool]
    /// Image size and whether the region was scaled from the paper's 512×512.
    public let width: Int
    public let height: Int
    public let regionScaled: Bool
    /// Warnings, e.g. every count zero so nothing is kept.
    public let warnings: [String]

    /// Image numbers of the selected slices.
    public var selectedImageNumbers: [Int] { zip(imageNumbers, selected).filter(\.1).map(\.0) }
    public var keptCount: Int { selected.filter { $0 }.count }

    /// Applies the rule to a series' counts: threshold from min and max, keep count > threshold.
    /// One slice gives threshold 0 (kept when its count > 0); all counts equal give threshold 0
    /// under the paper's rule; all zero keeps nothing, with a warning.
    public static func decide(counts: [Int], parameters: SelectionParameters) -> (threshold: Double, selected: [Bool], warnings: [String]) {
        precondition(!counts.isEmpty, "decide needs at least one count")
        let lo = counts.min()!, hi = counts.max()!
        let threshold = parameters.threshold(min: lo, max: hi)
        let selected = counts.map { Double($0) > threshold }
        var warnings: [String] = []
        if hi == 0 {
            warnings.append("no dark pixels in the region of any slice: no slice selected")
        } else if !selected.contains(true) {
            warnings.append("no slice above the threshold \(threshold)")
        }
        return (threshold, selected, warnings)
    }
}

/// A series the selection could not process, and why.
public struct SeriesFailure: Codable, Equatable, Sendable {
    public let patientID: String
    public let series: String
    public let reason: String
}

/// Selection over a whole dataset.
public struct SelectionResult: Codable, Equatable, Sendable {
    public let parameters: SelectionParameters
    public let series: [SeriesSelection]
    public let failures: [SeriesFailure]

    public var totalSlices: Int { series.reduce(0) { $0 + $1.imageNumbers.count } }
    public var keptSlices: Int { series.reduce(0) { $0 + $1.keptCount } }
    /// Fraction of slices kept, 0 when there are none.
    public var keptFraction: Double { totalSlices == 0 ? 0 : Double(keptSlices) / Double(totalSlices) }
    /// Per "patient/series", the image numbers the selection kept.
    public var keptImageNumbers: [String: [Int]] {
        Dictionary(series.map { ("\($0.patientID)/\($0.series)", $0.selectedImageNumbers) }, uniquingKeysWith: { a, _ in a })
    }
}
