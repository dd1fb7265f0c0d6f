/// Keras `BatchNormalization` over the channel axis: `name/gamma`, `name/beta` (trainable),
/// `name/moving_mean`, `name/moving_variance` (not trainable). Keras defaults: momentum 0.99,
/// epsilon 1e-3 (ResNet50V2 uses 1.001e-5). See `BatchNormOp` for the arithmetic.
public final class BatchNormalization: Layer {
    public let name: String
    public let momentum: Float
    public let epsilon: Float
    public private(set) var gamma: Parameter!
    public private(set) var beta: Parameter!
    public private(set) var movingMean: Parameter!
    public private(set) var movingVariance: Parameter!
    private var cache = BatchNormOp.Cache()
    private var output = Tensor.zeros([0])

    public init(_ name: String, momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.name = name; self.momentum = momentum; self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance] }

    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let c = inputShapes[0].last!
        gamma = Parameter(name: "\(name)/gamma", value: Initializer.ones.make([c], rng: &rng))
        beta = Parameter(name: "\(name)/beta", value: Initializer.zeros.make([c], rng: &rng))
        movingMean = Parameter(name: "\(name)/moving_mean", value: Tensor.zeros([c]), trainable: false)
        movingVariance = Parameter(name: "\(name)/moving_variance", value: Initializer.ones.make([c], rng: &rng), trainable: false)
        return inputShapes[0]
    }

    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        BatchNormOp.forward(
            inputs[0], gamma: gamma.value, beta: beta.value,
            movingMean: &movingMean.value, movingVariance: &movingVariance.value,
            momentum: momentum, epsilon: epsilon, training: mode == .training,
            cache: &cache, into: &output)
        return output
    }

    /// Inference's per-channel affine map `y = x·scale + shift`, computed as `BatchNormOp`
    /// does: `scale = gamma / sqrt(moving_variance + epsilon)`, `shift = beta - moving_mean·scale`.
    public func inferenceScaleShift() -> (scale: [Float], shift: [Float]) {
        let c = gamma.value.count
        var scale = [Float](repeating: 0, count: c), shift = scale
        for i in 0..<c {
            let invStd = Float(1 / (Double(movingVariance.value.data[i]) + Double(epsilon)).squareRoot())
            scale[i] = gamma.value.data[i] * invStd
            shift[i] = beta.value.data[i] - movingMean.value.data[i] * scale[i]
        }
        return (scale, shift)
    }

    /// Inference forward followed by a ReLU in the same pass (`Graph`'s inference fusion of a
    /// BatchNormalization whose only consumer is a ReLU): `y = max(x·scale + shift, 0)`.
    func inferenceForwardReLU(_ x: Tensor) -> Tensor {
        let (scale, shift) = inferenceScaleShift()
        BatchNormOp.affineReLU(x, scale: scale, shift: shift, into: &output)
        return output
    }

    /// `max(BN(x), 0)` in one pass (`Graph`'s training fusion of a BatchNormalization whose only
    /// consumer is a ReLU); batch statistics and moving averages as `forward`.
    func fusedReLUForward(_ x: Tensor, mode: Mode) -> Tensor {
        BatchNormOp.forward(
            x, gamma: gamma.value, beta: beta.value,
            movingMean: &movingMean.value, movingVariance: &movingVariance.value,
            momentum: momentum, epsilon: epsilon, training: mode == .training, relu: true,
            cache: &cache, into: &output)
        return output
    }

    /// The backward of `fusedReLUForward`: `dy` is the gradient of the ReLU's output `reluOutput`.
    func fusedReLUBackward(
        _ dy: Tensor, input x: Tensor, reluOutput: Tensor, needInputGradient: Bool,
        mode: Mode, context: ExecutionContext
    ) -> Tensor? {
        var dx: Tensor? = needInputGradient ? context.gradientBuffer(x.shape) : nil
        BatchNormOp.backward(
            dy, x: x, gamma: gamma.value, cache: cache, training: mode == .training, reluOutput: reluOutput,
            dGamma: &gamma.gradient, dBeta: &beta.gradient, dx: &dx)
        return dx
    }

    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        var dx: Tensor? = needInputGradients[0] ? context.gradientBuffer(inputs[0].shape) : nil
        BatchNormOp.backward(
            dy, x: inputs[0], gamma: gamma.value, cache: cache, training: mode == .training,
            dGamma: &gamma.gradient, dBeta: &beta.gradient, dx: &dx)
        return [dx]
    }
}
