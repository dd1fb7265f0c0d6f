import AtomicFiles
import Foundation

/// The `selection-validation` stage: the selection algorithm (§2.2) against the twin's ground
/// truth over a grid of dark values and divisors, plus the "min + (max − min)/1.5" variant at
/// the paper's dark value — a check the paper could not make (real data have no per-slice
/// truth). Defined only for data with ground truth (the synthetic twin).
///
/// Output `validation.json`: `[SelectionValidationStage.Row]`, the grid in dark-value-major
/// order, then the variant.
public enum SelectionValidationStage: Stage {
    public static let name = "selection-validation"
    public static let file = "validation.json"
    public static let darkValues = [200, 250, 300, 350, 400]
    public static let divisors = [1.2, 1.35, 1.5, 1.75, 2.0]

    /// One grid point; measures are nil when undefined (e.g. nothing selected).
    public struct Row: Codable, Equatable, Sendable {
        public let darkValue: Int
        public let divisor: Double
        public let rule: SelectionParameters.ThresholdRule
        public let slices: Int
        public let precision: Double?
        public let recall: Double?
        public let meanSeriesPrecision: Double?
        public let meanSeriesRecall: Double?
        public let labelledKept: Double?
        public let closedDropped: Double?
        /// Shares of the COVID-19 and the normal labelled slices kept.
        public var covidLabelledKept: Double? = nil
        public var normalLabelledKept: Double? = nil

        init(_ v: SelectionValidation) {
            func d(_ x: Double) -> Double? { x.isFinite ? x : nil }
            darkValue = v.parameters.darkValue; divisor = v.parameters.divisor; rule = v.parameters.rule
            slices = v.slices
            precision = d(v.precision); recall = d(v.recall)
            meanSeriesPrecision = d(v.meanSeriesPrecision); meanSeriesRecall = d(v.meanSeriesRecall)
            labelledKept = d(v.labelledKept); closedDropped = d(v.closedDropped)
            covidLabelledKept = v.covidLabelledKept.flatMap(d); normalLabelledKept = v.normalLabelledKept.flatMap(d)
        }

        /// True for the paper's parameters (300, 1.5, max − min).
        public var isPaper: Bool { darkValue == 300 && divisor == 1.5 && rule == SelectionParameters.paper.rule }
    }

    /// The swept parameters.
    public struct Config: Codable, Sendable, Equatable {
        var format = 2
        public var darkValues = SelectionValidationStage.darkValues
        public var divisors = SelectionValidationStage.divisors
    }

    public static func definition() -> StageDefinition {
        StageDefinition(SelectionValidationStage.self, upstream: [IndexStage.name], config: Config())
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        var rows = try SelectionValidation.sweep(dataset: dataset, darkValues: config.darkValues, divisors: config.divisors).map(Row.init)
        let variant = SliceSelector.select(dataset: dataset, parameters: SelectionParameters(rule: .minPlusRange))
        if let v = try SelectionValidation.validate(variant, dataset: dataset) { rows.append(Row(v)) }
        guard !rows.isEmpty else {
            throw PipelineError.stageFailed(
                stage: name, reason: "the data have no selection ground truth (only the synthetic twin has it)")
        }
        try AtomicFile.write(CanonicalJSON.encodePretty(rows), to: context.outputDirectory.appendingPathComponent(file))
    }

    public static func read(from directory: URL) throws -> [Row] {
        try IndexStage.read([Row].self, directory.appendingPathComponent(file))
    }
}
