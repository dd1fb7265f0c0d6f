import Analysis
import Foundation

/// Table S3 (not in the paper): how well each network's Grad-CAM points at the twin's lesions,
/// from the `gradcam` stage's scored maps (COVID-class maps of fold 1's COVID test slices with a
/// lesion), and HiResCAM's on the same slices and layers.
public struct TableS3Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 3)
    public let stages = [GradCAMStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let output = try GradCAMStage.read(from: inputs.stage(GradCAMStage.name))
        var rows: [[String]] = []
        let methods = GradCAM.Method.allCases.filter { m in output.maps.contains { $0.mapMethod == m } }
        for method in methods.isEmpty ? [.gradCAM] : methods {
            for model in ModelKind.allCases {
                let maps = output.maps.filter { $0.model == model && !$0.inFigure && $0.mapMethod == method }
                let scores = maps.compactMap(\.score)
                guard !scores.isEmpty else {
                    rows.append([model.rawValue, TableS3Entry.label(method), "—", "0", "—", "—", "—", "—", "—", "—", "—"])
                    continue
                }
                let n = Double(scores.count)
                let inside = scores.map(\.energyInside).reduce(0, +) / n
                let area = scores.map(\.maskFraction).reduce(0, +) / n
                func rate(_ hits: Int) -> String {
                    let ci = Intervals.wilson(successes: hits, trials: scores.count)
                    return String(format: "%.3f (%.3f–%.3f)", Double(hits) / n, ci.lower, ci.upper)
                }
                let layer = maps.first?.layer ?? "—"
                rows.append([
                    model.rawValue, TableS3Entry.label(method), layer, "\(scores.count)", String(format: "%.3f", inside),
                    String(format: "%.3f", area),
                    area > 0 ? String(format: "%.2f", inside / area) : "—",
                    rate(scores.filter(\.pointingHit).count),
                    rate(scores.filter { $0.pointingHitWithinTolerance == true }.count),
                    scores.allSatisfy({ $0.heatOutsideBody != nil })
                        ? String(format: "%.3f", scores.compactMap(\.heatOutsideBody).reduce(0, +) / n) : "—",
                    scores.allSatisfy({ $0.peakOutsideBody != nil }) ? rate(scores.filter { $0.peakOutsideBody == true }.count) : "—"
                ])
            }
        }
        let header = [
            "Network", "Map", "Layer", "Slices", "Heat inside lesion", "Lesion share of image", "Ratio (1 = chance)",
            "Pointing game, in the lesion (95% CI)", "Pointing game, within 15/224 of the side (95% CI)",
            "Heat outside the body", "Peak outside the body (95% CI)"
        ]
        let csv = PaperCSV.render(
            header: [
                "network", "map", "layer", "slices", "heat_inside", "lesion_share", "ratio", "pointing_hits",
                "pointing_hits_tolerance", "heat_outside_body", "peak_outside_body"
            ], rows: rows)
        var notes = [
            Prose.text("TableS3Entry.1"),
            Prose.text("TableS3Entry.2", ["\(GradCAM.minimumSide)", "\(GradCAM.minimumSide)", "\(GradCAM.fpnFallbackLayer)"]),
            Prose.text("TableS3Entry.3", ["\(Int(LocalisationScore.airStoredValue))"])
        ]
        if methods.contains(.hiResCAM) { notes.append(Prose.text("TableS3Entry.4")) }
        if output.maps.allSatisfy({ $0.score == nil }) {
            notes.append("The data have no lesion masks (only the synthetic twin has them), so nothing could be scored.")
        }
        return BuiltEntry(table: ReportTable(header: header, rows: rows), files: ["tables/tableS3.csv": Data(csv.utf8)], notes: notes)
    }

    /// The map's name in the table.
    static func label(_ method: GradCAM.Method) -> String {
        switch method {
        case .gradCAM: return "Grad-CAM (the paper's)"
        case .hiResCAM: return "HiResCAM"
        }
    }
}
