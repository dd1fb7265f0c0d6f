/// Keras `Dense` without activation: `[N, C]` → `[N, units]`; `name/kernel [C, units]`,
/// `name/bias [units]`. The paper's heads use `RandomNormal(0, 0.001)` kernels (§2.3); a
/// softmax output is applied by the loss (`LossOp.softmaxCrossEntropy`) or `LossOp.softmax`.
public final class Dense: Layer {
    public let name: String
    public let units: Int
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    private var output = Tensor.zeros([0])

    public init(
        _ name: String, units: Int, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros
    ) {
        self.name = name; self.units = units; self.useBias = useBias
        self.kernelInitializer = kernelInitializer; self.biasInitializer = biasInitializer
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        precondition(inputShapes[0].count == 1, "\(name): Dense expects a flat input, got \(inputShapes[0])")
        kernel = Parameter(name: "\(name)/kernel", value: kernelInitializer.make([inputShapes[0][0], units], rng: &rng))
        if useBias { bias = Parameter(name: "\(name)/bias", value: biasInitializer.make([units], rng: &rng)) }
        return [units]
    }

    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        DenseOp.forward(inputs[0], kernel: kernel.value, bias: bias?.value, into: &output)
        return output
    }

    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        var dBias: Tensor? = bias?.gradient.take()  // moved out: updated in place, not copied
        var dx: Tensor? = needInputGradients[0] ? context.gradientBuffer(inputs[0].shape) : nil
        DenseOp.backward(dy, x: inputs[0], kernel: kernel.value, dKernel: &kernel.gradient, dBias: &dBias, dx: &dx)
        if let dBias { bias!.gradient = dBias }
        return [dx]
    }
}
