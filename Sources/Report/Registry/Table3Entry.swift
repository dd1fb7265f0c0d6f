import Analysis
import Foundation

/// Table 3: the training parameters, the paper's beside the ones this run trained with.
///
/// The learning rate, schedule, batch size, epochs, augmentation and scale are the ones the
/// trainings recorded (the `train` stage's `TrainStage.Output`, the FPN on the first fold);
/// when the trainings have not run, the preset's (`parameters` stage), which are what every
/// training is built from (`TrainStage.config(_:preset:)`), with a note. The optimizer, loss
/// and folds come from the `parameters` stage. Configuration values compare whatever the data
/// source.
public struct Table3Entry: ReportEntry {
    public let id = EntryID(.table, 3)
    public let stages = [ParametersStage.name]
    public let cachedStages = [TrainStage.name]

    public init() {}

    /// The values Table 3 shows for one training.
    struct Shown: Equatable {
        var learningRate: Double, schedule: LearningRateSchedule, batchSize: Int, epochs: Int
        var augmentation: AugmentationParameters, scale: ModelScale

        init(_ c: TrainingConfig) {
            learningRate = c.learningRate; schedule = c.schedule; batchSize = c.batchSize; epochs = c.epochs
            augmentation = c.augmentation; scale = c.scale
        }
    }

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let used = try ParametersStage.read(from: inputs.stage(ParametersStage.name))
        guard let paper = inputs.paper.table3.first(where: { $0.network == PaperNetwork.fpn }) else {
            throw ReportError.badTable(file: "table3_training_parameters.csv", reason: "no \(PaperNetwork.fpn) row")
        }
        let fromPreset = Shown(TrainStage.config(.resnet50v2FPN, preset: inputs.preset))
        let trained = try inputs.stages[TrainStage.name].map { try TrainStage.read(from: $0.directory) }
        let recorded = trained?.trainings.map { Shown($0.config) }
        let shown = recorded?.first ?? fromPreset
        var provenance: [String] = []
        if recorded == nil {
            provenance.append("The trainings have not run: the values are the preset's, from which every training is built.")
        } else if recorded!.contains(where: { $0 != shown }) {
            provenance.append("The trainings recorded different values; the table shows the first (the FPN on fold 1).")
        } else if shown != fromPreset {
            provenance.append("The trainings recorded values that differ from the preset's; the table shows the recorded ones.")
        }
        let t = shown, m = shown.scale, a = shown.augmentation
        func percent(_ x: Double) -> String { NumberFormat.plain(x * 100) + "%" }
        let rotation = a.rotationRangeDegrees >= 360 ? "0 - 360 degree" : "0 - \(NumberFormat.plain(a.rotationRangeDegrees)) degree"
        let flipping =
            switch (a.horizontalFlip, a.verticalFlip) {
            case (true, true): "Yes"
            case (true, false): "Horizontal only"
            case (false, true): "Vertical only"
            case (false, false): "No"
            }
        let shifting =
            a.widthShiftFraction == a.heightShiftFraction
            ? percent(a.widthShiftFraction)
            : "\(percent(a.widthShiftFraction)) / \(percent(a.heightShiftFraction))"
        let rows: [[String]] = [
            ["Learning rate", paper.learningRate, Table3Entry.scientific(t.learningRate)],
            [
                "Learning-rate schedule (not in Table 3)", "constant (Keras's default)",
                t.schedule == .constant ? "constant" : "\(t.schedule.rawValue), to zero over the run"
            ],
            ["Batch size", paper.batchSize, "\(t.batchSize)"],
            ["Optimizer", paper.optimizer, used.training.optimizer],
            ["Loss function", paper.lossFunction, used.training.loss],
            ["Epochs", paper.epochs, "\(t.epochs)"],
            ["Horizontal / vertical flipping", paper.flipping, flipping],
            ["Zoom range", paper.zoomRange, percent(a.zoomRange)],
            ["Rotation range", paper.rotationRange, rotation],
            ["Width / height shifting", paper.widthHeightShifting, shifting],
            ["Shift range", paper.shiftRange, percent(a.widthShiftFraction)],
            ["Input size (§2.1, not in Table 3)", "512 × 512", "\(m.inputSize) × \(m.inputSize)"],
            ["Backbone width multiplier (not in Table 3)", "1", NumberFormat.plain(m.widthMultiplier)],
            ["FPN features (not stated)", "—", "\(m.fpnFeatures)"],
            ["Folds (§2.4, not in Table 3)", "5", "\(used.folds)"]
        ]
        let table = ReportTable(header: ["Parameter", "Paper (all three networks)", "This run"], rows: rows)
        let csv = PaperCSV.render(header: ["parameter", "paper", "this_run"], rows: rows)

        var comparisons: [Comparison] = []
        func number(_ key: String, _ name: String, _ paperText: String, _ ours: Double) {
            guard let p = Double(paperText.replacingOccurrences(of: "%", with: "")) else { return }
            let scale = paperText.hasSuffix("%") ? 100.0 : 1.0
            comparisons.append(
                .numeric(
                    key: key, quantity: name, paper: p, ours: ours * scale, tolerance: .exact,
                    dependsOnData: false, syntheticData: inputs.dataSource.isSynthetic, decimals: 6))
        }
        number("learning_rate", "Learning rate", paper.learningRate, t.learningRate)
        number("batch_size", "Batch size", paper.batchSize, Double(t.batchSize))
        comparisons.append(.text(key: "optimizer", quantity: "Optimizer", paper: paper.optimizer, ours: used.training.optimizer))
        number("epochs", "Epochs", paper.epochs, Double(t.epochs))
        comparisons.append(.text(key: "flipping", quantity: "Flipping", paper: paper.flipping, ours: flipping))
        number("zoom_range", "Zoom range (%)", paper.zoomRange, a.zoomRange)
        comparisons.append(.text(key: "rotation_range", quantity: "Rotation range", paper: paper.rotationRange, ours: rotation))
        number("shift_range", "Shift range (%)", paper.shiftRange, a.widthShiftFraction)
        number("input_size", "Input size (px)", "512", Double(m.inputSize))
        number("width_multiplier", "Backbone width multiplier", "1", m.widthMultiplier)
        number("folds", "Folds", "5", Double(used.folds))

        var notes =
            [
                "The paper gives \(paper.epochs) epochs here and in §2.4, but §3.1 and the caption of Fig. 11 show accuracy \"in 20 epochs\"; this run trains for \(t.epochs) epochs as its preset (`\(inputs.preset.name)`) says.",
                "The loss is printed \"\(paper.lossFunction)\" in the paper (a typo for categorical cross-entropy); this run uses \(used.training.loss)."
            ] + provenance
        for d in inputs.preset.deviations ?? [] { notes.append("Departure of the `\(inputs.preset.name)` preset from the paper: \(d)") }
        let networks = Set(inputs.paper.table3.map { [$0.learningRate, $0.batchSize, $0.optimizer, $0.epochs].joined(separator: "|") })
        if networks.count == 1 { notes.append("The paper uses the same parameters for all three networks, and so does this run.") }
        return BuiltEntry(table: table, files: ["tables/table3.csv": Data(csv.utf8)], comparisons: comparisons, notes: notes)
    }

    /// `0.0001` -> `1e-4`; values that are not a power of ten keep their plain form.
    static func scientific(_ x: Double) -> String {
        guard x > 0 else { return NumberFormat.plain(x) }
        let e = log10(x).rounded()
        return abs(pow(10, e) - x) < 1e-15 * max(1, x) && e < -2 ? "1e\(Int(e))" : NumberFormat.plain(x, maxDecimals: 8)
    }
}
