import Analysis
import Foundation
import Plots

/// Fig. 7: the counting region on slices of different scales (§2.2): one kept slice (the
/// one with the most dark pixels) from each of up to three series with different pixel
/// spacings (or, lacking those, of different patients), with the region outlined.
public struct Figure7Entry: ReportEntry {
    public let id = EntryID(.figure, 7)
    public let stages = [IndexStage.name, SelectionStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dataset = try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        let selection = try SelectionStage.read(from: inputs.stage(SelectionStage.name))
        let seriesByKey = Dictionary(
            dataset.patients.flatMap { p in p.series.map { ("\(p.id)/\($0.name)", $0) } },
            uniquingKeysWith: { a, _ in a })
        // One candidate per distinct pixel spacing, then per patient, in dataset order.
        var picks: [(SeriesSelection, Series)] = []
        var spacings: Set<String> = [], patients: Set<String> = []
        for pass in 0..<2 {
            for s in selection.series where picks.count < 3 && s.selected.contains(true) {
                guard let series = seriesByKey["\(s.patientID)/\(s.series)"], !picks.contains(where: { $0.0 == s }) else { continue }
                let spacing = series.pixelSpacingMM.map { NumberFormat.plain($0, maxDecimals: 3) } ?? "unknown"
                if pass == 0 ? spacings.insert(spacing).inserted : patients.insert(s.patientID).inserted {
                    picks.append((s, series)); patients.insert(s.patientID)
                }
            }
        }
        guard !picks.isEmpty else { throw PipelineError.stageFailed(stage: SelectionStage.name, reason: "no kept slice to show") }
        let fig = Figure(width: 4.2 * Double(picks.count), height: 4.6, dpi: 100)
        fig.title = "The counting region on slices of different scales"
        var rows: [[String]] = []
        for (column, (s, series)) in picks.enumerated() {
            let best = s.selected.indices.filter { s.selected[$0] }.max { s.counts[$0] < s.counts[$1] }!
            guard let path = SliceSamples.path(series, s.imageNumbers[best]) else {
                throw PipelineError.stageFailed(
                    stage: IndexStage.name, reason: "\(s.patientID)/\(s.series): no file for image \(s.imageNumbers[best])")
            }
            let image = try SliceSamples.image(path)
            let region = SelectionRegion(width: image.width, height: image.height)
            let ax = fig.addAxes(row: 0, col: column)
            ax.image(image, window: SliceSamples.lungWindow)
            ax.rectangle(
                x: Double(region.columns.lowerBound), y: Double(region.rows.lowerBound),
                width: Double(region.columns.count), height: Double(region.rows.count))
            let spacing = series.pixelSpacingMM.map { "\(NumberFormat.plain($0, maxDecimals: 3)) mm/px" } ?? "spacing unknown"
            ax.title = "\(s.patientID) \(s.series)"
            ax.caption = "\(spacing); \(NumberFormat.grouped(s.counts[best])) dark pixels"
            rows.append([
                s.patientID, s.series, spacing, "IM\(String(format: "%05d", s.imageNumbers[best]))",
                NumberFormat.grouped(s.counts[best])
            ])
        }
        var notes = [
            "The region is fixed in pixels (rows 240–340, columns 120–370 of 512 × 512), so it covers different anatomy at different pixel spacings — the paper's point in showing this figure."
        ]
        if inputs.dataSource.isSynthetic { notes.append("The slices are the synthetic twin's, not COVID-CTset's.") }
        return BuiltEntry(
            table: ReportTable(header: ["Patient", "Series", "Pixel spacing", "Image", "Dark pixels"], rows: rows),
            files: ["figures/fig07.png": Data(try fig.pngData()), "figures/fig07.svg": Data(try fig.svgString().utf8)],
            images: [
                EntryImage(
                    png: "figures/fig07.png", svg: "figures/fig07.svg", alt: "The counting region outlined on slices of different scales")
            ],
            notes: notes)
    }
}
