import Analysis
import Foundation

/// What one fold of the paper's Table 2 implies about the rows of `all.csv` that repeat a
/// normal slice under a second batch folder (`LabelSources.repeats`).
///
/// When a fold's normal training + test images equal all normal rows of `all.csv` with the
/// repeats, every repeat is counted on one side. The training side holds at most
/// ⌊train × s⌋ of them, s being the largest share of repeats among one patient's rows
/// (`LabelSources.maxRepeatShare`), so the test side holds at least the rest.
struct PaperRepeats: Equatable {
    let fold: Int
    let trainNormal: Int
    let testNormal: Int
    /// train + test equals all normal rows, repeats included.
    let countsRepeats: Bool
    /// Repeats in the test set, at least and at most (nil when `countsRepeats` is false).
    let testRepeats: ClosedRange<Int>?

    /// One value per fold of `table2`.
    static func of(_ table2: [PaperFoldSplit], sources: LabelSources) -> [PaperRepeats] {
        let rows = sources.tally(.normal).images, repeats = sources.repeats.filter { $0.slice.label == .normal }.count
        let share = sources.maxRepeatShare(.normal)
        return table2.sorted { $0.fold < $1.fold }.map { s in
            let counts = s.trainNormalImages + s.testNormalImages == rows && repeats > 0
            let atMostInTraining = Int((Double(s.trainNormalImages) * share).rounded(.down))
            let range = counts ? max(0, repeats - atMostInTraining)...min(repeats, s.testNormalImages) : nil
            return PaperRepeats(
                fold: s.fold, trainNormal: s.trainNormalImages, testNormal: s.testNormalImages,
                countsRepeats: counts, testRepeats: range)
        }
    }
}
