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
        let fig = Figure(width: 12, height: 4.4, dpi: 100)
        fig.title = "Accuracy per epoch, fold 1"
        let train = fig.addAxes(row: 0, col: 0), val = fig.addAxes(row: 0, col: 1)
        var rows: [[String]] = []
        for model in ModelKind.allCases {
            let h = try TrainStage.history(from: dir, model: model, fold: 1)
            let epochs = h.records.map { Double($0.epoch) }
            train.line(x: epochs, y: h.records.map(\.trainAccuracy), label: model.rawValue, marker: .circle)
            val.line(x: epochs, y: h.records.map(\.validationAccuracy), label: model.rawValue, marker: .circle)
            for r in h.records {
                rows.append([model.rawValue, "\(r.epoch)", String(format: "%.4f", r.trainAccuracy), String(format: "%.4f", r.validationAccuracy),
                             String(format: "%.4f", r.trainLoss), String(format: "%.4f", r.validationLoss)])
            }
        }
        let epochTicks = (1...max(1, inputs.preset.training.epochs)).map(Double.init)
        for (ax, title) in [(train, "Training accuracy"), (val, "Validation accuracy")] {
            ax.title = title; ax.xLabel = "Epoch"; ax.yLabel = "Accuracy"; ax.grid = true
            if epochTicks.count <= 20 { ax.xTicks = epochTicks }
        }
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        let csv = PaperCSV.render(header: ["network", "epoch", "train_accuracy", "validation_accuracy", "train_loss", "validation_loss"], rows: rows)
        return BuiltEntry(table: ReportTable(header: ["Network", "Epoch", "Train acc.", "Val. acc.", "Train loss", "Val. loss"], rows: rows),
                          files: ["figures/fig11.png": png, "figures/fig11.svg": svg, "figures/fig11.csv": Data(csv.utf8)],
                          images: [EntryImage(png: "figures/fig11.png", svg: "figures/fig11.svg",
                                              alt: "Training and validation accuracy per epoch of the three networks")],
                          notes: ["The paper's Fig. 11 shows 20 epochs (Table 3 says 50); this run trains \(inputs.preset.training.epochs) epochs of reduced networks, so the curves show the procedure, not the paper's convergence."])
    }
}
