import Foundation

/// The dataset audit's shortcut check: per fold, the best one-feature rule on the series, on
/// the slice thickness, or on the pair of them, fitted on the fold's training labels and scored on its test
/// labels. High test scores mean the labels can be separated without looking at the lungs.
public enum ShortcutCheck {
    /// The feature a rule sees.
    public enum Feature: String, Sendable, CaseIterable {
        case series
        case thickness
        /// Both at once: `SR_2, 6 mm`.
        case seriesAndThickness = "series and thickness"
    }

    /// One fold, feature and objective: the fitted rule and its scores.
    public struct Result: Sendable, Equatable {
        /// 1-based fold index.
        public let fold: Int
        public let feature: Feature
        public let objective: OneFeatureRule.Objective
        public let rule: OneFeatureRule
        /// The rule on the labels it was fitted on.
        public let train: ConfusionCounts
        /// The rule on the fold's test labels.
        public let test: ConfusionCounts
    }

    /// The value of `feature` for a row: the series name, or the thickness as `LabelSources.thicknessText`.
    public static func value(_ row: LabelSources.Row, _ feature: Feature) -> String {
        switch feature {
        case .series: return row.slice.series
        case .thickness: return LabelSources.thicknessText(row.thicknessMM)
        case .seriesAndThickness: return row.slice.series + ", " + LabelSources.thicknessText(row.thicknessMM)
        }
    }

    /// Every fold × feature × objective, in that order. Training and test labels are the
    /// de-duplicated rows of the fold's training and test patients (what the pipeline uses).
    public static func run(_ sources: LabelSources, plan: FoldPlan) -> [Result] {
        var out: [Result] = []
        for fold in plan.folds {
            let train = Set(fold.trainPatients), test = Set(fold.testPatients)
            let trainRows = sources.rows.filter { !$0.isRepeat && train.contains($0.slice.patientID) }
            let testRows = sources.rows.filter { !$0.isRepeat && test.contains($0.slice.patientID) }
            for feature in Feature.allCases {
                let a = trainRows.map { (value: value($0, feature), label: $0.slice.label) }
                let b = testRows.map { (value: value($0, feature), label: $0.slice.label) }
                for objective in OneFeatureRule.Objective.allCases {
                    let rule = OneFeatureRule.fit(a, objective: objective)
                    out.append(
                        Result(
                            fold: fold.index, feature: feature, objective: objective, rule: rule,
                            train: rule.score(a), test: rule.score(b)))
                }
            }
        }
        return out
    }
}

extension LabelSources {
    /// A thickness as the audit prints it: `1.5 mm`, `6 mm`, or `unknown` for nil.
    public static func thicknessText(_ mm: Double?) -> String {
        guard let mm else { return "unknown" }
        let text = mm == mm.rounded() ? String(Int(mm)) : String(mm)
        return text + " mm"
    }
}
