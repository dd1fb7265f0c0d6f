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
    public init(
        _ name: String, filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
        useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
        biasInitializer: Initializer = .zeros
    ) {
        self.name = name; self.filters = filters
        self.kernelSize = (kernelSize, kernelSize); self.strides = (strides, strides)
        self.padding = padding; self.useBias = useBias
        self.kernelInitializer = kernelInitializer; self.biasInitializer = biasInitializer
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let s = inputShapes[0]
        precondition(s.count == 3, "\(name): expects [H, W, C], got \(s)")
        kernel = Parameter(
            name: "\(name)/kernel",
            value: kernelInitializer.make([kernelSize.0, kernelSize.1, s[2], filters], rng: &rng))
        if useBias { bias = Parameter(name: "\(name)/bias", value: biasInitializer.make([filters], rng: &rng)) }
        let g = geometry(Shape([1] + s))
        return [g.h.output, g.w.output, filters]
    }

    func geometry(_ input: Shape) -> ConvGeometry {
        ConvGeometry(input: input, kernel: kernelSize, stride: strides, padding: padding)
    }

    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        let g = geometry(inputs[0].shape)
        if mode == .inference && Self.usesWinograd(g, filters: filters) {
            inferenceForward(inputs[0], geometry: g, workspace: context.workspace, into: &output)
            return output
        }
        Conv2DOp.forward(
            inputs[0], kernel: kernel.value, bias: bias?.value, geometry: g,
            workspace: context.workspace, into: &output)
        return output
    }

    /// Whether inference runs through `WinogradConvOp`: 3×3 stride 1 with at least
    /// `winogradMinimumChannels` input and output channels. Measured: ResNet50V2's 3×3 layers
    /// (64–512 channels) take about half the time of im2col; at 16–32 channels (width 0.125) the
    /// 16 thin GEMMs and the transforms take twice as long as im2col.
    static func usesWinograd(_ g: ConvGeometry, filters: Int) -> Bool {
        Engine.options.inferenceFastPaths && WinogradConvOp.applies(g) && g.c >= Engine.options.winogradMinimumChannels
            && filters >= Engine.options.winogradMinimumChannels
    }

    /// The geometry of this convolution applied to `x` zero-padded by `pad` (top, bottom, left,
    /// right), expressed on `x` itself: the padding becomes part of the window's `padBefore`.
    func geometry(_ x: Shape, zeroPadding pad: (Int, Int, Int, Int)) -> ConvGeometry {
        let p = geometry(Shape([x[0], x[1] + pad.0 + pad.1, x[2] + pad.2 + pad.3, x[3]]))
        return ConvGeometry(
            n: x[0], c: x[3],
            h: WindowAxis(
                input: x[1], kernel: p.h.kernel, stride: p.h.stride, output: p.h.output,
                padBefore: p.h.padBefore + pad.0),
            w: WindowAxis(
                input: x[2], kernel: p.w.kernel, stride: p.w.stride, output: p.w.output,
                padBefore: p.w.padBefore + pad.2))
    }

    /// Kernel and bias as inference uses them: with a following batch normalisation folded in
    /// (`k·s`, `b·s + h` per output channel, `s`/`h` from `BatchNormalization.inferenceScaleShift`)
    /// and, for Winograd, transformed. Rebuilt when any source parameter has been written since.
    private struct PreparedKernel {
        var key: [Int]
        var kernel: [Float]  // empty: use `kernel.value` as is
        var bias: [Float]?
    }
    private var prepared: PreparedKernel?

    private func prepare(c: Int, winograd: Int?, fold bn: BatchNormalization?) -> PreparedKernel {
        var key = [kernel.version, bias?.version ?? -1, winograd ?? 0, c]
        if let bn { key += [bn.gamma.version, bn.beta.version, bn.movingMean.version, bn.movingVariance.version] } else { key.append(-1) }
        if let p = prepared, p.key == key { return p }
        var scale: [Float]? = nil
        var b = bias?.value.data
        if let bn {
            let (s, h) = bn.inferenceScaleShift()
            scale = s
            b = (0..<filters).map { o in (b?[o] ?? 0) * s[o] + h[o] }
        }
        var k: [Float] = []
        if let m = winograd {
            k = [Float](repeating: 0, count: WinogradConvOp.transformedKernelCount(c: c, oc: filters, m: m))
            kernel.value.data.withUnsafeBufferPointer { kp in
                k.withUnsafeMutableBufferPointer { up in
                    if let scale {
                        scale.withUnsafeBufferPointer {
                            WinogradConvOp.transformKernel(
                                kp.baseAddress!, c: c, oc: filters, m: m, scale: $0.baseAddress!, into: up.baseAddress!)
                        }
                    } else {
                        WinogradConvOp.transformKernel(kp.baseAddress!, c: c, oc: filters, m: m, scale: nil, into: up.baseAddress!)
                    }
                }
            }
        } else if let scale {
            k = kernel.value.data
            for i in k.indices { k[i] *= scale[i % filters] }
        }
        prepared = PreparedKernel(key: key, kernel: k, bias: b)
        return prepared!
    }

    /// Inference forward with the fusions of `Graph`'s inference plan: the input zero-padded by
    /// `zeroPadding` first (not materialised), a following batch normalisation `fold` folded
    /// into the kernel, `residual` (a following `Add`'s other operand) added, then `relu`.
    /// Equal to the unfused layers up to float rounding. 3×3 stride-1 convolutions with ≥ 16
    /// channels run through `WinogradConvOp`, the others through `Conv2DOp.inferenceForward`.
    func inferenceForward(
        _ x: Tensor, geometry g: ConvGeometry, fold: BatchNormalization? = nil, residual: Tensor? = nil,
        relu: Bool = false, workspace: Workspace, into y: inout Tensor
    ) {
        let winograd = Self.usesWinograd(g, filters: filters) ? WinogradConvOp.tileSize(g) : nil
        let p = prepare(c: g.c, winograd: winograd, fold: fold)
        y.resize(to: Shape([g.n, g.h.output, g.w.output, filters]))
        if let residual { precondition(residual.shape == y.shape, "\(name): residual \(residual.shape) ≠ output \(y.shape)") }
        let source = p.kernel.isEmpty ? kernel.value.data : p.kernel
        let bias = p.bias ?? []
        let res = residual?.data ?? []
        x.data.withUnsafeBufferPointer { xp in
            source.withUnsafeBufferPointer { kp in
                bias.withUnsafeBufferPointer { bp in
                    res.withUnsafeBufferPointer { rp in
                        y.withUnsafeMutableElements { yp in
                            let e = ConvEpilogue(
                                bias: p.bias == nil ? nil : bp.baseAddress!,
                                residual: residual == nil ? nil : rp.baseAddress!, relu: relu)
                            if let m = winograd {
                                WinogradConvOp.forward(
                                    xp.baseAddress!, g, u: kp.baseAddress!, oc: filters, m: m, epilogue: e,
                                    workspace: workspace, y: yp.baseAddress!)
                            } else {
                                Conv2DOp.inferenceForward(
                                    xp.baseAddress!, g, kernel: kp.baseAddress!, oc: filters, epilogue: e,
                                    workspace: workspace, y: yp.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `inferenceForward` into the layer's own output buffer (a step of `Graph`'s inference plan).
    func fusedInference(
        _ x: Tensor, geometry g: ConvGeometry, fold: BatchNormalization?, residual: Tensor?, relu: Bool,
        workspace: Workspace
    ) -> Tensor {
        inferenceForward(x, geometry: g, fold: fold, residual: residual, relu: relu, workspace: workspace, into: &output)
        return output
    }

    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        var dBias: Tensor? = bias?.gradient.take()  // moved out: updated in place, not copied
        var dx: Tensor? = needInputGradients[0] ? context.gradientBuffer(inputs[0].shape) : nil
        Conv2DOp.backward(
            dy, x: inputs[0], kernel: kernel.value, geometry: geometry(inputs[0].shape),
            workspace: context.workspace, dKernel: &kernel.gradient, dBias: &dBias, dx: &dx)
        if let dBias { bias!.gradient = dBias }
        return [dx]
    }
}
