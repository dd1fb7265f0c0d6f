import Analysis
import Foundation
import Plots

/// Fig. 12: Grad-CAM of the FPN model (fold 1) on COVID-19 and normal test slices (§3.3), laid
/// out as the paper's figure: each slice beside its map overlaid in jet at alpha 0.5. All maps
/// share one scale (the largest raw peak among them), so their heat compares across images.
public struct Figure12Entry: ReportEntry {
    public let id = EntryID(.figure, 12)
    public let stages = [GradCAMStage.name, IndexStage.name]
    static let model = ModelKind.resnet50v2FPN

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dir = inputs.stage(GradCAMStage.name)
        let output = try GradCAMStage.read(from: dir)
        let heat = try GradCAMStage.readMaps(from: dir)
        let dataset = try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        var paths: [SliceKey: String] = [:]
        for p in dataset.patients { for s in p.series { for f in s.slices { paths[SliceKey(patientID: p.id, series: s.name, imageNumber: f.imageNumber)] = f.path } } }
        let shown = output.maps.filter { $0.model == Figure12Entry.model && $0.inFigure }
        let sharedPeak = shown.map(\.peak).max() ?? 1
        let columns = 4, pairsPerRow = columns / 2
        let rowsCount = (shown.count + pairsPerRow - 1) / pairsPerRow
        let fig = Figure(width: 3.0 * Double(columns), height: 3.2 * Double(max(rowsCount, 1)), dpi: 100)
        fig.title = "Grad-CAM of \(Figure12Entry.model.rawValue), fold \(output.fold), layer \(shown.first?.layer ?? "?") (jet, alpha 0.5, one shared scale)"
        var rows: [[String]] = []
        for (i, m) in shown.enumerated() {
            guard let path = paths[m.key], let map = heat[m.tensor] else {
                throw PipelineError.stageFailed(stage: GradCAMStage.name, reason: "no slice or map for \(m.key.patientID)/\(m.key.series)/\(m.key.imageNumber)")
            }
            let slice = try SliceSamples.image(path, maxWidth: 256)
            let scaled = GrayImage(width: output.size, height: output.size, pixels: map.map { $0 * Float(m.peak / sharedPeak) })
            let overlay = composeImage(slice, window: SliceSamples.lungWindow,
                                       overlay: HeatOverlay(values: scaled, colormap: .jet, alpha: 0.5, range: 0...1))
            let r = i / pairsPerRow, c = (i % pairsPerRow) * 2
            let left = fig.addAxes(row: r, col: c), right = fig.addAxes(row: r, col: c + 1)
            left.image(slice, window: SliceSamples.lungWindow)
            left.title = "\(m.truth == .covid ? "COVID-19" : "Normal"): \(m.key.patientID) IM\(String(format: "%05d", m.key.imageNumber))"
            right.image(overlay)
            let predicted = ClassEncoding.label(ofIndex: m.classIndex)
            right.title = "→ \(predicted == .covid ? "COVID-19" : "normal") (p = \(String(format: "%.2f", m.probability)))"
            for ax in [left, right] { ax.showAxis = false }
            rows.append([m.truth.rawValue, m.key.patientID, m.key.series, "\(m.key.imageNumber)", predicted.rawValue,
                         String(format: "%.4f", m.probability), String(format: "%.4g", m.peak),
                         m.score.map { String(format: "%.3f", $0.energyInside) } ?? "—",
                         m.score.map { $0.pointingHit ? "yes" : "no" } ?? "—"])
        }
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        var notes = [
            "Each map explains the class the network predicted, at layer `\(shown.first?.layer ?? "post_relu")` (the last convolutional feature map, as the paper's), resized to the \(output.size) px input; the raw maps of all three networks are in the `gradcam` stage's `maps.safetensors` with their layer, class and seed.",
            "COVID-19 slices shown are fold \(output.fold)'s test slices with the largest lesions; normal slices are evenly spaced through the test set.",
        ]
        if inputs.dataSource.isSynthetic {
            notes.append("On the synthetic twin the lesions are known (lesion masks): Table S3 scores how much of each network's map falls on them. The paper could only judge its maps by eye.")
        }
        let header = ["Truth", "Patient", "Series", "Image", "Predicted", "P(predicted)", "Raw peak", "Heat inside lesion", "Peak in lesion"]
        let csv = PaperCSV.render(header: header.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }, rows: rows)
        return BuiltEntry(table: ReportTable(header: header, rows: rows),
                          files: ["figures/fig12.png": png, "figures/fig12.svg": svg, "figures/fig12.csv": Data(csv.utf8)],
                          images: [EntryImage(png: "figures/fig12.png", svg: "figures/fig12.svg",
                                              alt: "COVID-19 and normal slices beside their Grad-CAM maps")],
                          notes: notes)
    }
}
