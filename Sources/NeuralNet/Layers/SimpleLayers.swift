/// Parameter-free layers: activation, pooling, padding, reshaping, merging, resizing, dropout.
/// Each keeps a Keras layer name so the graph's node names match Keras models.

/// Keras `Activation('relu')` / `ReLU`.
public final class ReLU: Layer {
    public let name: String
    private var output = Tensor.zeros([0])
    public init(_ name: String) { self.name = name }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] { inputShapes[0] }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        ElementwiseOp.reluForward(inputs[0], into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        guard needInputGradients[0] else { return [nil] }
        var dx = context.gradientBuffer(dy.shape)
        ElementwiseOp.reluBackward(dy, output: output, into: &dx)
        return [dx]
    }
}

/// Keras `MaxPooling2D(pool_size, strides, padding)`; strides default to the pool size.
public final class MaxPooling2D: Layer {
    public let name: String
    public let poolSize: Int, strides: Int, padding: Padding
    private var argmax: [Int32] = []
    private var output = Tensor.zeros([0])
    public init(_ name: String, poolSize: Int, strides: Int? = nil, padding: Padding = .valid) {
        self.name = name; self.poolSize = poolSize; self.strides = strides ?? poolSize; self.padding = padding
    }
    func geometry(_ s: Shape) -> ConvGeometry {
        ConvGeometry(input: s, kernel: (poolSize, poolSize), stride: (strides, strides), padding: padding)
    }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let g = geometry(Shape([1] + inputShapes[0]))
        return [g.h.output, g.w.output, inputShapes[0][2]]
    }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        PoolingOp.maxPoolForward(inputs[0], geometry: geometry(inputs[0].shape), into: &output, argmax: &argmax)
        return output
    }

    /// Inference without the argmax, for `Graph`'s inference plan (no backward can follow).
    func inferenceForward(_ x: Tensor) -> Tensor {
        PoolingOp.maxPoolInference(x, geometry: geometry(x.shape), into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        guard needInputGradients[0] else { return [nil] }
        var dx = context.gradientBuffer(inputs[0].shape)
        PoolingOp.maxPoolBackward(dy, geometry: geometry(inputs[0].shape), argmax: argmax, into: &dx)
        return [dx]
    }
}

/// Keras `GlobalAveragePooling2D`: `[N, H, W, C]` → `[N, C]`.
public final class GlobalAveragePooling2D: Layer {
    public let name: String
    private var output = Tensor.zeros([0])
    public init(_ name: String) { self.name = name }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] { [inputShapes[0][2]] }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        PoolingOp.globalAverageForward(inputs[0], into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        guard needInputGradients[0] else { return [nil] }
        var dx = context.gradientBuffer(inputs[0].shape)
        PoolingOp.globalAverageBackward(dy, inputShape: inputs[0].shape, into: &dx)
        return [dx]
    }
}

/// Keras `ZeroPadding2D(((top, bottom), (left, right)))`.
public final class ZeroPadding2D: Layer {
    public let name: String
    public let top: Int, bottom: Int, left: Int, right: Int
    private var output = Tensor.zeros([0])
    public init(_ name: String, padding: ((Int, Int), (Int, Int))) {
        self.name = name
        top = padding.0.0; bottom = padding.0.1; left = padding.1.0; right = padding.1.1
    }
    public convenience init(_ name: String, padding: Int) { self.init(name, padding: ((padding, padding), (padding, padding))) }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let s = inputShapes[0]
        return [s[0] + top + bottom, s[1] + left + right, s[2]]
    }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        SpatialOp.zeroPadForward(inputs[0], top: top, bottom: bottom, left: left, right: right, into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        guard needInputGradients[0] else { return [nil] }
        var dx = context.gradientBuffer(inputs[0].shape)
        SpatialOp.zeroPadBackward(dy, top: top, bottom: bottom, left: left, right: right, into: &dx)
        return [dx]
    }
}

/// Keras `Flatten`: `[N, ...]` → `[N, product]` (row-major, i.e. NHWC order).
public final class Flatten: Layer {
    public let name: String
    public init(_ name: String) { self.name = name }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] { [inputShapes[0].reduce(1, *)] }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        inputs[0].reshaped([inputs[0].shape[0], inputs[0].count / max(inputs[0].shape[0], 1)])
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        [needInputGradients[0] ? dy.reshaped(inputs[0].shape.dims) : nil]
    }
}

/// Keras `Concatenate(axis=-1)`: joins the channel axis of inputs of equal leading shape.
public final class Concatenate: Layer {
    public let name: String
    private var output = Tensor.zeros([0])
    public init(_ name: String) { self.name = name }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        let lead = Array(inputShapes[0].dropLast())
        precondition(inputShapes.allSatisfy { Array($0.dropLast()) == lead }, "\(name): shapes \(inputShapes)")
        return lead + [inputShapes.reduce(0) { $0 + $1.last! }]
    }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        SpatialOp.concatForward(inputs, into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        var parts = inputs.map { context.gradientBuffer($0.shape) }
        SpatialOp.concatBackward(dy, widths: inputs.map { $0.shape.dims.last! }, into: &parts)
        return zip(parts, needInputGradients).map { part, need in
            if need { return part }
            context.recycle(part)
            return nil
        }
    }
}

/// Keras `Add`: element-wise sum of inputs of equal shape (residual connections).
public final class Add: Layer {
    public let name: String
    private var output = Tensor.zeros([0])
    public init(_ name: String) { self.name = name }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        precondition(inputShapes.allSatisfy { $0 == inputShapes[0] }, "\(name): shapes \(inputShapes)")
        return inputShapes[0]
    }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        ElementwiseOp.addForward(inputs, into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        needInputGradients.map { $0 ? dy : nil }
    }
}

/// The FPN's `UpsampleLike` (keras-retinanet): resizes input 0 by nearest neighbour to the
/// height and width of input 1 (which receives no gradient). See `SpatialOp.nearestSource`.
public final class UpsampleLike: Layer {
    public let name: String
    private var output = Tensor.zeros([0])
    public init(_ name: String) { self.name = name }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] {
        precondition(inputShapes.count == 2, "\(name): needs [source, reference]")
        return [inputShapes[1][0], inputShapes[1][1], inputShapes[0][2]]
    }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        SpatialOp.resizeNearestForward(inputs[0], height: inputs[1].shape[1], width: inputs[1].shape[2], into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        guard needInputGradients[0] else { return [nil, nil] }
        var dx = context.gradientBuffer(inputs[0].shape)
        SpatialOp.resizeNearestBackward(dy, inputShape: inputs[0].shape, into: &dx)
        return [dx, nil]
    }
}

/// Keras `Dropout(rate, seed)`: active only in training; the mask comes from the layer's own
/// seeded generator, so a run is reproducible from the seed.
public final class Dropout: Layer {
    public let name: String
    public let rate: Double
    private var rng: RNG
    private var mask: [Float] = []
    private var output = Tensor.zeros([0])
    public init(_ name: String, rate: Double, seed: UInt64) {
        self.name = name; self.rate = rate; rng = RNG(seed: seed)
    }
    public func build(inputShapes: [[Int]], rng: inout RNG) -> [Int] { inputShapes[0] }
    public func forward(_ inputs: [Tensor], mode: Mode, context: ExecutionContext) -> Tensor {
        guard mode == .training, rate > 0 else { return inputs[0] }
        LossOp.dropoutForward(inputs[0], rate: rate, rng: &rng, mask: &mask, into: &output)
        return output
    }
    public func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?] {
        guard needInputGradients[0] else { return [nil] }
        guard mode == .training && rate > 0 else { return [dy] }
        var dx = context.gradientBuffer(dy.shape)
        LossOp.dropoutBackward(dy, mask: mask, into: &dx)
        return [dx]
    }
}
