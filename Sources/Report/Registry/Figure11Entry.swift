import Analysis
import Foundation
import Plots

/// Fig. 11: training and validation accuracy per epoch of the three networks (fold 1), from the
/// `train` stage's histories.
public struct Figure11Entry: ReportEntry {
    public let id = EntryID(.figure, 11)
    public let stages = [TrainStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dir = inputs.stage(TrainStage.name)
        let fig = Figure(width: 12, height: 8.8, dpi: 100)
        fig.title = "Accuracy per epoch: fold 1 (top, as the paper shows) and the mean over folds with the min–max range (bottom)"
        let train = fig.addAxes(row: 0, col: 0), val = fig.addAxes(row: 0, col: 1)
        let trainMean = fig.addAxes(row: 1, col: 0), valMean = fig.addAxes(row: 1, col: 1)
        var rows: [[String]] = []
        for (m, model) in ModelKind.allCases.enumerated() {
            let color = Color.cycle(m)
            let h = try TrainStage.history(from: dir, model: model, fold: 1)
            let epochs = h.records.map { Double($0.epoch) }
            train.line(x: epochs, y: h.records.map(\.trainAccuracy), label: model.rawValue, color: color, marker: .circle)
            val.line(x: epochs, y: h.records.map(\.validationAccuracy), label: model.rawValue, color: color, marker: .circle)
            // Every fold's history, for the mean and the band (folds that exist in this run).
            var histories: [TrainingHistory] = []
            for fold in 1...max(1, inputs.preset.folds) {
                if let other = try? TrainStage.history(from: dir, model: model, fold: fold) { histories.append(other) }
            }
            let n = histories.map(\.records.count).min() ?? 0
            if n > 0 {
                let x = (0..<n).map { Double(histories[0].records[$0].epoch) }
                for (ax, path) in [(trainMean, TrainingRecordPath.train), (valMean, TrainingRecordPath.validation)] {
                    let values = (0..<n).map { e in histories.map { path.value($0.records[e]) } }
                    ax.fillBetween(x: x, lower: values.map { $0.min()! }, upper: values.map { $0.max()! }, color: color, alpha: 0.18)
                    ax.line(
                        x: x, y: values.map { $0.reduce(0, +) / Double($0.count) },
                        label: "\(model.rawValue) (\(histories.count) folds)", color: color, marker: .circle)
                }
            }
            for r in h.records {
                rows.append([
                    model.rawValue, "\(r.epoch)", String(format: "%.4f", r.trainAccuracy), String(format: "%.4f", r.validationAccuracy),
                    String(format: "%.4f", r.trainLoss), String(format: "%.4f", r.validationLoss)
                ])
            }
        }
        // A network whose training loss never left ln 2 has not started to learn in this budget.
        var stuck: [String] = []
        for model in ModelKind.allCases {
            if let h = try? TrainStage.history(from: dir, model: model, fold: 1), !h.records.isEmpty,
                h.records.allSatisfy({ abs($0.trainLoss - log(2)) < 0.01 })
            {
                stuck.append(model.rawValue)
            }
        }
        let epochTicks = (1...max(1, inputs.preset.training.epochs)).map(Double.init)
        for (ax, title) in [
            (train, "Training accuracy, fold 1"), (val, "Validation accuracy, fold 1"),
            (trainMean, "Training accuracy, mean of folds"), (valMean, "Validation accuracy, mean of folds")
        ] {
            ax.title = title; ax.xLabel = "Epoch"; ax.yLabel = "Accuracy"; ax.grid = true
            if epochTicks.count <= 20 { ax.xTicks = epochTicks }
        }
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        let csv = PaperCSV.render(
            header: ["network", "epoch", "train_accuracy", "validation_accuracy", "train_loss", "validation_loss"], rows: rows)
        return BuiltEntry(
            table: ReportTable(header: ["Network", "Epoch", "Train acc.", "Val. acc.", "Train loss", "Val. loss"], rows: rows),
            files: ["figures/fig11.png": png, "figures/fig11.svg": svg, "figures/fig11.csv": Data(csv.utf8)],
            images: [
                EntryImage(
                    png: "figures/fig11.png", svg: "figures/fig11.svg",
                    alt: "Training and validation accuracy per epoch of the three networks")
            ],
            notes: stuck.map { Prose.text("Figure11Entry.1", ["\($0)", "\(inputs.preset.training.epochs)"]) } + [
                "The paper's Fig. 11 shows 20 epochs (Table 3 says 50); this run trains \(inputs.preset.training.epochs) epochs of reduced networks, so the curves show the procedure, not the paper's convergence."
            ])
    }
}

/// Which accuracy of an epoch record a panel shows.
private enum TrainingRecordPath {
    case train, validation
    func value(_ r: EpochRecord) -> Double { self == .train ? r.trainAccuracy : r.validationAccuracy }
}
