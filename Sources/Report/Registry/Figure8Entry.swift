import Analysis
import Foundation
import Plots

/// Fig. 8: one patient's CT sequence with the slices the selection algorithm discards
/// highlighted (§2.2), from the `index` and `selection` stages.
///
/// The series shown is chosen deterministically: the first COVID-19 patient (in dataset
/// order) whose series has at least 20 slices and some discarded ones; otherwise the first
/// series. At most 48 slices are drawn, evenly spaced, in the lung window
/// (centre -600 HU, width 1200 HU; stored value = HU + 1024).
public struct Figure8Entry: ReportEntry {
    public let id = EntryID(.figure, 8)
    public let stages = [IndexStage.name, SelectionStage.name]
    /// Most thumbnails drawn.
    static let maxSlices = 48

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dataset = try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        let selection = try SelectionStage.read(from: inputs.stage(SelectionStage.name))
        guard let (chosen, series) = SliceSamples.exampleSeries(dataset, selection) else {
            throw PipelineError.stageFailed(stage: SelectionStage.name, reason: "no series to show")
        }
        let count = chosen.imageNumbers.count
        let shown =
            count <= Figure8Entry.maxSlices
            ? Array(0..<count)
            : (0..<Figure8Entry.maxSlices).map { $0 * (count - 1) / (Figure8Entry.maxSlices - 1) }
        let images = try shown.map { i -> GrayImage in
            guard let path = SliceSamples.path(series, chosen.imageNumbers[i]) else {
                throw PipelineError.stageFailed(
                    stage: IndexStage.name, reason: "\(chosen.patientID)/\(chosen.series): no file for image \(chosen.imageNumbers[i])")
            }
            return try SliceSamples.image(path, maxWidth: 128)
        }
        let highlighted = Set(shown.enumerated().filter { !chosen.selected[$0.element] }.map(\.offset))
        let fig = Figure.imageGrid(
            images, columns: 8, window: SliceSamples.lungWindow,
            captions: shown.map { "IM\(String(format: "%05d", chosen.imageNumbers[$0]))" },
            highlighted: highlighted,
            title:
                "\(chosen.patientID) \(chosen.series): red = discarded by the selection (threshold \(NumberFormat.plain(chosen.threshold, maxDecimals: 1)) dark pixels)"
        )
        let kept = chosen.selected.filter { $0 }.count
        let csv = PaperCSV.render(
            header: ["image_number", "dark_pixels", "selected"],
            rows: (0..<count).map { ["\(chosen.imageNumbers[$0])", "\(chosen.counts[$0])", chosen.selected[$0] ? "1" : "0"] })
        let table = ReportTable(
            header: ["Patient", "Series", "Slices", "Kept", "Discarded", "Threshold (dark pixels)"],
            rows: [
                [
                    chosen.patientID, chosen.series, "\(count)", "\(kept)", "\(count - kept)",
                    NumberFormat.plain(chosen.threshold, maxDecimals: 1)
                ]
            ])
        var notes = [
            "Over the whole dataset the selection keeps \(NumberFormat.grouped(selection.keptSlices)) of \(NumberFormat.grouped(selection.totalSlices)) slices (\(NumberFormat.fixed(selection.keptFraction * 100, 1))%)."
        ]
        if count > Figure8Entry.maxSlices {
            notes.append(
                "\(Figure8Entry.maxSlices) of the series' \(count) slices are drawn, evenly spaced; figures/fig08.csv lists all of them.")
        }
        if inputs.dataSource.isSynthetic { notes.append("The slices are the synthetic twin's, not COVID-CTset's.") }
        return BuiltEntry(
            table: table,
            files: [
                "figures/fig08.png": Data(try fig.pngData()), "figures/fig08.svg": Data(try fig.svgString().utf8),
                "figures/fig08.csv": Data(csv.utf8)
            ],
            images: [
                EntryImage(
                    png: "figures/fig08.png", svg: "figures/fig08.svg",
                    alt: "CT slices of \(chosen.patientID) \(chosen.series), discarded slices outlined in red")
            ],
            notes: notes)
    }
}
