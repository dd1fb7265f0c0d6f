import Foundation

/// A classifier that sees one categorical feature of an image — its series, or its slice
/// thickness — and calls COVID exactly the feature values in `covidValues`.
///
/// Fitted on training labels, it is the best such rule: the training objective is a sum over
/// the feature's values, so choosing each value's class on its own maximises it. A threshold on
/// thickness ("thinner than t is COVID") is one of these sets, so the best set is at least as
/// good as the best threshold. A value never seen in training is called normal.
///
/// If such a rule scores well on the test labels, the labels can be told apart without looking
/// at the lungs (the dataset audit's shortcut check).
public struct OneFeatureRule: Sendable, Equatable {
    /// What the fit maximises on the training labels.
    public enum Objective: String, Sendable, CaseIterable {
        /// Correct images / all images: a value is COVID when it has more COVID than normal images.
        case accuracy
        /// (sensitivity + specificity) / 2: a value is COVID when its share of the COVID images
        /// exceeds its share of the normal images.
        case balancedAccuracy = "balanced accuracy"
    }

    /// The feature values called COVID.
    public let covidValues: Set<String>

    public init(covidValues: Set<String>) { self.covidValues = covidValues }

    /// The rule's decision for a feature value.
    public func predict(_ value: String) -> ClassLabel { covidValues.contains(value) ? .covid : .normal }

    /// The best rule for `samples` under `objective`; ties go to normal.
    public static func fit(_ samples: [(value: String, label: ClassLabel)], objective: Objective) -> OneFeatureRule {
        var covid: [String: Int] = [:], normal: [String: Int] = [:]
        for s in samples {
            if s.label == .covid { covid[s.value, default: 0] += 1 } else { normal[s.value, default: 0] += 1 }
        }
        let totalCovid = covid.values.reduce(0, +), totalNormal = normal.values.reduce(0, +)
        var chosen = Set<String>()
        for value in Set(covid.keys).union(normal.keys) {
            let c = covid[value] ?? 0, n = normal[value] ?? 0
            switch objective {
            case .accuracy:
                if c > n { chosen.insert(value) }
            case .balancedAccuracy:
                // c / C > n / N, cross-multiplied; with one class absent, fall back to counts.
                if totalCovid == 0 || totalNormal == 0 ? c > n : c * totalNormal > n * totalCovid { chosen.insert(value) }
            }
        }
        return OneFeatureRule(covidValues: chosen)
    }

    /// The rule's confusion counts on `samples` (COVID positive).
    public func score(_ samples: [(value: String, label: ClassLabel)]) -> ConfusionCounts {
        var counts = ConfusionCounts()
        for s in samples { counts.add(truth: s.label, predicted: predict(s.value)) }
        return counts
    }
}

extension ConfusionCounts {
    /// (sensitivity + specificity) / 2 for COVID as the positive class; nan when a class is absent.
    public var balancedAccuracy: Double {
        let m = metrics
        return (m.covidSensitivity + m.covidSpecificity) / 2
    }
}
