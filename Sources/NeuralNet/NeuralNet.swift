import CBLAS
import Foundation

/// NeuralNet: a small CPU deep-learning engine over OpenBLAS (NHWC, Float32).
/// It knows nothing of CT scans or the paper.
///
/// Map: `Tensor/` (Tensor, Shape, RNG, Initializer), `Ops/` (kernels, forward and backward side
/// by side), `Layers/` (Layer protocol, Keras-named layers, Graph), `Optimizers/` (Nadam),
/// `IO/` (safetensors), `Bench/` (the engine benchmark).
public enum NeuralNet {
    /// The engine's version, recorded in manifests.
    public static let version = "0.1.0"

    /// The linked libraries' versions by name (OpenBLAS's configuration string), for manifests.
    public static var libraryVersions: [String: String] {
        guard let config = openblas_get_config() else { return [:] }
        return ["openblas": String(cString: config).trimmingCharacters(in: .whitespaces)]
    }
}
