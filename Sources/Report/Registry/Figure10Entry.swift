import Analysis
import Foundation
import Plots

/// Fig. 10: the three networks' confusion matrices averaged over the folds (§3.1), counts and
/// row percentages, from the `evaluate` stage.
public struct Figure10Entry: ReportEntry {
    public let id = EntryID(.figure, 10)
    public let stages = [EvaluateStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try EvaluateStage.read(from: inputs.stage(EvaluateStage.name))
        let fig = Figure(width: 13.5, height: 4.4, dpi: 100)
        fig.title = "Confusion matrices averaged over \(Set(results.map(\.fold)).count) folds"
        var rows: [[String]] = []
        for (i, model) in ModelKind.allCases.enumerated() {
            let mine = results.filter { $0.model == model }
            guard !mine.isEmpty else { continue }
            let total = mine.map(\.counts).reduce(ConfusionCounts(), +)
            let n = Double(mine.count)
            // Rows: truth COVID, normal; columns: predicted COVID, normal (rounded means).
            let matrix = [
                [Int((Double(total.covidTP) / n).rounded()), Int((Double(total.covidFN) / n).rounded())],
                [Int((Double(total.covidFP) / n).rounded()), Int((Double(total.normalTP) / n).rounded())]
            ]
            let ax = fig.addAxes(row: 0, col: i)
            ax.confusionMatrix(matrix, classNames: ["COVID-19", "Normal"], percentOf: .row, colorbar: false)
            ax.title = model.rawValue
            ax.xLabel = "Predicted"
            ax.yLabel = "True"
            rows.append([model.rawValue, "\(matrix[0][0])", "\(matrix[0][1])", "\(matrix[1][0])", "\(matrix[1][1])"])
        }
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        return BuiltEntry(
            table: ReportTable(header: ["Network", "COVID → COVID", "COVID → normal", "normal → COVID", "normal → normal"], rows: rows),
            files: ["figures/fig10.png": png, "figures/fig10.svg": svg],
            images: [
                EntryImage(
                    png: "figures/fig10.png", svg: "figures/fig10.svg",
                    alt: "Confusion matrices of the three networks, averaged over folds")
            ],
            notes: ["Mean counts over the folds of this run's networks; the paper's averaged matrices are in Table 8's Avg rows."])
    }
}
