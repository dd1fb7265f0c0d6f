import Foundation

/// The version of the code behind each stage, part of every stage's key (`StageKey`).
///
/// When a change to a stage's code changes what it writes — a fixed bug in the evaluation, a
/// new column, another rendering — raise that stage's number here. The next `paper-repro all`
/// then recomputes that stage and everything downstream of it, says so ("code version 1 → 2"),
/// and reuses everything else. Stages are named by family: `train` covers every
/// `train-<model>[-<slices>]-fold<k>` stage. Version 1 adds nothing to a key.
public enum StageCodeVersions {
    public static let versions: [String: Int] = [
        "twin": 4, "index": 1, "patient-counts": 1, "parameters": 1, "selection": 1, "selection-validation": 1,
        "folds": 1, "train": 2, "evaluate": 1, "identify": 1, "gradcam": 2, "timing": 1, "input-scaling": 2,
        "shortcut": 1, "metadata-baseline": 1, "series-balance": 1
    ]

    /// The family of a stage name: `train-fpn-fold3` → `train`; other names are their own.
    public static func family(of stage: String) -> String {
        stage.hasPrefix("train-") ? "train" : stage
    }

    /// The version of `stage`'s code (1 for a stage not listed).
    public static func version(for stage: String) -> Int {
        versions[family(of: stage)] ?? 1
    }
}
