import Foundation

/// How a patient's slice decisions become a patient decision (§3.2, Tables 5 and 6).
public enum PatientRule: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Threshold 1: COVID when more than `count` selected slices are classified COVID (paper: 0).
    case moreThanSlices(Int)
    /// Threshold 2: COVID when the COVID-classified slices are at least `fraction` of the
    /// selected slices (paper: 0.1; the authors' code uses ≥, the paper's text says "more than").
    case atLeastFraction(Double)
    /// COVID when the mean COVID probability of the selected slices is at least `p`.
    case meanProbability(Double)
    /// COVID when the mean of the `k` highest COVID probabilities is at least `p`.
    case topKMean(k: Int, p: Double)

    public var description: String {
        switch self {
        case .moreThanSlices(let n): return "COVID slices > \(n)"
        case .atLeastFraction(let f): return "COVID slices ≥ \(f) × selected"
        case .meanProbability(let p): return "mean P(COVID) ≥ \(p)"
        case .topKMean(let k, let p): return "mean of top \(k) P(COVID) ≥ \(p)"
        }
    }

    /// The paper's two thresholds.
    public static let paperThreshold1 = PatientRule.moreThanSlices(0)
    public static let paperThreshold2 = PatientRule.atLeastFraction(0.1)
}

/// A patient-level decision; "undetermined" when no slice was selected, never silently counted.
public enum PatientDecision: String, Codable, Equatable, Sendable {
    case covid, normal, undetermined
}

/// The slices of one patient that the selection kept, with the classifier's COVID probability.
public struct PatientSlices: Codable, Equatable, Sendable {
    public let patientID: String
    public let truth: ClassLabel
    /// P(COVID) per selected slice.
    public let covidProbabilities: [Double]

    public init(patientID: String, truth: ClassLabel, covidProbabilities: [Double]) {
        self.patientID = patientID; self.truth = truth; self.covidProbabilities = covidProbabilities
    }

    /// Selected slices classified COVID (argmax of the two-class softmax: P(COVID) > 0.5).
    public var covidSlices: Int { covidProbabilities.filter(ClassDecision.isCovid).count }

    /// Applies `rule`.
    public func decide(_ rule: PatientRule) -> PatientDecision {
        let n = covidProbabilities.count
        guard n > 0 else { return .undetermined }
        let covid: Bool
        switch rule {
        case .moreThanSlices(let k): covid = covidSlices > k
        case .atLeastFraction(let f): covid = Double(covidSlices) >= f * Double(n)
        case .meanProbability(let p): covid = covidProbabilities.reduce(0, +) / Double(n) >= p
        case .topKMean(let k, let p):
            let top = covidProbabilities.sorted(by: >).prefix(max(1, k))
            covid = top.reduce(0, +) / Double(top.count) >= p
        }
        return covid ? .covid : .normal
    }
}

/// Patient counts of Tables 5 and 6 for one fold and model.
public struct PatientCounts: Codable, Equatable, Sendable {
    public var covidCorrect = 0, covidWrong = 0, normalCorrect = 0, normalWrong = 0
    public var covidUndetermined = 0, normalUndetermined = 0

    public init() {}

    /// Tallies the decisions of `patients` under `rule`.
    public init(_ patients: [PatientSlices], rule: PatientRule) {
        for p in patients {
            switch (p.truth, p.decide(rule)) {
            case (.covid, .covid): covidCorrect += 1
            case (.covid, .normal): covidWrong += 1
            case (.normal, .normal): normalCorrect += 1
            case (.normal, .covid): normalWrong += 1
            case (.covid, .undetermined): covidUndetermined += 1
            case (.normal, .undetermined): normalUndetermined += 1
            }
        }
    }

    public var correct: Int { covidCorrect + normalCorrect }
    public var wrong: Int { covidWrong + normalWrong }
    public var undetermined: Int { covidUndetermined + normalUndetermined }
    /// Patient accuracy over determined patients.
    public var accuracy: Double { correct + wrong == 0 ? .nan : Double(correct) / Double(correct + wrong) }
    public var sensitivity: Double { covidCorrect + covidWrong == 0 ? .nan : Double(covidCorrect) / Double(covidCorrect + covidWrong) }
    public var specificity: Double { normalCorrect + normalWrong == 0 ? .nan : Double(normalCorrect) / Double(normalCorrect + normalWrong) }
}

/// One point of the threshold sweep: the patient measures when threshold 2's fraction is `fraction`.
public struct ThresholdSweepPoint: Codable, Equatable, Sendable {
    public let fraction: Double
    public let counts: PatientCounts
    public var accuracy: Double { counts.accuracy }
    public var sensitivity: Double { counts.sensitivity }
    public var specificity: Double { counts.specificity }
}

public enum ThresholdSweep {
    /// Patient accuracy, sensitivity and specificity as the fraction of selected slices that
    /// must be COVID goes from 0 to `maximum` in `steps` equal steps (the paper tries 0 slices
    /// and 0.1; this shows the whole curve).
    public static func run(_ patients: [PatientSlices], maximum: Double = 0.5, steps: Int = 50) -> [ThresholdSweepPoint] {
        (0...steps).map { i in
            let f = maximum * Double(i) / Double(steps)
            return ThresholdSweepPoint(fraction: f, counts: PatientCounts(patients, rule: .atLeastFraction(f)))
        }
    }
}
