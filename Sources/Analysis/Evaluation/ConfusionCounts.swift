import Foundation

/// Image-level confusion counts of a two-class (COVID / normal) classifier, and the paper's
/// nine metrics computed exactly as the paper does (§3.1, Table 8). COVID is the positive class.
public struct ConfusionCounts: Codable, Equatable, Hashable, Sendable {
    /// COVID images classified COVID.
    public var covidTP: Int
    /// COVID images classified normal.
    public var covidFN: Int
    /// Normal images classified COVID.
    public var covidFP: Int
    /// Normal images classified normal (the COVID class's TN; the normal class's TP).
    public var normalTP: Int

    public init(covidTP: Int = 0, covidFN: Int = 0, covidFP: Int = 0, normalTP: Int = 0) {
        self.covidTP = covidTP; self.covidFN = covidFN; self.covidFP = covidFP; self.normalTP = normalTP
    }

    /// Adds one decision.
    public mutating func add(truth: ClassLabel, predicted: ClassLabel) {
        switch (truth, predicted) {
        case (.covid, .covid): covidTP += 1
        case (.covid, .normal): covidFN += 1
        case (.normal, .covid): covidFP += 1
        case (.normal, .normal): normalTP += 1
        }
    }

    public var total: Int { covidTP + covidFN + covidFP + normalTP }
    public var correct: Int { covidTP + normalTP }
    public var wrong: Int { covidFN + covidFP }

    /// The nine metrics of Table 8, in printed order.
    public var metrics: Metrics {
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? .nan : Double(a) / Double(b) }
        let accuracy = ratio(correct, total)
        return Metrics(
            overallAccuracy: accuracy, covidAccuracy: accuracy, normalAccuracy: accuracy,
            covidSensitivity: ratio(covidTP, covidTP + covidFN),
            normalSensitivity: ratio(normalTP, normalTP + covidFP),
            covidSpecificity: ratio(normalTP, normalTP + covidFP),
            normalSpecificity: ratio(covidTP, covidTP + covidFN),
            covidPrecision: ratio(covidTP, covidTP + covidFP),
            normalPrecision: ratio(normalTP, normalTP + covidFN))
    }

    public static func + (a: ConfusionCounts, b: ConfusionCounts) -> ConfusionCounts {
        ConfusionCounts(
            covidTP: a.covidTP + b.covidTP, covidFN: a.covidFN + b.covidFN,
            covidFP: a.covidFP + b.covidFP, normalTP: a.normalTP + b.normalTP)
    }
}

/// The paper's nine image-level metrics (Table 8). With two classes the per-class accuracies
/// equal the overall accuracy, and one class's specificity is the other's sensitivity; the
/// paper prints them as separate columns and so do we, noting the redundancy in the report.
public struct Metrics: Codable, Equatable, Sendable {
    public let overallAccuracy: Double
    public let covidAccuracy: Double
    public let normalAccuracy: Double
    public let covidSensitivity: Double
    public let normalSensitivity: Double
    public let covidSpecificity: Double
    public let normalSpecificity: Double
    public let covidPrecision: Double
    public let normalPrecision: Double

    /// (name, value) in Table 8's column order; names as in the paper's CSV.
    public var named: [(String, Double)] {
        [
            ("overall_accuracy", overallAccuracy), ("covid_accuracy", covidAccuracy), ("normal_accuracy", normalAccuracy),
            ("covid_sensitivity", covidSensitivity), ("normal_sensitivity", normalSensitivity),
            ("covid_specificity", covidSpecificity), ("normal_specificity", normalSpecificity),
            ("covid_precision", covidPrecision), ("normal_precision", normalPrecision)
        ]
    }

    /// Element-wise mean of several folds' metrics (how the paper's Avg rows are made: the mean
    /// of the per-fold metrics, not the metrics of the mean counts).
    public static func mean(_ all: [Metrics]) -> Metrics {
        precondition(!all.isEmpty, "mean of no metrics")
        func m(_ k: KeyPath<Metrics, Double>) -> Double { all.map { $0[keyPath: k] }.reduce(0, +) / Double(all.count) }
        return Metrics(
            overallAccuracy: m(\.overallAccuracy), covidAccuracy: m(\.covidAccuracy), normalAccuracy: m(\.normalAccuracy),
            covidSensitivity: m(\.covidSensitivity), normalSensitivity: m(\.normalSensitivity),
            covidSpecificity: m(\.covidSpecificity), normalSpecificity: m(\.normalSpecificity),
            covidPrecision: m(\.covidPrecision), normalPrecision: m(\.normalPrecision))
    }
}
