/// Whether a pass trains (batch statistics, dropout on) or infers (moving statistics, dropout off).
/// Always passed explicitly; the engine has no global mode.
public enum Mode: Sendable, Equatable {
    case training
    case inference
}

/// A named weight tensor and its gradient.
///
/// Names follow Keras 3 variable paths: layer name + "/" + variable, e.g. `conv1_conv/kernel`,
/// `post_bn/moving_mean`. Non-trainable parameters (BN moving statistics) are saved and loaded
/// but never updated by an optimizer; their `gradient` stays zero.
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var gradient: Tensor
    public let trainable: Bool

    public init(name: String, value: Tensor, trainable: Bool = true) {
        self.name = name
        self.value = value
        self.gradient = Tensor(shape: value.shape)
        self.trainable = trainable
    }

    /// Sets the gradient to zero (keeps the storage).
    public func zeroGradient() { gradient.resize(to: value.shape, zero: true) }
}

/// Per-graph resources shared by the layers during a pass (e.g. the im2col workspace).
public final class ExecutionContext {
    /// Scratch memory for im2col/col2im, reused across layers and steps.
    public let workspace = Workspace()
    public init() {}
}

/// A node operation of a `Graph`: forward and backward side by side.
///
/// Shapes passed to `build` are per-sample (no batch axis); tensors passed to `forward` and
/// `backward` carry the batch axis first.
public protocol Layer: AnyObject {
    /// The Keras layer name; parameter names are prefixed with it.
    var name: String { get }
    /// Trainable and non-trainable parameters, in Keras's weight order.
    var parameters: [Parameter] { get }
    /// Creates the parameters for the given per-sample input shapes (drawing from `rng`) and
    /// returns the per-sample output shape. Called once, when the layer is added to a graph.
    func build(inputShapes: [[Int]], rng: inout RNG) -> [Int]
    /// Computes the output from the inputs.
    func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor
    /// Accumulates parameter gradients (`+=`) and returns the gradient for each input for which
    /// `needInputGradients[i]` is true (nil otherwise). `inputs` and `output` are the tensors of
    /// the matching forward pass.
    func backward(_ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
                  mode: Mode, context: ExecutionContext) -> [Tensor?]
}

extension Layer {
    public var parameters: [Parameter] { [] }
}
