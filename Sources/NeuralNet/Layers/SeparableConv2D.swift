/// Keras `DepthwiseConv2D` (depth multiplier 1): kernel `[KH, KW, C, 1]` (`name/depthwise_kernel`),
/// optional bias `[C]` (`name/bias`).
public final class DepthwiseConv2D: Layer {
    public let name: String
    public let kernelSize: (Int, Int), strides: (Int, Int), padding: Padding, useBias: Bool
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    private var output = Tensor.zeros([0])

    public init(_ name: String, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, useBias: Bool = true) {
        self.name = name; self.kernelSize = (kernelSize, kernelSize); self.strides = (strides, strides)
        self.padding = padding; self.useBias = useBias
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let s = inputShapes[0]
        kernel = Parameter(
            name: "\(name)/depthwise_kernel",
            value: Initializer.glorotUniform.make([kernelSize.0, kernelSize.1, s[2], 1], rng: &rng))
        if useBias { bias = Parameter(name: "\(name)/bias", value: Tensor.zeros([s[2]])) }
        let g = ConvGeometry(input: Shape([1] + s), kernel: kernelSize, stride: strides, padding: padding)
        return [g.h.output, g.w.output, s[2]]
    }

    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        let g = ConvGeometry(input: inputs[0].shape, kernel: kernelSize, stride: strides, padding: padding)
        DepthwiseConv2DOp.forward(inputs[0], kernel: kernel.value, geometry: g, into: &output)
        if let b = bias?.value { addBias(&output, b) }
        return output
    }

    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        let g = ConvGeometry(input: inputs[0].shape, kernel: kernelSize, stride: strides, padding: padding)
        if let bias { biasGradient(dy, into: &bias.gradient) }
        var dx: Tensor? = needInputGradients[0] ? context.gradientBuffer(inputs[0].shape) : nil
        DepthwiseConv2DOp.backward(dy, x: inputs[0], kernel: kernel.value, geometry: g, dKernel: &kernel.gradient, dx: &dx)
        return [dx]
    }
}

/// Keras `SeparableConv2D` (Xception, §2.3): a depthwise convolution (`name/depthwise_kernel`
/// `[KH, KW, C, 1]`, with the layer's stride and padding) followed by a 1×1 convolution
/// (`name/pointwise_kernel` `[1, 1, C, OC]`) and an optional bias (`name/bias` `[OC]`).
public final class SeparableConv2D: Layer {
    public let name: String
    public let filters: Int, kernelSize: (Int, Int), strides: (Int, Int), padding: Padding, useBias: Bool
    public private(set) var depthwise: Parameter!
    public private(set) var pointwise: Parameter!
    public private(set) var bias: Parameter?
    private var middle = Tensor.zeros([0])
    private var output = Tensor.zeros([0])

    public init(
        _ name: String, filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
        useBias: Bool = true
    ) {
        self.name = name; self.filters = filters; self.kernelSize = (kernelSize, kernelSize)
        self.strides = (strides, strides); self.padding = padding; self.useBias = useBias
    }

    public var parameters: [Parameter] { [depthwise, pointwise] + (bias.map { [$0] } ?? []) }

    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let s = inputShapes[0]
        depthwise = Parameter(
            name: "\(name)/depthwise_kernel",
            value: Initializer.glorotUniform.make([kernelSize.0, kernelSize.1, s[2], 1], rng: &rng))
        pointwise = Parameter(
            name: "\(name)/pointwise_kernel",
            value: Initializer.glorotUniform.make([1, 1, s[2], filters], rng: &rng))
        if useBias { bias = Parameter(name: "\(name)/bias", value: Tensor.zeros([filters])) }
        let g = ConvGeometry(input: Shape([1] + s), kernel: kernelSize, stride: strides, padding: padding)
        return [g.h.output, g.w.output, filters]
    }

    private func geometries(_ x: Shape) -> (ConvGeometry, ConvGeometry) {
        let g = ConvGeometry(input: x, kernel: kernelSize, stride: strides, padding: padding)
        let p = ConvGeometry(input: Shape([x[0], g.h.output, g.w.output, x[3]]), kernel: (1, 1), stride: (1, 1), padding: .valid)
        return (g, p)
    }

    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        let (g, p) = geometries(inputs[0].shape)
        DepthwiseConv2DOp.forward(inputs[0], kernel: depthwise.value, geometry: g, into: &middle)
        Conv2DOp.forward(
            middle, kernel: pointwise.value, bias: bias?.value, geometry: p,
            workspace: context.workspace, into: &output)
        return output
    }

    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        let (g, p) = geometries(inputs[0].shape)
        var dBias: Tensor? = bias?.gradient.take()  // moved out: updated in place, not copied
        var dMiddle: Tensor? = context.gradientBuffer(middle.shape)
        // forward: output = pointwise(middle) + bias
        Conv2DOp.backward(
            dy, x: middle, kernel: pointwise.value, geometry: p, workspace: context.workspace,
            dKernel: &pointwise.gradient, dBias: &dBias, dx: &dMiddle)
        if let dBias { bias!.gradient = dBias }
        // forward: middle = depthwise(x)
        var dx: Tensor? = needInputGradients[0] ? context.gradientBuffer(inputs[0].shape) : nil
        DepthwiseConv2DOp.backward(
            dMiddle!, x: inputs[0], kernel: depthwise.value, geometry: g,
            dKernel: &depthwise.gradient, dx: &dx)
        let used = dMiddle!
        dMiddle = nil
        context.recycle(used)
        return [dx]
    }
}

/// Adds `b [C]` to every row of `y [..., C]`.
func addBias(_ y: inout Tensor, _ b: Tensor) {
    let C = b.count, rows = y.count / C
    y.withUnsafeMutableElements { yp in
        b.data.withUnsafeBufferPointer { bp in
            let yb = yp.baseAddress!, bb = bp.baseAddress!
            Parallel.forChunks(rows, chunk: max(1, Chunk.elements / C), work: 2 * rows * C) { _, r in
                for row in r { for c in 0..<C { yb[row * C + c] += bb[c] } }
            }
        }
    }
}

/// `g[c] += Σ_rows dy[row, c]` with a fixed-chunk reduction.
func biasGradient(_ dy: Tensor, into g: inout Tensor) {
    let C = g.count, rows = dy.count / C
    let sums = dy.data.withUnsafeBufferPointer { dp in
        let d = dp.baseAddress!
        return Parallel.columnSums(rows: rows, cols: C) { r, acc in
            for c in 0..<C { acc[c] += Double(d[r * C + c]) }
        }
    }
    for c in 0..<C { g.data[c] += Float(sums[c]) }
}
