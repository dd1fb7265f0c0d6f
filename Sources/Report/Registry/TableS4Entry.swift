import Analysis
import Foundation

/// Table S4 (not in the paper): the input-scaling ablation — the same network, fold, seed and
/// batches trained on the stored values (the paper's input), on values divided by 65535, and on
/// each image divided by its own maximum (which the paper argues against), from the
/// `input-scaling` stage.
public struct TableS4Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 4)
    public let stages = [InputScalingStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let rows = try InputScalingStage.read(from: inputs.stage(InputScalingStage.name))
        func f(_ x: Double?) -> String { x.map { $0.isNaN ? "—" : String(format: "%.4f", $0) } ?? "—" }
        func name(_ s: InputScaling) -> String {
            switch s {
            case .raw: return "Stored values (HU + 1024), unscaled — the paper's"
            case .fixed: return "Stored values / 65535"
            case .perImageMax: return "Each image / its own maximum"
            }
        }
        let table = ReportTable(header: ["Input", "Accuracy", "COVID sensitivity", "COVID specificity", "AUC", "Best epoch", "Best val. acc."],
                                rows: rows.map { r in
                                    let m = r.counts.metrics
                                    return [name(r.scaling), f(m.overallAccuracy), f(m.covidSensitivity), f(m.covidSpecificity), f(r.auc),
                                            r.bestEpoch.map(String.init) ?? "—", f(r.bestValidationAccuracy)]
                                })
        let csv = PaperCSV.render(header: ["scaling", "covid_tp", "covid_fn", "covid_fp", "normal_tp", "accuracy", "auc", "best_epoch"],
                                  rows: rows.map { r in [r.scaling.rawValue, "\(r.counts.covidTP)", "\(r.counts.covidFN)", "\(r.counts.covidFP)",
                                                         "\(r.counts.normalTP)", f(r.counts.metrics.overallAccuracy), f(r.auc),
                                                         r.bestEpoch.map(String.init) ?? ""] })
        var notes = ["\(InputScalingStage.model.rawValue), fold \(InputScalingStage.fold), the preset's scale and epochs, the same initial weights and batch order for every input; tested on fold \(InputScalingStage.fold)'s test images (P(COVID) > 0.5). ResNet50V2 rather than the FPN: in reduced runs the FPN's heads, initialised at N(0, 0.001), can sit at chance for the first epochs (Table 8), which would hide any effect of the input.",
                     "The paper (§2.1) keeps the stored 16-bit values because dividing each image by its own maximum changes what a value means from image to image; this is the experiment behind that argument. One training per input: differences of a point or two are within the run-to-run spread of a single fold."]
        if inputs.dataSource.isSynthetic { notes.append("On the synthetic twin, whose intensities are set per tissue, the result says how the input affects learning phantom lesions, not real CT.") }
        return BuiltEntry(table: table, files: ["tables/tableS4.csv": Data(csv.utf8)], notes: notes)
    }
}
