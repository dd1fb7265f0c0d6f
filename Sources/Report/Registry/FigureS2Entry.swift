import Analysis
import Foundation
import Plots

/// Fig. S2 (not in the paper): patient accuracy, sensitivity and specificity as threshold 2's
/// fraction of the selected slices goes from 0 to 0.5, per network, all folds' identified
/// patients pooled; the paper's 0.1 marked.
public struct FigureS2Entry: ReportEntry {
    public let id = EntryID.supplement(.figure, 2)
    public let stages = [IdentifyStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try IdentificationResults(inputs)
        let fig = Figure(width: 15, height: 4.4, dpi: 100)
        fig.title = "Patient identification vs. threshold 2's fraction (all folds pooled)"
        let panels: [(String, KeyPath<ThresholdSweepPoint, Double>)] =
            [
                ("Patient accuracy", \.accuracy), ("Sensitivity (COVID-19 patients)", \.sensitivity),
                ("Specificity (normal patients)", \.specificity)
            ]
        let axes = panels.indices.map { fig.addAxes(row: 0, col: $0) }
        var csv: [[String]] = []
        var best: [String] = []
        for model in ModelKind.allCases {
            let sweep = ThresholdSweep.run(results.patients(model), maximum: 0.5, steps: 50)
            guard !sweep.isEmpty else { continue }
            let x = sweep.map(\.fraction)
            for (k, (_, path)) in panels.enumerated() {
                axes[k].line(x: x, y: sweep.map { $0[keyPath: path] }.map { $0.isNaN ? 0 : $0 }, label: k == 0 ? model.rawValue : nil)
            }
            for p in sweep {
                csv.append([
                    model.rawValue, String(format: "%.2f", p.fraction), "\(p.counts.covidCorrect)", "\(p.counts.covidWrong)",
                    "\(p.counts.normalCorrect)", "\(p.counts.normalWrong)", "\(p.counts.undetermined)",
                    IdentificationResults.rate(p.accuracy), IdentificationResults.rate(p.sensitivity),
                    IdentificationResults.rate(p.specificity)
                ])
            }
            if let top = sweep.filter({ !$0.accuracy.isNaN }).max(by: { $0.accuracy < $1.accuracy }) {
                best.append("\(model.rawValue) \(String(format: "%.4f", top.accuracy)) at f = \(String(format: "%.2f", top.fraction))")
            }
        }
        for (k, (title, _)) in panels.enumerated() {
            let ax = axes[k]
            ax.title = title; ax.xLabel = "Fraction f of the selected slices"; ax.yLabel = k == 0 ? "Rate" : nil
            ax.yLimits = 0...1.02; ax.grid = true
            ax.verticalLine(x: 0.1, label: k == 0 ? "paper: f = 0.1" : nil)
        }
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        let file = PaperCSV.render(
            header: [
                "network", "fraction", "covid_correct", "covid_wrong", "normal_correct", "normal_wrong",
                "undetermined", "accuracy", "sensitivity", "specificity"
            ], rows: csv)
        var notes = [
            "A patient is COVID-19 when the COVID-classified slices are at least f × the selected slices; at f = 0 every patient with a selected slice is called COVID-19. Best patient accuracy: "
                + best.joined(separator: "; ") + " (chosen on the test patients: for orientation, not a tuned threshold)."
        ]
        if let s = IdentificationResults.sampleNote(inputs) { notes.append(s) }
        if inputs.dataSource.isSynthetic { notes.append("On the synthetic twin the curves describe phantom lesions, not patients.") }
        return BuiltEntry(
            table: nil, files: ["figures/figS2.png": png, "figures/figS2.svg": svg, "figures/figS2.csv": Data(file.utf8)],
            images: [
                EntryImage(
                    png: "figures/figS2.png", svg: "figures/figS2.svg",
                    alt: "Patient accuracy, sensitivity and specificity against the threshold fraction for the three networks")
            ],
            notes: notes)
    }
}
