/// Keras `Conv2D`: kernel `[KH, KW, C, OC]` (`name/kernel`), optional bias `[OC]` (`name/bias`).
/// Input `[N, H, W, C]` → output `[N, OH, OW, OC]` (see `Conv2DOp`, `Padding`).
public final class Conv2D: Layer {
    public let name: String
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    private var output = Tensor.zeros([0])

    /// Keras defaults: strides 1, padding 'valid', bias on, glorot-uniform kernel, zero bias.
    public init(_ name: String, filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
                biasInitializer: Initializer = .zeros) {
        self.name = name; self.filters = filters
        self.kernelSize = (kernelSize, kernelSize); self.strides = (strides, strides)
        self.padding = padding; self.useBias = useBias
        self.kernelInitializer = kernelInitializer; self.biasInitializer = biasInitializer
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let s = inputShapes[0]
        precondition(s.count == 3, "\(name): expects [H, W, C], got \(s)")
        kernel = Parameter(name: "\(name)/kernel",
                           value: kernelInitializer.make([kernelSize.0, kernelSize.1, s[2], filters], rng: &rng))
        if useBias { bias = Parameter(name: "\(name)/bias", value: biasInitializer.make([filters], rng: &rng)) }
        let g = geometry(Shape([1] + s))
        return [g.h.output, g.w.output, filters]
    }

    func geometry(_ input: Shape) -> ConvGeometry {
        ConvGeometry(input: input, kernel: kernelSize, stride: strides, padding: padding)
    }

    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        Conv2DOp.forward(inputs[0], kernel: kernel.value, bias: bias?.value, geometry: geometry(inputs[0].shape),
                         workspace: context.workspace, into: &output)
        return output
    }

    public func backward(_ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
                         mode: Mode, context: ExecutionContext) -> [Tensor?] {
        var dBias: Tensor? = bias?.gradient.take()     // moved out: updated in place, not copied
        var dx: Tensor? = needInputGradients[0] ? context.gradientBuffer(inputs[0].shape) : nil
        Conv2DOp.backward(dy, x: inputs[0], kernel: kernel.value, geometry: geometry(inputs[0].shape),
                          workspace: context.workspace, dKernel: &kernel.gradient, dBias: &dBias, dx: &dx)
        if let dBias { bias!.gradient = dBias }
        return [dx]
    }
}
