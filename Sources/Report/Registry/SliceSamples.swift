import Analysis
import Foundation
import Plots

/// Shared by the figures that show CT slices (Figs. 5, 7, 8): reading slices as images and
/// choosing an example series deterministically.
enum SliceSamples {
    /// The lung window in stored values (centre -600 HU, width 1200 HU; stored = HU + 1024).
    static let lungWindow = DisplayWindow(center: 424, width: 1200)

    /// Reads a slice as a grey image, shrunk so its width is at most `maxWidth`.
    static func image(_ path: String, maxWidth: Int = 512) throws -> GrayImage {
        let tiff = try TIFFReader.read(path)
        var image: GrayImage
        switch tiff.pixels {
        case .uint16(let p): image = GrayImage(width: tiff.width, height: tiff.height, pixels: p)
        case .float32(let p): image = GrayImage(width: tiff.width, height: tiff.height, pixels: p)
        }
        if image.width > maxWidth { image = image.resized(width: maxWidth, height: maxWidth * image.height / image.width) }
        return image
    }

    /// The example series: the first COVID-19 patient's (dataset order) series with at least
    /// 20 slices and some discarded ones; otherwise the first series. Nil without series.
    static func exampleSeries(_ dataset: Dataset, _ selection: SelectionResult) -> (SeriesSelection, Series)? {
        let covid = Set(dataset.patients(.covid).map(\.id))
        let ordered = selection.series.filter { covid.contains($0.patientID) } + selection.series.filter { !covid.contains($0.patientID) }
        guard let chosen = ordered.first(where: { $0.imageNumbers.count >= 20 && $0.selected.contains(false) }) ?? selection.series.first,
            let series = dataset.patients.first(where: { $0.id == chosen.patientID })?.series.first(where: { $0.name == chosen.series })
        else { return nil }
        return (chosen, series)
    }

    /// Path of image number `number` in `series`.
    static func path(_ series: Series, _ number: Int) -> String? {
        series.slices.first { $0.imageNumber == number }?.path
    }
}
