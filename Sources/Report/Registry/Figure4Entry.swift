import Analysis
import Foundation
import Plots

/// Fig. 4: the first, middle and last slices of the example series (§2.2): at both ends
/// the inside of the lung is not visible. From the `index` and `selection` stages.
public struct Figure4Entry: ReportEntry {
    public let id = EntryID(.figure, 4)
    public let stages = [IndexStage.name, SelectionStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dataset = try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        let selection = try SelectionStage.read(from: inputs.stage(SelectionStage.name))
        guard let (chosen, series) = SliceSamples.exampleSeries(dataset, selection) else {
            throw PipelineError.stageFailed(stage: SelectionStage.name, reason: "no series to show")
        }
        let n = chosen.imageNumbers.count
        let picks = Array(Set([0, 1, n / 2 - 1, n / 2, n - 2, n - 1].filter { $0 >= 0 && $0 < n })).sorted()
        let images = try picks.map { i -> GrayImage in
            guard let path = SliceSamples.path(series, chosen.imageNumbers[i]) else {
                throw PipelineError.stageFailed(
                    stage: IndexStage.name, reason: "\(chosen.patientID)/\(chosen.series): no file for image \(chosen.imageNumbers[i])")
            }
            return try SliceSamples.image(path, maxWidth: 256)
        }
        let place = { (i: Int) -> String in i < 2 ? "first" : (i >= n - 2 ? "last" : "middle") }
        let fig = Figure.imageGrid(
            images, columns: min(6, images.count), window: SliceSamples.lungWindow,
            captions: picks.map { "\(place($0)): IM\(String(format: "%05d", chosen.imageNumbers[$0]))" },
            title: "\(chosen.patientID) \(chosen.series): first, middle and last slices", panelSize: 2.0)
        var notes = ["Slices shown in the lung window (centre −600 HU, width 1200 HU)."]
        if inputs.dataSource.isSynthetic { notes.append("The slices are the synthetic twin's, not COVID-CTset's.") }
        return BuiltEntry(
            files: ["figures/fig04.png": Data(try fig.pngData()), "figures/fig04.svg": Data(try fig.svgString().utf8)],
            images: [
                EntryImage(
                    png: "figures/fig04.png", svg: "figures/fig04.svg",
                    alt: "First, middle and last CT slices of \(chosen.patientID) \(chosen.series)")
            ],
            notes: notes)
    }
}
