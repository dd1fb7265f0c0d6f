import Analysis
import Foundation
import Plots

/// Fig. 1: the general view of the method (§1, §2): a patient's CT sequence goes through the
/// selection algorithm, the classifier labels each selected slice, and a threshold on the
/// share of COVID-19 slices labels the patient. Drawn as a diagram from the same parameters
/// the stages use.
public struct Figure1Entry: ReportEntry {
    public let id = EntryID(.figure, 1)
    public let stages: [String] = []
    /// The paper's second identification threshold (Table 5, §3.2).
    static let threshold = 0.1

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let s = SelectionParameters.paper
        let fig = Figure(width: 11, height: 2.6, dpi: 100)
        fig.title = "From a patient's CT scan to a diagnosis"
        let d = fig.addDiagram()
        d.node("scan", row: 0, col: 0, "CT sequence\nof one patient", shape: .ellipse)
        d.node("select", row: 0, col: 1, "Selection (§2.2)\ndiscard slices with few\ndark pixels (< \(s.darkValue))")
        d.node("classify", row: 0, col: 2, "ResNet50V2 + FPN (§2.3)\nCOVID-19 or normal\nfor each selected slice")
        d.node("rule", row: 0, col: 3, "COVID-19 slices\n> \(NumberFormat.plain(Figure1Entry.threshold)) of selected?", shape: .diamond)
        d.node("covid", row: 0, col: 4, "COVID-19\npatient", shape: .ellipse, fill: Color(hex: "#f8d7d5"), stroke: Color(hex: "#d62728"))
        d.node("normal", row: 1, col: 3, "Normal\npatient", shape: .ellipse)
        d.edge("scan", "select")
        d.edge("select", "classify")
        d.edge("classify", "rule")
        d.edge("rule", "covid", label: "yes")
        d.edge("rule", "normal", label: "no", route: .verticalFirst)
        return BuiltEntry(
            files: ["figures/fig01.png": Data(try fig.pngData()), "figures/fig01.svg": Data(try fig.svgString().utf8)],
            images: [EntryImage(png: "figures/fig01.png", svg: "figures/fig01.svg", alt: "Diagram of the automated method")],
            notes: [Prose.text("Figure1Entry.1")])
    }
}
