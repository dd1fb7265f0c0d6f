import CBLAS
/// NeuralNet: a small CPU deep-learning engine over OpenBLAS (NHWC, Float32).
/// It knows nothing of CT scans or the paper.
public enum NeuralNet {
    /// The engine's version, recorded in manifests.
    public static let version = "0.1.0"
}
