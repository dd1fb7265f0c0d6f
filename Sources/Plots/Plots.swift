import CCairo
import CPNG

/// Plots: publication figures on Cairo (PNG and SVG) that look like matplotlib's defaults
/// (DejaVu Sans, tab10 colours, viridis). It knows nothing of CT or the paper: it takes
/// numbers, labels and images.
///
/// The model is matplotlib's: a `Figure` holds a grid of panels; an `Axes` owns the
/// data-to-figure mapping, ticks, labels, legend and colour bar; series (lines, bars, matrix
/// cells, images, rectangles) draw themselves through it. A `Diagram` panel draws
/// box-and-arrow charts. `RasterPNG` exports raw 16-bit grey and 8-bit RGB pixels losslessly.
///
///     let fig = Figure(width: 6.4, height: 4.8, dpi: 100)
///     let ax = fig.addAxes(row: 0, col: 0)
///     ax.line(x: epochs, y: accuracy, label: "train", marker: .circle)
///     ax.xLabel = "Epoch"; ax.yLabel = "Accuracy (%)"; ax.grid = true
///     try fig.savePNG("fig11.png"); try fig.saveSVG("fig11.svg")
public enum Plots {
    /// The module's version, recorded in manifests.
    public static let version = "0.2.0"

    /// The linked libraries' versions by name (Cairo), for manifests.
    public static var libraryVersions: [String: String] {
        ["cairo": String(cString: cairo_version_string())]
    }
}
