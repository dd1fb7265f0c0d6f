import Analysis
import Foundation
import Plots

/// Fig. 2: sample images of the dataset: the middle slice of the first series of up to four
/// COVID-19 and four normal patients (dataset order), from the `index` stage.
public struct Figure2Entry: ReportEntry {
    public let id = EntryID(.figure, 2)
    public let stages = [IndexStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let dataset = try IndexStage.readDataset(from: inputs.stage(IndexStage.name))
        let patients = Array(dataset.patients(.covid).prefix(4)) + Array(dataset.patients(.normal).prefix(4))
        var images: [GrayImage] = [], captions: [String] = []
        for p in patients {
            guard let series = p.series.first, !series.slices.isEmpty else { continue }
            let slice = series.slices[series.slices.count / 2]
            images.append(try SliceSamples.image(slice.path, maxWidth: 256))
            captions.append("\(p.label == .covid ? "COVID-19" : "normal"): \(p.id)")
        }
        guard !images.isEmpty else { throw PipelineError.stageFailed(stage: IndexStage.name, reason: "no slices to show") }
        let fig = Figure.imageGrid(
            images, columns: 4, window: SliceSamples.lungWindow, captions: captions,
            title: "Middle slices of COVID-19 and normal patients", panelSize: 2.0)
        var notes = ["Slices shown in the lung window (centre −600 HU, width 1200 HU)."]
        if inputs.dataSource.isSynthetic { notes.append("The slices are the synthetic twin's, not COVID-CTset's.") }
        return BuiltEntry(
            files: ["figures/fig02.png": Data(try fig.pngData()), "figures/fig02.svg": Data(try fig.svgString().utf8)],
            images: [
                EntryImage(png: "figures/fig02.png", svg: "figures/fig02.svg", alt: "Sample CT slices of COVID-19 and normal patients")
            ],
            notes: notes)
    }
}
