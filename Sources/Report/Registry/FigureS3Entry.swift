import Analysis
import Foundation
import Plots

/// Fig. S3 (not in the paper): image-level ROC curves of the three networks from the softmax
/// P(COVID), every fold's test images pooled, from the `evaluate` stage.
public struct FigureS3Entry: ReportEntry {
    public let id = EntryID.supplement(.figure, 3)
    public let stages = [EvaluateStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try EvaluateStage.read(from: inputs.stage(EvaluateStage.name))
        let fig = Figure(width: 6.4, height: 5.6, dpi: 100)
        let ax = fig.addAxes()
        ax.title = "ROC, all folds' test images pooled"
        ax.xLabel = "False-positive rate (normal images called COVID-19)"
        ax.yLabel = "True-positive rate (COVID-19 sensitivity)"
        ax.xLimits = 0...1; ax.yLimits = 0...1; ax.grid = true; ax.aspectEqual = true
        var rows: [[String]] = [], csv: [[String]] = []
        for model in ModelKind.allCases {
            let mine = results.filter { $0.model == model }
            let scores = mine.flatMap(\.covidProbabilities), truths = mine.flatMap(\.truths)
            guard Set(truths).count == 2 else {
                rows.append([
                    model.rawValue, "\(scores.count)", "—",
                    mine.map { $0.auc.map { String(format: "%.4f", $0) } ?? "—" }.joined(separator: ", ")
                ])
                continue
            }
            let roc = ROCCurve(scores: scores, truths: truths)
            ax.line(x: roc.falsePositiveRate, y: roc.truePositiveRate, label: "\(model.rawValue) (AUC \(String(format: "%.3f", roc.auc)))")
            rows.append([
                model.rawValue, "\(scores.count)", String(format: "%.4f", roc.auc),
                mine.map { $0.auc.map { String(format: "%.4f", $0) } ?? "—" }.joined(separator: ", ")
            ])
            for (f, t) in zip(roc.falsePositiveRate, roc.truePositiveRate) {
                csv.append([model.rawValue, String(format: "%.6f", f), String(format: "%.6f", t)])
            }
        }
        ax.line(x: [0, 1], y: [0, 1], label: "chance", color: .gray, style: .dashed)
        ax.legendLocation = .lowerRight
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        let file = PaperCSV.render(header: ["network", "false_positive_rate", "true_positive_rate"], rows: csv)
        var notes = [
            "The paper reports only the point at P(COVID) > 0.5 (Table 8); the curve shows every threshold. Pooling the folds mixes five networks per architecture; the per-fold AUCs are listed too."
        ]
        if inputs.dataSource.isSynthetic { notes.append("On the synthetic twin the curves describe phantom lesions, not patients.") }
        return BuiltEntry(
            table: ReportTable(header: ["Network", "Test images", "Pooled AUC", "AUC per fold"], rows: rows),
            files: ["figures/figS3.png": png, "figures/figS3.svg": svg, "figures/figS3.csv": Data(file.utf8)],
            images: [EntryImage(png: "figures/figS3.png", svg: "figures/figS3.svg", alt: "ROC curves of the three networks")],
            notes: notes)
    }
}
