import Foundation

/// A receiver operating characteristic curve of COVID scores (softmax probability of COVID).
public struct ROCCurve: Codable, Equatable, Sendable {
    /// Points (false-positive rate, true-positive rate) from (0,0) to (1,1), thresholds descending.
    public let falsePositiveRate: [Double]
    public let truePositiveRate: [Double]
    /// Area under the curve by the trapezoidal rule (ties handled as one step, so it equals the
    /// Mann–Whitney probability that a COVID image outscores a normal one, ties counting ½).
    public let auc: Double

    /// Builds the curve from scores and truths. Needs at least one image of each class.
    public init(scores: [Double], truths: [ClassLabel]) {
        precondition(scores.count == truths.count, "one truth per score")
        let positives = truths.filter { $0 == .covid }.count, negatives = truths.count - positives
        precondition(positives > 0 && negatives > 0, "ROC needs both classes")
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var fpr: [Double] = [0], tpr: [Double] = [0]
        var tp = 0, fp = 0, i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if truths[order[i]] == .covid { tp += 1 } else { fp += 1 }
                i += 1
            }
            fpr.append(Double(fp) / Double(negatives)); tpr.append(Double(tp) / Double(positives))
        }
        var area = 0.0
        for k in 1..<fpr.count { area += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2 }
        falsePositiveRate = fpr; truePositiveRate = tpr; auc = area
    }
}
