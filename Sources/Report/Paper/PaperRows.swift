import Foundation

/// Table 1: the dataset's patients and images per class (§2.1).
public struct PaperDataDistribution: Sendable, Equatable {
    public var covidPatients: Int
    public var normalPatients: Int
    public var covidImages: Int
    public var normalImages: Int
}

/// Table 2: one fold's training and test split (patients; expert-selected images).
public struct PaperFoldSplit: Sendable, Equatable {
    public var fold: Int
    public var trainCovidPatients: Int
    public var trainCovidImages: Int
    public var trainNormalPatients: Int
    public var trainNormalImages: Int
    public var testCovidPatients: Int
    public var testCovidImages: Int
    public var testNormalPatients: Int
    public var testNormalImages: Int
    /// All test images of the fold.
    public var testImages: Int { testCovidImages + testNormalImages }
}

/// Table 3: one network's training parameters, cells as printed.
public struct PaperTrainingParameters: Sendable, Equatable {
    public var network: String
    public var learningRate: String
    public var batchSize: String
    public var optimizer: String
    public var lossFunction: String
    public var epochs: String
    public var flipping: String
    public var zoomRange: String
    public var rotationRange: String
    public var widthHeightShifting: String
    public var shiftRange: String
}

/// Table 4: the test patients of one fold and all their CT images (patient identification).
public struct PaperIdentificationData: Sendable, Equatable {
    public var fold: Int
    public var covidImages: Int
    public var covidPatients: Int
    public var normalImages: Int
    public var normalPatients: Int
}

/// Table 5: patient identification in fold 1 under one threshold, for one network.
public struct PaperThresholdRow: Sendable, Equatable {
    /// 1 (more than 0 slices) or 2 (a tenth of the selected slices).
    public var thresholdID: Int
    public var thresholdValue: Double
    public var thresholdUnit: String
    public var network: String
    public var covidCorrect: Int
    public var covidWrong: Int
    public var normalCorrect: Int
    public var normalWrong: Int
}

/// Table 6: patient identification with threshold 0.1, one (fold, network); Avg rows are
/// fractional.
public struct PaperIdentificationRow: Sendable, Equatable {
    public var fold: FoldLabel
    public var network: String
    public var correct: Double
    public var wrong: Double
    public var covidCorrect: Double
    public var covidWrong: Double
    public var normalCorrect: Double
    public var normalWrong: Double
}

/// Table 7: seconds to process one patient's whole CT sequence with "Our model".
public struct PaperSpeedRow: Sendable, Equatable {
    public var slices: Int
    public var seconds: Double
    /// The time as printed (decimals vary: `3.56452`).
    public var printed: String
}

/// The nine metric columns of Table 8, in printed order.
public enum ClassificationMetric: String, CaseIterable, Sendable {
    case overallAccuracy = "overall_accuracy"
    case covidAccuracy = "covid_accuracy"
    case normalAccuracy = "normal_accuracy"
    case covidSensitivity = "covid_sensitivity"
    case normalSensitivity = "normal_sensitivity"
    case covidSpecificity = "covid_specificity"
    case normalSpecificity = "normal_specificity"
    case covidPrecision = "covid_precision"
    case normalPrecision = "normal_precision"

    /// Human-readable name ("COVID precision").
    public var label: String {
        rawValue.replacingOccurrences(of: "covid", with: "COVID").replacingOccurrences(of: "_", with: " ")
    }
}

/// Table 8: image classification of one (fold, network). Counts are fractional in Avg rows.
/// `normalFN == covidFP` and `normalFP == covidFN` by construction (two classes).
public struct PaperClassificationRow: Sendable, Equatable {
    public var fold: FoldLabel
    public var network: String
    public var correct: Double
    public var wrong: Double
    public var covidTP: Double
    public var covidFN: Double
    public var covidFP: Double
    public var normalTP: Double
    public var normalFN: Double
    public var normalFP: Double
    public var metrics: [ClassificationMetric: Double]

    /// The metric recomputed from counts `tp, fn, fp, tn` (COVID as the positive class):
    /// accuracy (TP+TN)/N, sensitivity TP/(TP+FN), specificity TN/(TN+FP), precision
    /// TP/(TP+FP), and the normal class's mirror images (§3.1, Eqs. 1-4).
    public static func metric(_ m: ClassificationMetric, tp: Double, fn: Double, fp: Double, tn: Double) -> (value: Double, formula: String)
    {
        func f(_ x: Double) -> String { NumberFormat.plain(x) }
        let n = tp + fn + fp + tn
        switch m {
        case .overallAccuracy, .covidAccuracy, .normalAccuracy:
            return ((tp + tn) / n, "(\(f(tp)) + \(f(tn))) / \(f(n))")
        case .covidSensitivity, .normalSpecificity:
            return (tp / (tp + fn), "\(f(tp)) / (\(f(tp)) + \(f(fn)))")
        case .normalSensitivity, .covidSpecificity:
            return (tn / (tn + fp), "\(f(tn)) / (\(f(tn)) + \(f(fp)))")
        case .covidPrecision:
            return (tp / (tp + fp), "\(f(tp)) / (\(f(tp)) + \(f(fp)))")
        case .normalPrecision:
            return (tn / (tn + fn), "\(f(tn)) / (\(f(tn)) + \(f(fn)))")
        }
    }
}

/// A printed label of Fig. 3: `group` is `age`, `sex_all`, `sex_covid` or `sex_normal`;
/// `category` an age group (`30_39`) or a sex (`M`, `F`).
public struct PaperPatientCount: Sendable, Equatable {
    public var group: String
    public var category: String
    public var patients: Int
}
