import Analysis
import Foundation
import Plots

/// Fig. 12: Grad-CAM of the FPN model (fold 1) on COVID-19 and normal test slices (§3.3), laid
/// out as the paper's figure: each slice beside its map overlaid in jet at alpha 0.5, each map
/// on its own scale (its maximum is red), as Grad-CAM maps are shown; on the twin the lesion's
/// outline is drawn in white.
public struct Figure12Entry: ReportEntry {
    public let id = EntryID(.figure, 12)
    public let stages = [GradCAMStage.name, IndexStage.name]
    static let model = ModelKind.resnet50v2FPN

    public init() {}

    /// Paints the boundary pixels of `mask` (a lesion pixel with a non-lesion 4-neighbour) white.
    static func outline(_ mask: [Bool], on image: inout RGBImage) {
        let (w, h) = (image.width, image.height)
        guard mask.count == w * h else { return }
        for y in 0..<h {
            for x in 0..<w where mask[y * w + x] {
                let edge =
                    x == 0 || y == 0 || x == w - 1 || y == h - 1 || !mask[y * w + x - 1] || !mask[y * w + x + 1]
                    || !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x]
                if edge { for c in 0..<3 { image.pixels[3 * (y * w + x) + c] = 255 } }
            }
        }
    }

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dir = inputs.stage(GradCAMStage.name)
        let output = try GradCAMStage.read(from: dir)
        let heat = try GradCAMStage.readMaps(from: dir)
        let dataset = try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        var paths: [SliceKey: String] = [:]
        for p in dataset.patients {
            for s in p.series {
                for f in s.slices { paths[SliceKey(patientID: p.id, series: s.name, imageNumber: f.imageNumber)] = f.path }
            }
        }
        let shown = output.maps.filter { $0.model == Figure12Entry.model && $0.inFigure }
        let columns = 4, pairsPerRow = columns / 2
        let rowsCount = (shown.count + pairsPerRow - 1) / pairsPerRow
        let fig = Figure(width: 3.0 * Double(columns), height: 3.2 * Double(max(rowsCount, 1)), dpi: 100)
        fig.title =
            "Grad-CAM of \(Figure12Entry.model.rawValue), fold \(output.fold), layer \(shown.first?.layer ?? "?") (jet, alpha 0.5, each map on its own scale\(inputs.dataSource.isSynthetic ? "; white: the lesion's outline" : ""))"
        var rows: [[String]] = []
        for (i, m) in shown.enumerated() {
            guard let path = paths[m.key], let map = heat[m.tensor] else {
                throw PipelineError.stageFailed(
                    stage: GradCAMStage.name, reason: "no slice or map for \(m.key.patientID)/\(m.key.series)/\(m.key.imageNumber)")
            }
            let slice = try SliceSamples.image(path, maxWidth: 256)
            let scaled = GrayImage(width: output.size, height: output.size, pixels: map)
            var overlay = composeImage(
                slice, window: SliceSamples.lungWindow,
                overlay: HeatOverlay(values: scaled, colormap: .jet, alpha: 0.5, range: 0...1))
            if m.truth == .covid, let mask = try GradCAMStage.lesionMask(for: path, size: slice.width), slice.width == slice.height {
                Figure12Entry.outline(mask, on: &overlay)
            }
            let r = i / pairsPerRow, c = (i % pairsPerRow) * 2
            let left = fig.addAxes(row: r, col: c), right = fig.addAxes(row: r, col: c + 1)
            left.image(slice, window: SliceSamples.lungWindow)
            left.title = "\(m.truth == .covid ? "COVID-19" : "Normal"): \(m.key.patientID) IM\(String(format: "%05d", m.key.imageNumber))"
            right.image(overlay)
            let predicted = ClassEncoding.label(ofIndex: m.classIndex)
            right.title = "→ \(predicted == .covid ? "COVID-19" : "normal") (p = \(String(format: "%.2f", m.probability)))"
            for ax in [left, right] { ax.showAxis = false }
            rows.append([
                m.truth.rawValue, m.key.patientID, m.key.series, "\(m.key.imageNumber)", predicted.rawValue,
                String(format: "%.4f", m.probability), String(format: "%.4g", m.peak),
                m.score.map { String(format: "%.3f", $0.energyInside) } ?? "—",
                m.score.map { $0.pointingHit ? "yes" : "no" } ?? "—"
            ])
        }
        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        var notes = [
            Prose.text(
                "Figure12Entry.1",
                ["\(shown.first?.layer ?? "post_relu")", "\(GradCAM.minimumSide)", "\(GradCAM.minimumSide)", "\(output.size)"]),
            "COVID-19 slices shown are fold \(output.fold)'s test slices with the largest lesions; normal slices are evenly spaced through the test set."
        ]
        if inputs.dataSource.isSynthetic {
            notes.append(
                "On the synthetic twin the lesions are known (lesion masks): Table S3 scores how much of each network's map falls on them. The paper could only judge its maps by eye."
            )
        }
        let header = [
            "Truth", "Patient", "Series", "Image", "Predicted", "P(predicted)", "Raw peak", "Heat inside lesion", "Peak in lesion"
        ]
        let csv = PaperCSV.render(header: header.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }, rows: rows)
        return BuiltEntry(
            table: ReportTable(header: header, rows: rows),
            files: ["figures/fig12.png": png, "figures/fig12.svg": svg, "figures/fig12.csv": Data(csv.utf8)],
            images: [
                EntryImage(
                    png: "figures/fig12.png", svg: "figures/fig12.svg",
                    alt: "COVID-19 and normal slices beside their Grad-CAM maps")
            ],
            notes: notes)
    }
}
