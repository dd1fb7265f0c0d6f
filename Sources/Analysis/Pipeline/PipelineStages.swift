import Foundation
import NeuralNet

/// The stage graph: every stage the pipeline can run for a preset and data source, from the
/// twin (or the real dataset's index) to the trainings and their evaluations. The report reads
/// these stages' outputs; `paper-repro train` runs one of them directly.
public enum PipelineStages {
    /// Inputs up to this size run two stages side by side (`StageRunner.concurrency`): on the
    /// default scale (96 px) a training step on one core takes 1.2× its time on two, so two
    /// trainings at once finish in 0.6× the time (`paper-repro bench models --small`); the
    /// evaluations after them gain the same way.
    public static let sideBySideTrainingMaxInput = 128

    /// Every stage that can run for `preset`. An entry whose stages are not all here is
    /// reported as pending, with the reason from `unavailable`.
    /// With `strictData`, the index stage fails on any data problem (`DatasetReader.Options.strict`).
    public static func definitions(preset: Preset, dataSource: DataSourceIdentity, strictData: Bool = false) throws -> [StageDefinition] {
        var stages = [ParametersStage.definition(preset: preset), try PatientCountsStage.definition()]
        if dataSource.isSynthetic {
            stages.append(try TwinStage.definition(preset: preset))
            stages.append(
                IndexStage.definition(
                    location: .upstream(stage: TwinStage.name, subfolder: TwinStage.folder),
                    identity: dataSource, strict: strictData, patientSubset: preset.data.patientSubset))
        } else if let root = dataSource.path {
            stages.append(
                IndexStage.definition(
                    location: .path(root), identity: dataSource, strict: strictData,
                    patientSubset: preset.data.patientSubset))
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
            stages.append(
                TimingStage.definition(
                    preset: preset, targets: preset.timing?.targets ?? TimingStage.paperTargets,
                    repeats: preset.timing?.repeats ?? 3))
        }
        return stages
    }

    /// The stage graph as a Mermaid flowchart (for ARCHITECTURE.md): one node per stage, an
    /// arrow from each upstream stage; the per-fold stages of one kind (`…-fold1` … `…-fold5`)
    /// are drawn as one node `…-fold1…5`.
    public static func mermaid(preset: Preset, dataSource: DataSourceIdentity) throws -> String {
        let folds = max(preset.folds, 1)
        func node(_ name: String) -> String {
            guard let range = name.range(of: #"-fold[0-9]+$"#, options: .regularExpression) else { return name }
            return name.replacingCharacters(in: range, with: folds == 1 ? "-fold1" : "-fold1…\(folds)")
        }
        func id(_ name: String) -> String {
            String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        }
        let stages = try definitions(preset: preset, dataSource: dataSource)
        var nodes: [String] = [], edges: [String] = []
        for stage in stages {
            let to = node(stage.name)
            if !nodes.contains(to) { nodes.append(to) }
            for upstream in stage.upstream {
                let edge = "    \(id(node(upstream))) --> \(id(to))"
                if !edges.contains(edge) { edges.append(edge) }
            }
        }
        let lines = nodes.map { "    \(id($0))[\"\($0)\"]" }
        return (["flowchart TD"] + lines + edges).joined(separator: "\n") + "\n"
    }

    /// Why a stage that is not defined for `preset` cannot run.
    public static func unavailable(_ stage: String, dataSource: DataSourceIdentity) -> String {
        if stage == ShortcutStage.name && !dataSource.isSynthetic {
            return
                "needs the synthetic twin, which can render a slice again without its lesions; a real patient's lesions cannot be removed"
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

/// Runs the pipeline's stages for one preset through the stage cache.
public enum Pipeline {
    /// A stage runner for `preset` with every stage of `PipelineStages` registered, under
    /// `<runsDirectory>/<preset>/`. `replacing` supplies definitions used in place of the
    /// pipeline's own of the same names (e.g. a training stage that shows its progress); a
    /// replacement must keep the configuration and upstream, so the same key.
    /// - Parameters:
    ///   - versions: library and compiler versions recorded in each stage's record.
    ///   - force: recompute every stage asked for, even when cached.
    ///   - strictData: make any data problem fatal (`DatasetReader.Options.strict`).
    ///   - sharedCache: share the cache with other processes on purpose (`StageRunner.sharedCache`).
    public static func runner(
        preset: Preset, runsDirectory: URL, versions: [String: String], force: Bool = false,
        strictData: Bool = false, sharedCache: Bool = false, replacing: [StageDefinition] = [],
        onEvent: @escaping (StageEvent) -> Void = { _ in }
    ) throws -> StageRunner {
        let runner = StageRunner(
            root: runsDirectory.appendingPathComponent(preset.name), presetSeed: preset.seed,
            versions: versions, force: force, onEvent: onEvent)
        runner.sharedCache = sharedCache
        // Small networks: two stages side by side, one core each, beat one stage on two. The
        // timing stage measures speed, so it runs alone.
        runner.isConcurrent = { $0 != TimingStage.name }
        runner.priority = { $0.hasPrefix("train-") ? 1 : 0 }
        runner.concurrency = preset.model.inputSize <= PipelineStages.sideBySideTrainingMaxInput ? min(2, Parallel.threads) : 1
        for definition in try PipelineStages.definitions(
            preset: preset, dataSource: try DataSourceIdentity.of(preset),
            strictData: strictData)
        {
            if let replacement = replacing.first(where: { $0.name == definition.name }) {
                precondition(
                    replacement.configuration == definition.configuration && replacement.upstream == definition.upstream,
                    "a replacement of stage '\(definition.name)' must keep its configuration and upstream")
                runner.register(replacement)
            } else {
                runner.register(definition)
            }
        }
        return runner
    }
}
