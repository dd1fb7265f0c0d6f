import CCMarkGFM
import Mustache

/// Report: the paper's reference values, the figure/table registry, comparisons and rendering.
public enum Report {
    /// The module's version, recorded in manifests.
    public static let version = "0.1.0"
}
