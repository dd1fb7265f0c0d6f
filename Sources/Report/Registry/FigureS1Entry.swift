import Analysis
import Foundation
import Plots

/// Fig. S1 (not in the paper): the selection algorithm against the twin's ground truth as the
/// dark value and the divisor vary — precision and recall of "selected" versus "lung open" and
/// the share of the expert-labelled slices kept, one heatmap each, the paper's (300, 1.5) boxed.
public struct FigureS1Entry: ReportEntry {
    public let id = EntryID.supplement(.figure, 1)
    public let stages = [SelectionValidationStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let rows = try SelectionValidationStage.read(from: inputs.stage(SelectionValidationStage.name))
        let grid = rows.filter { $0.rule == SelectionParameters.paper.rule }
        let darks = SelectionValidationStage.darkValues, divisors = SelectionValidationStage.divisors
        let fig = Figure(width: 15, height: 4.6, dpi: 100)
        fig.title = "Selection vs. ground truth on the twin (rows: dark value; columns: divisor; box: the paper's 300, 1.5)"
        let measures: [(String, KeyPath<SelectionValidationStage.Row, Double?>)] =
            [
                ("Precision (selected → lung open)", \.precision), ("Recall (lung open → selected)", \.recall),
                ("Labelled slices kept", \.labelledKept)
            ]
        for (k, (title, path)) in measures.enumerated() {
            var values: [[Double]] = [], text: [[String]] = []
            for d in darks {
                let cells = divisors.map { v in grid.first { $0.darkValue == d && $0.divisor == v }?[keyPath: path] ?? .nan }
                values.append(cells)
                text.append(cells.map { $0.isFinite ? String(format: "%.3f", $0) : "—" })
            }
            let ax = fig.addAxes(row: 0, col: k)
            ax.heatmap(
                values, rowLabels: darks.map(String.init), columnLabels: divisors.map { NumberFormat.plain($0) },
                colormap: .viridis, range: 0...1, cellText: text, colorbar: k == measures.count - 1)
            ax.title = title
            ax.xLabel = "Divisor"
            ax.yLabel = k == 0 ? "Dark value (stored)" : nil
            if let r = darks.firstIndex(of: 300), let c = divisors.firstIndex(of: 1.5) {
                ax.rectangle(x: Double(c) - 0.5, y: Double(r) - 0.5, width: 1, height: 1, color: .pureRed)
            }
        }
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        var notes = [
            "Computed on the synthetic twin, whose phantoms record for every slice whether the lung is open in the selection region; the real COVID-CTset has no such truth, which is why the paper could not measure this."
        ]
        if let paper = rows.first(where: \.isPaper), let p = paper.precision, let r = paper.recall, let k = paper.labelledKept {
            notes.append(
                "At the paper's parameters: precision \(String(format: "%.3f", p)), recall \(String(format: "%.3f", r)), \(String(format: "%.1f", k * 100))% of the labelled slices kept, over \(NumberFormat.grouped(paper.slices)) slices."
            )
            if let c = paper.covidLabelledKept, let n = paper.normalLabelledKept {
                notes.append(Prose.text("FigureS1Entry.1", ["\(String(format: "%.1f", c * 100))", "\(String(format: "%.1f", n * 100))"]))
            }
        }
        return BuiltEntry(
            table: nil,
            files: ["figures/figS1.png": png, "figures/figS1.svg": svg],
            images: [
                EntryImage(
                    png: "figures/figS1.png", svg: "figures/figS1.svg",
                    alt: "Heatmaps of the selection's precision, recall and labelled slices kept over dark values and divisors")
            ],
            notes: notes)
    }
}
