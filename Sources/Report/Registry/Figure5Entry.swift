import Analysis
import Foundation
import Plots

/// Fig. 5: a closed-lung slice (discarded) beside an open-lung slice (kept) of the example
/// series, with the central region where dark pixels are counted (§2.2).
///
/// The closed-lung slice is the discarded slice with the fewest dark pixels, the open-lung
/// one the kept slice with the most.
public struct Figure5Entry: ReportEntry {
    public let id = EntryID(.figure, 5)
    public let stages = [IndexStage.name, SelectionStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dataset = try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        let selection = try SelectionStage.read(from: inputs.stage(SelectionStage.name))
        guard let (chosen, series) = SliceSamples.exampleSeries(dataset, selection),
            let closed = chosen.selected.indices.filter({ !chosen.selected[$0] }).min(by: { chosen.counts[$0] < chosen.counts[$1] }),
            let open = chosen.selected.indices.filter({ chosen.selected[$0] }).max(by: { chosen.counts[$0] < chosen.counts[$1] })
        else {
            throw PipelineError.stageFailed(stage: SelectionStage.name, reason: "no series with both kept and discarded slices")
        }
        let fig = Figure(width: 8, height: 4.4, dpi: 100)
        fig.title = "\(chosen.patientID) \(chosen.series): dark pixels (< \(selection.parameters.darkValue)) in the central region"
        var rows: [[String]] = []
        for (column, (index, name)) in [(closed, "Closed lung (discarded)"), (open, "Open lung (kept)")].enumerated() {
            let number = chosen.imageNumbers[index]
            guard let path = SliceSamples.path(series, number) else {
                throw PipelineError.stageFailed(
                    stage: IndexStage.name, reason: "\(chosen.patientID)/\(chosen.series): no file for image \(number)")
            }
            let image = try SliceSamples.image(path)
            let region = SelectionRegion(width: image.width, height: image.height)
            let ax = fig.addAxes(row: 0, col: column)
            ax.image(image, window: SliceSamples.lungWindow)
            ax.rectangle(
                x: Double(region.columns.lowerBound), y: Double(region.rows.lowerBound),
                width: Double(region.columns.count), height: Double(region.rows.count))
            ax.title = name
            ax.caption = "IM\(String(format: "%05d", number)): \(NumberFormat.grouped(chosen.counts[index])) dark pixels"
            rows.append([
                name, "IM\(String(format: "%05d", number))", NumberFormat.grouped(chosen.counts[index]),
                NumberFormat.plain(chosen.threshold, maxDecimals: 1)
            ])
        }
        let table = ReportTable(header: ["Slice", "Image", "Dark pixels in region", "Series threshold"], rows: rows)
        var notes = [
            "The red box is the counting region, rows 240–340 and columns 120–370 of a 512 × 512 slice (§2.2), scaled for other sizes."
        ]
        if inputs.dataSource.isSynthetic { notes.append("The slices are the synthetic twin's, not COVID-CTset's.") }
        return BuiltEntry(
            table: table,
            files: ["figures/fig05.png": Data(try fig.pngData()), "figures/fig05.svg": Data(try fig.svgString().utf8)],
            images: [
                EntryImage(
                    png: "figures/fig05.png", svg: "figures/fig05.svg",
                    alt: "A closed-lung and an open-lung slice with the counting region outlined")
            ],
            notes: notes)
    }
}
