import CCairo
import CPNG
/// Plots: charts and images on Cairo (PNG and SVG). It knows nothing of CT or the paper.
public enum Plots {
    /// The module's version, recorded in manifests.
    public static let version = "0.1.0"
}
