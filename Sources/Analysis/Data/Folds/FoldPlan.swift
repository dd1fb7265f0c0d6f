import Foundation

/// Where the validation images that choose the checkpoint come from (§2.4).
public enum ValidationSource: String, Codable, CaseIterable, Sendable {
    /// The paper: "part of the testing data has been considered for validating the network after
    /// each epoch" — test data steers model selection (flagged in the report).
    case testSubset = "test-subset"
    /// Held-out training patients instead: the test side stays untouched.
    case trainHoldout = "train-holdout"
}

/// One of the five folds: which patients train, validate and test.
public struct Fold: Codable, Equatable, Sendable {
    /// 1-based, as the paper prints "Fold1".
    public let index: Int
    public let trainPatients: [String]
    public let testPatients: [String]
    /// Patients whose labelled images form the validation set (a subset of the test patients
    /// for `.testSubset`, of held-out former training patients for `.trainHoldout`).
    public let validationPatients: [String]
    public let validationSource: ValidationSource
}

/// Patients and labelled images of one side of a fold, per class (a row of Table 2).
public struct FoldCounts: Codable, Equatable, Sendable {
    public let fold: Int
    public let trainCovidPatients: Int, trainCovidImages: Int, trainNormalPatients: Int, trainNormalImages: Int
    public let testCovidPatients: Int, testCovidImages: Int, testNormalPatients: Int, testNormalImages: Int
}

/// Table 4's data: every slice of every series of a fold's test patients.
public struct FoldTestData: Codable, Equatable, Sendable {
    public let fold: Int
    public let covidImages: Int, covidPatients: Int, normalImages: Int, normalPatients: Int
}

/// The five folds of §2.4 (Table 2).
public struct FoldPlan: Codable, Equatable, Sendable {
    public let folds: [Fold]
    public let seed: UInt64

    /// The paper's COVID test-group sizes for its 95 COVID patients (Table 2).
    public static let paperCovidTestSizes = [18, 23, 18, 14, 22]

    /// Builds the folds.
    /// - COVID patients (sorted, then shuffled with `seed`) are split into five disjoint test
    ///   groups sized in proportion to the paper's 18/23/18/14/22 (largest remainders); the other
    ///   COVID patients train.
    /// - Normal patients are drawn in a seeded order per fold until their labelled images reach
    ///   the COVID training images (the paper: 1,916 normal vs 1,820 COVID in fold 1); all other
    ///   normal patients are test patients.
    /// - Validation: `.testSubset` takes `validationFraction` of the test patients of each class;
    ///   `.trainHoldout` moves that fraction of the training patients of each class out of training.
    public static func make(
        patients: [(id: String, label: ClassLabel)], labelled: [LabelledSlice],
        seed: UInt64, validation: ValidationSource = .testSubset,
        validationFraction: Double = 0.2, folds k: Int = 5
    ) -> FoldPlan {
        precondition(k >= 2, "need at least two folds")
        let images = Dictionary(grouping: labelled, by: \.patientID).mapValues(\.count)
        let covid = patients.filter { $0.label == .covid }.map(\.id).sorted(by: naturalLess)
        let normal = patients.filter { $0.label == .normal }.map(\.id).sorted(by: naturalLess)
        var rng = SplitMix64(seed: seed, stream: "folds/covid")
        let shuffledCovid = covid.shuffled(using: &rng)
        let weights = k == 5 ? paperCovidTestSizes.map(Double.init) : [Double](repeating: 1, count: k)
        let sizes = apportion(shuffledCovid.count, weights: weights)
        var groups: [[String]] = [], start = 0
        for s in sizes { groups.append(Array(shuffledCovid[start..<(start + s)])); start += s }

        var result: [Fold] = []
        for f in 0..<k {
            let testCovid = Set(groups[f])
            var trainCovid = shuffledCovid.filter { !testCovid.contains($0) }
            var nrng = SplitMix64(seed: seed, stream: "folds/normal/\(f + 1)")
            var order = normal.shuffled(using: &nrng)
            var vrng = SplitMix64(seed: seed, stream: "folds/validation/\(f + 1)")
            var heldCovid: [String] = []
            if validation == .trainHoldout {
                let n = Int((Double(trainCovid.count) * validationFraction).rounded())
                heldCovid = Array(trainCovid.shuffled(using: &vrng).prefix(n))
                let held = Set(heldCovid)
                trainCovid.removeAll { held.contains($0) }
            }
            let target = trainCovid.reduce(0) { $0 + (images[$1] ?? 0) }
            var trainNormal: [String] = [], drawn = 0
            while drawn < target, !order.isEmpty {
                let p = order.removeFirst()
                trainNormal.append(p); drawn += images[p] ?? 0
            }
            var heldNormal: [String] = []
            if validation == .trainHoldout {
                // Draw further normal patients for validation so both classes are held out.
                let n = Int((Double(trainNormal.count) * validationFraction).rounded())
                heldNormal = Array(order.prefix(n)); order.removeFirst(min(n, order.count))
            }
            let testNormal = order
            let testPatients = (groups[f] + testNormal).sorted(by: naturalLess)
            let validationPatients: [String]
            switch validation {
            case .testSubset:
                let pick = { (ids: [String]) -> [String] in
                    Array(
                        ids.sorted(by: naturalLess).shuffled(using: &vrng).prefix(
                            max(1, Int((Double(ids.count) * validationFraction).rounded()))))
                }
                validationPatients = (pick(groups[f]) + pick(testNormal)).sorted(by: naturalLess)
            case .trainHoldout:
                validationPatients = (heldCovid + heldNormal).sorted(by: naturalLess)
            }
            result.append(
                Fold(
                    index: f + 1, trainPatients: (trainCovid + trainNormal).sorted(by: naturalLess),
                    testPatients: testPatients, validationPatients: validationPatients,
                    validationSource: validation))
        }
        return FoldPlan(folds: result, seed: seed)
    }

    /// Splits `total` into parts proportional to `weights` by largest remainders.
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        let exact = weights.map { Double(total) * $0 / sum }
        var parts = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { (exact[$0] - Double(parts[$0]), -$0) > (exact[$1] - Double(parts[$1]), -$1) }
        for i in order.prefix(total - parts.reduce(0, +)) { parts[i] += 1 }
        return parts
    }

    // MARK: - Checks and tables

    /// Patients on both the training and the test side of a fold (must be empty), and
    /// validation patients that are training patients (must be empty).
    public func leaks() -> [String] {
        folds.flatMap { f -> [String] in
            let train = Set(f.trainPatients)
            return f.testPatients.filter(train.contains).map { "fold \(f.index): \($0) trains and tests" }
                + f.validationPatients.filter(train.contains).map { "fold \(f.index): \($0) trains and validates" }
        }
    }

    /// Table 2's rows: patients and labelled images per fold, side and class.
    public func table2(labels: [String: ClassLabel], labelled: [LabelledSlice]) -> [FoldCounts] {
        let images = Dictionary(grouping: labelled, by: \.patientID).mapValues(\.count)
        return folds.map { f in
            func side(_ ids: [String], _ c: ClassLabel) -> (Int, Int) {
                let p = ids.filter { labels[$0] == c }
                return (p.count, p.reduce(0) { $0 + (images[$1] ?? 0) })
            }
            let tc = side(f.trainPatients, .covid), tn = side(f.trainPatients, .normal)
            let sc = side(f.testPatients, .covid), sn = side(f.testPatients, .normal)
            return FoldCounts(
                fold: f.index, trainCovidPatients: tc.0, trainCovidImages: tc.1, trainNormalPatients: tn.0,
                trainNormalImages: tn.1, testCovidPatients: sc.0, testCovidImages: sc.1,
                testNormalPatients: sn.0, testNormalImages: sn.1)
        }
    }

    /// Table 4's rows: all slices of all series of each fold's test patients.
    public func table4(dataset: Dataset) -> [FoldTestData] {
        let byID = Dictionary(dataset.patients.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return folds.map { f in
            let test = f.testPatients.compactMap { byID[$0] }
            let c = test.filter { $0.label == .covid }, n = test.filter { $0.label == .normal }
            return FoldTestData(
                fold: f.index, covidImages: c.reduce(0) { $0 + $1.sliceCount }, covidPatients: c.count,
                normalImages: n.reduce(0) { $0 + $1.sliceCount }, normalPatients: n.count)
        }
    }
}
