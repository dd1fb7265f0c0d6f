import Analysis
import Foundation

/// Table S11 (not in the paper; dataset audit): what a classifier reaches from how an image was
/// acquired — series, slice thickness, image noise — without seeing any disease
/// (`MetadataBaselineStage`), beside the networks' AUC.
public struct TableS11Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 11)
    public let stages = [MetadataBaselineStage.name, EvaluateStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let folds = try MetadataBaselineStage.read(from: inputs.stage(MetadataBaselineStage.name))
        let evaluations = try EvaluateStage.read(from: inputs.stage(EvaluateStage.name))
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "—" }
        func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
        var rows: [[String]] = []
        var csv: [[String]] = []
        for set in MetadataBaseline.FeatureSet.allCases {
            let per = folds.map { $0.auc[set.rawValue] }
            rows.append(
                ["Metadata only: \(set.rawValue == "all" ? "series + thickness + noise" : set.rawValue)"] + per.map(f) + [
                    f(mean(per.compactMap { $0 }))
                ])
            csv.append(["metadata_\(set.rawValue)"] + per.map(f) + [f(mean(per.compactMap { $0 }))])
        }
        for model in ModelKind.allCases {
            let per = folds.map { fold in evaluations.first { $0.model == model && $0.fold == fold.fold }?.auc }
            rows.append(["Network: \(model.rawValue)"] + per.map(f) + [f(mean(per.compactMap { $0 }))])
            csv.append(["network_\(model.rawValue)"] + per.map(f) + [f(mean(per.compactMap { $0 }))])
        }
        let header = ["Classifier (image AUC on the fold's test images)"] + folds.map { "Fold \($0.fold)" } + ["Mean"]
        let file = PaperCSV.render(header: ["classifier"] + folds.map { "fold\($0.fold)" } + ["mean"], rows: csv)
        let best = MetadataBaseline.FeatureSet.allCases.compactMap { s in mean(folds.compactMap { $0.auc[s.rawValue] }).map { (s, $0) } }
            .max { $0.1 < $1.1 }
        var notes = [
            Prose.text("TableS11Entry.1")
        ]
        if let best {
            let verdict =
                best.1 >= 0.8
                ? Prose.text("TableS11Entry.2", ["\(f(best.1))", "\(best.0.rawValue)"])
                : best.1 >= 0.65
                    ? "The acquisition separates the classes partly (best mean AUC \(f(best.1)), \(best.0.rawValue)): a shortcut is available to a network, but it explains only part of a high AUC."
                    : "The acquisition barely separates the classes (best mean AUC \(f(best.1))): no strong shortcut through series, thickness or noise."
            notes.append(verdict)
        }
        if inputs.dataSource.isSynthetic {
            notes.append(
                "On the twin, series and thickness follow the real metadata (the labels of all.csv), and noise follows the series' kernel and thickness as the twin renders them; on COVID-CTset the real noise would be measured the same way."
            )
        }
        return BuiltEntry(table: ReportTable(header: header, rows: rows), files: ["tables/tableS11.csv": Data(file.utf8)], notes: notes)
    }
}
