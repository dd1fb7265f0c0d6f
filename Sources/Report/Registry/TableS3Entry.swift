import Analysis
import Foundation

/// Table S3 (not in the paper): how well each network's Grad-CAM points at the twin's lesions,
/// from the `gradcam` stage's scored maps (COVID-class maps of fold 1's COVID test slices with a
/// lesion).
public struct TableS3Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 3)
    public let stages = [GradCAMStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let output = try GradCAMStage.read(from: inputs.stage(GradCAMStage.name))
        var rows: [[String]] = []
        for model in ModelKind.allCases {
            let scores = output.maps.filter { $0.model == model && !$0.inFigure }.compactMap(\.score)
            guard !scores.isEmpty else {
                rows.append([model.rawValue, "0", "—", "—", "—", "—"])
                continue
            }
            let n = Double(scores.count)
            let inside = scores.map(\.energyInside).reduce(0, +) / n
            let area = scores.map(\.maskFraction).reduce(0, +) / n
            let hits = scores.filter(\.pointingHit).count
            let ci = Intervals.wilson(successes: hits, trials: scores.count)
            rows.append([model.rawValue, "\(scores.count)", String(format: "%.3f", inside), String(format: "%.3f", area),
                         area > 0 ? String(format: "%.2f", inside / area) : "—",
                         String(format: "%.3f (%.3f–%.3f)", Double(hits) / n, ci.lower, ci.upper)])
        }
        let header = ["Network", "Slices", "Heat inside lesion", "Lesion share of image", "Ratio (1 = chance)", "Pointing-game hits (95% CI)"]
        let csv = PaperCSV.render(header: ["network", "slices", "heat_inside", "lesion_share", "ratio", "pointing_hits"], rows: rows)
        var notes = ["Heat inside lesion: the share of a map's total heat that falls in the lesion mask, averaged over slices; a map spread evenly would score the lesion's share of the image, so the ratio of the two measures how much the map concentrates on the lesion. Pointing game: the map's hottest pixel lies in the lesion (Wilson interval)."]
        if output.maps.allSatisfy({ $0.score == nil }) {
            notes.append("The data have no lesion masks (only the synthetic twin has them), so nothing could be scored.")
        }
        return BuiltEntry(table: ReportTable(header: header, rows: rows), files: ["tables/tableS3.csv": Data(csv.utf8)], notes: notes)
    }
}
