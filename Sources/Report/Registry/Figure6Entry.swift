import Analysis
import Foundation
import Plots

/// Fig. 6: the flowchart of the slice-selection algorithm (§2.2), drawn from the parameters
/// the `selection` stage runs with (`SelectionParameters.paper`), so the chart and the code
/// cannot disagree on the numbers.
public struct Figure6Entry: ReportEntry {
    public let id = EntryID(.figure, 6)
    public let stages: [String] = []

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let p = SelectionParameters.paper
        let region = SelectionRegion(width: 512, height: 512)
        let rule: String
        switch p.rule {
        case .range: rule = "threshold = (max − min) / \(NumberFormat.plain(p.divisor))"
        case .minPlusRange: rule = "threshold = min + (max − min) / \(NumberFormat.plain(p.divisor))"
        }
        let fig = Figure(width: 9.5, height: 5.2, dpi: 100)
        fig.title = "Selecting the slices of a CT series (§2.2)"
        let d = fig.addDiagram()
        d.node("start", row: 0, col: 0, "One CT series\n(all slices of SR_k)", shape: .ellipse)
        d.node(
            "count", row: 1, col: 0,
            "For every slice: count pixels\n< \(p.darkValue) (HU + 1024) in rows\n\(region.rows.lowerBound)–\(region.rows.upperBound), columns \(region.columns.lowerBound)–\(region.columns.upperBound)"
        )
        d.node("range", row: 2, col: 0, "min and max of the\nseries' counts")
        d.node("threshold", row: 3, col: 0, rule)
        d.node("test", row: 3, col: 1, "count < threshold?", shape: .diamond)
        d.node("discard", row: 3, col: 2, "Discard the slice\n(lung closed)", shape: .box)
        d.node("keep", row: 4, col: 1, "Keep the slice\nfor classification", shape: .ellipse)
        d.edge("start", "count")
        d.edge("count", "range")
        d.edge("range", "threshold")
        d.edge("threshold", "test")
        d.edge("test", "discard", label: "yes", route: .horizontalFirst)
        d.edge("test", "keep", label: "no", route: .verticalFirst)
        return BuiltEntry(
            files: ["figures/fig06.png": Data(try fig.pngData()), "figures/fig06.svg": Data(try fig.svgString().utf8)],
            images: [EntryImage(png: "figures/fig06.png", svg: "figures/fig06.svg", alt: "Flowchart of the slice-selection algorithm")],
            notes: [Prose.text("Figure6Entry.1", ["\(p.darkValue)", "\(NumberFormat.plain(p.divisor))", "\(p.rule.rawValue)"])])
    }
}
