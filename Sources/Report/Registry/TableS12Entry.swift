import Analysis
import Foundation

/// Table S12 (not in the paper; dataset audit): Table 8's image metrics split by series and by
/// slice thickness (all folds' test images pooled), from the `evaluate` stage's probabilities and
/// the test images' series and thickness recorded by `metadata-baseline`.
public struct TableS12Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 12)
    public let stages = [MetadataBaselineStage.name, EvaluateStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let folds = try MetadataBaselineStage.read(from: inputs.stage(MetadataBaselineStage.name))
        let evaluations = try EvaluateStage.read(from: inputs.stage(EvaluateStage.name))
        struct Cell { var covid = 0, covidHit = 0, normal = 0, normalHit = 0 }
        func mm(_ t: Double?) -> String { t.map { NumberFormat.plain($0) + " mm" } ?? "unknown" }
        var rows: [[String]] = []
        for model in ModelKind.allCases {
            var bySeries: [String: Cell] = [:], byThickness: [String: Cell] = [:]
            for fold in folds {
                guard let e = evaluations.first(where: { $0.model == model && $0.fold == fold.fold }) else { continue }
                guard e.truths.count == fold.testSeries.count else {
                    throw ReportError.badTable(
                        file: "\(MetadataBaselineStage.file)",
                        reason: "fold \(fold.fold): \(fold.testSeries.count) test images, the evaluation has \(e.truths.count)")
                }
                for i in e.truths.indices {
                    let hit = ClassDecision.isCovid(e.covidProbabilities[i]) == (e.truths[i] == .covid)
                    for key in [("series", fold.testSeries[i]), ("thickness", mm(fold.testThicknessMM[i]))] {
                        var c = (key.0 == "series" ? bySeries : byThickness)[key.1] ?? Cell()
                        if e.truths[i] == .covid {
                            c.covid += 1; if hit { c.covidHit += 1 }
                        } else {
                            c.normal += 1; if hit { c.normalHit += 1 }
                        }
                        if key.0 == "series" { bySeries[key.1] = c } else { byThickness[key.1] = c }
                    }
                }
            }
            func rate(_ k: Int, _ n: Int) -> String { n > 0 ? String(format: "%.3f", Double(k) / Double(n)) : "—" }
            func add(_ kind: String, _ groups: [String: Cell]) {
                for key in groups.keys.sorted(by: {
                    (Double($0.split(separator: " ").first ?? "") ?? 0, $0) < (Double($1.split(separator: " ").first ?? "") ?? 0, $1)
                }) {
                    let c = groups[key]!
                    rows.append([
                        model.rawValue, kind, key, "\(c.covid)", "\(c.normal)", rate(c.covidHit + c.normalHit, c.covid + c.normal),
                        rate(c.covidHit, c.covid), rate(c.normalHit, c.normal)
                    ])
                }
            }
            add("Series", bySeries); add("Thickness", byThickness)
        }
        let header = [
            "Network", "Split by", "Group", "COVID images", "Normal images", "Accuracy", "COVID sensitivity", "Normal specificity"
        ]
        let csv = PaperCSV.render(
            header: ["network", "split", "group", "covid_images", "normal_images", "accuracy", "sensitivity", "specificity"], rows: rows)
        let notes = [
            Prose.text("TableS12Entry.1")
        ]
        return BuiltEntry(table: ReportTable(header: header, rows: rows), files: ["tables/tableS12.csv": Data(csv.utf8)], notes: notes)
    }
}
