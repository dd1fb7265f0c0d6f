import Foundation

/// Parameters of the paper's slice-selection algorithm (§2.2, Fig. 6), defaults as the paper
/// and its authors' code define them.
public struct SelectionParameters: Codable, Equatable, Hashable, Sendable {
    /// How the threshold is derived from a series' dark-pixel counts.
    public enum ThresholdRule: String, Codable, CaseIterable, Sendable {
        /// threshold = (max − min) / divisor — the paper's rule ("3030 and 30 give 2000").
        case range
        /// threshold = min + (max − min) / divisor — a variant for the ablation.
        case minPlusRange
    }

    /// A pixel is dark when its stored value (HU + 1024) is strictly below this (paper: 300).
    public var darkValue: Int = 300
    /// Divisor of the count range (paper: 1.5).
    public var divisor: Double = 1.5
    public var rule: ThresholdRule = .range

    public init(darkValue: Int = 300, divisor: Double = 1.5, rule: ThresholdRule = .range) {
        self.darkValue = darkValue; self.divisor = divisor; self.rule = rule
    }

    /// The paper's parameters.
    public static let paper = SelectionParameters()

    /// The threshold for a series whose counts span `min...max`.
    public func threshold(min: Int, max: Int) -> Double {
        let range = Double(max - min) / divisor
        switch rule {
        case .range: return range
        case .minPlusRange: return Double(min) + range
        }
    }
}

/// The central region in which dark pixels are counted: the paper's "[120,240] to [370,340]",
/// i.e. rows 240..<340 and columns 120..<370 of a 512×512 slice, scaled for other sizes.
public struct SelectionRegion: Codable, Equatable, Hashable, Sendable {
    public let rows: Range<Int>
    public let columns: Range<Int>
    /// True when the image is not 512×512 and the region was scaled.
    public let scaled: Bool

    /// The region for an image of `width`×`height` pixels.
    public init(width: Int, height: Int) {
        rows = (240 * height / 512)..<(340 * height / 512)
        columns = (120 * width / 512)..<(370 * width / 512)
        scaled = width != 512 || height != 512
    }

    /// Number of pixels in the region.
    public var area: Int { rows.count * columns.count }
}
