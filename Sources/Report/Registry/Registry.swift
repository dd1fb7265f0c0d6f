import Analysis
import Foundation

/// Every figure and table of the paper, in the paper's order, each reproduced or pending.
///
/// Adding a reproduction: write `Entries/<Slug>Entry.swift` with a `ReportEntry` and replace
/// its `PendingEntry` line below. Stages an entry names must be defined in `ReportStages`.
public enum Registry {
    /// The paper's twenty entries, figures 1-12 then tables 1-8, then the report's own (S1, …).
    public static let entries: [any ReportEntry] = [
        Figure1Entry(),
        Figure2Entry(),
        Figure3Entry(),
        Figure4Entry(),
        Figure5Entry(),
        Figure6Entry(),
        Figure7Entry(),
        Figure8Entry(),
        Figure9Entry(),
        Figure10Entry(),
        Figure11Entry(),
        Figure12Entry(),
        Table1Entry(),
        Table2Entry(),
        Table3Entry(),
        Table4Entry(),
        Table5Entry(),
        Table6Entry(),
        Table7Entry(),
        Table8Entry(),
        TableS5Entry(),
        FigureS1Entry(),
        TableS1Entry(),
        FigureS2Entry(),
        TableS2Entry(),
        TableS3Entry(),
        FigureS3Entry(),
        TableS4Entry(),
        TableS6Entry(),
        FigureS4Entry(),
        TableS7Entry(),
        TableS8Entry(),
        TableS9Entry(),
        TableS10Entry(),
        TableS11Entry(),
        TableS12Entry(),
        TableS13Entry(),
    ]

    /// The dataset audit's entries, in the order of their section ("Dataset audit", after
    /// "Beyond the paper"): where the labels come from, repeated labels, leakage, and on the twin
    /// what the networks look at (counterfactual), the metadata-only baseline and the metrics
    /// by series and thickness.
    public static let datasetAudit: [EntryID] = [
        .supplement(.table, 6), .supplement(.figure, 4), .supplement(.table, 7),
        .supplement(.table, 8), .supplement(.table, 9), .supplement(.table, 10),
        .supplement(.table, 11), .supplement(.table, 12), .supplement(.table, 13),
    ]

    /// The entry for `id`.
    /// - Throws: `ReportError.unknownEntry` when the paper has no such figure or table.
    public static func entry(_ id: EntryID) throws -> any ReportEntry {
        guard let e = entries.first(where: { $0.id == id }) else {
            throw ReportError.unknownEntry(label: id.label)
        }
        return e
    }
}

/// The stages the report knows how to run, for a preset.
public enum ReportStages {
    /// Inputs up to this size train two networks side by side (`StageRunner.concurrency`): on
    /// the default scale (96 px) a training step on one core takes 1.2× its time on two, so two
    /// trainings at once finish in 0.6× the time (`paper-repro bench models --small`).
    public static let sideBySideTrainingMaxInput = 128

    /// Every stage that can run for `preset`. An entry whose stages are not all here is
    /// reported as pending, with the reason from `unavailable`.
    /// With `strictData`, the index stage fails on any data problem (`DatasetReader.Options.strict`).
    public static func definitions(preset: Preset, dataSource: DataSourceIdentity, strictData: Bool = false) throws -> [StageDefinition] {
        var stages = [ParametersStage.definition(preset: preset), try PatientCountsStage.definition()]
        if dataSource.isSynthetic {
            stages.append(try TwinStage.definition(preset: preset))
            stages.append(IndexStage.definition(location: .upstream(stage: TwinStage.name, subfolder: TwinStage.folder),
                                                identity: dataSource, strict: strictData))
        } else if let root = dataSource.path {
            stages.append(IndexStage.definition(location: .path(root), identity: dataSource, strict: strictData))
        }
        if stages.contains(where: { $0.name == IndexStage.name }) {
            stages.append(SelectionStage.definition())
            if dataSource.isSynthetic { stages.append(SelectionValidationStage.definition()) }
            stages.append(FoldsStage.definition(folds: preset.folds, seed: preset.seed))
            stages.append(contentsOf: TrainStage.definitions(preset: preset))
            stages.append(EvaluateStage.definition(preset: preset))
            stages.append(IdentifyStage.definition(preset: preset))
            stages.append(GradCAMStage.definition(preset: preset))
            stages.append(contentsOf: SeriesBalanceStage.trainingDefinitions(preset: preset))
            stages.append(SeriesBalanceStage.definition(preset: preset))
            if dataSource.isSynthetic { stages.append(ShortcutStage.definition(preset: preset)) }
            stages.append(MetadataBaselineStage.definition())
            stages.append(InputScalingStage.definition(preset: preset))
            stages.append(TimingStage.definition(preset: preset, targets: preset.timing?.targets ?? TimingStage.paperTargets,
                                                 repeats: preset.timing?.repeats ?? 3))
        }
        return stages
    }

    /// Why a stage that is not defined for `preset` cannot run.
    public static func unavailable(_ stage: String, dataSource: DataSourceIdentity) -> String {
        if stage == ShortcutStage.name && !dataSource.isSynthetic {
            return "needs the synthetic twin, which can render a slice again without its lesions; a real patient's lesions cannot be removed"
        }
        if stage == TwinStage.name && !dataSource.isSynthetic {
            return "needs the synthetic twin's ground truth (the real dataset has no lesion masks or severity scores)"
        }
        if stage == SelectionValidationStage.name && !dataSource.isSynthetic {
            return "needs per-slice ground truth (lung open or closed), which only the synthetic twin has"
        }
        return "the `\(stage)` stage is not available yet"
    }
}
