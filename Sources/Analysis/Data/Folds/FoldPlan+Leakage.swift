import Foundation

/// The leakage check of one fold, as the dataset audit shows it.
public struct FoldLeakage: Sendable, Equatable {
    /// 1-based fold index.
    public let fold: Int
    /// Patients on both the training and the test side (must be empty).
    public let patientsTrainingAndTesting: [String]
    /// Validation patients that also train (must be empty).
    public let patientsTrainingAndValidating: [String]
    /// Slices of the fold's patients listed more than once in the labels (under two batch folders).
    public let repeatedSlices: Int
    /// Of those, slices with a copy on the training side and a copy on the test side (must be 0).
    public let repeatedSlicesOnBothSides: Int

    /// True when nothing leaks.
    public var isClean: Bool {
        patientsTrainingAndTesting.isEmpty && patientsTrainingAndValidating.isEmpty && repeatedSlicesOnBothSides == 0
    }
}

extension FoldPlan {
    /// Per fold: patients shared between training and test or validation (as `leaks()`), and
    /// whether the copies of a slice listed under two batch folders (`labels`, every row of
    /// `all.csv` with repeats) fall on one side only. A copy's side is that of the patient in
    /// its file name, so a repeated slice splits only when its patient is on both sides.
    public func leakage(labels: [LabelledSlice]) -> [FoldLeakage] {
        let copies = Dictionary(grouping: labels, by: \.key).filter { $0.value.count > 1 }
        return folds.map { f in
            let train = Set(f.trainPatients), test = Set(f.testPatients)
            let mine = copies.filter { train.contains($0.key.patientID) || test.contains($0.key.patientID) }
            // Each copy goes to every side its patient is on.
            let split = mine.values.filter { rows in
                rows.contains { train.contains($0.patientID) } && rows.contains { test.contains($0.patientID) }
            }
            return FoldLeakage(
                fold: f.index,
                patientsTrainingAndTesting: f.testPatients.filter(train.contains),
                patientsTrainingAndValidating: f.validationPatients.filter(train.contains),
                repeatedSlices: mine.count, repeatedSlicesOnBothSides: split.count)
        }
    }
}
