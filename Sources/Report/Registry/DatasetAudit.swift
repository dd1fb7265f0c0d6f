import Analysis
import Foundation

/// What the dataset-audit entries (Tables S6–S9, Fig. S4) read: the label sources of the run
/// and the fold plan the pipeline used, loaded once per entry from the `index` and `folds`
/// stages.
struct DatasetAudit {
    /// The stages every dataset-audit entry declares.
    static let stages = [IndexStage.name, FoldsStage.name]

    let sources: LabelSources
    let plan: FoldPlan

    /// Loads the sources (`LabelSources.forRun`) and the `folds` stage's plan.
    init(_ inputs: EntryInputs) throws {
        let synthetic = inputs.dataSource.isSynthetic
        let dataset = synthetic ? nil : try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        sources = try LabelSources.forRun(dataset: dataset, synthetic: synthetic)
        plan = try FoldsStage.readPlan(from: inputs.stage(FoldsStage.name))
    }

    /// One sentence naming the files the counts come from.
    var sourceNote: String {
        switch sources.origin {
        case .shipped:
            return Prose.text("DatasetAudit.1", ["\(NumberFormat.grouped(patientCount))"])
        case .dataset:
            return "Source: `all.csv` and `Patient_details.csv` of this run's dataset (`--data`), read as the index stage found them."
        case .index:
            return
                "Source: the labelled slices and series thicknesses of this run's index stage (the dataset has no `all.csv` and `Patient_details.csv` in its root, so rows repeating a slice are not known)."
        }
    }

    /// Patients in the fold plan.
    var patientCount: Int { Set(plan.folds.flatMap { $0.trainPatients + $0.testPatients + $0.validationPatients }).count }

    /// The shortcut check on this plan.
    var shortcuts: [ShortcutCheck.Result] { ShortcutCheck.run(sources, plan: plan) }

    /// `count (share%)`, the share to one decimal (two below 1%).
    static func countShare(_ n: Int, of total: Int) -> String {
        guard total > 0 else { return NumberFormat.grouped(n) }
        return "\(NumberFormat.grouped(n)) (\(percent(Double(n) / Double(total))))"
    }

    /// `85.8%`, or `0.27%` below 1%, `0%` for zero.
    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "—" }
        if share == 0 { return "0%" }
        return NumberFormat.fixed(share * 100, share < 0.01 ? 2 : 1) + "%"
    }

    /// Mean of `values`, nan for none.
    static func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
}
