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
    /// The weights. Every write (assignment, in-place update by an optimizer, loading) bumps
    /// `version`, so layers can cache tensors derived from the value (e.g. a transformed kernel).
    public var value: Tensor {
        get { storedValue }
        // In place (no copy of the weights), unlike `didSet`, which copies on in-place writes.
        _modify { version &+= 1; yield &storedValue }
        set { version &+= 1; storedValue = newValue }
    }
    private var storedValue: Tensor
    /// Incremented by every write to `value`.
    public private(set) var version = 0
    public var gradient: Tensor
    public let trainable: Bool

    public init(name: String, value: Tensor, trainable: Bool = true) {
        self.name = name
        self.storedValue = value
        self.gradient = Tensor(shape: value.shape)
        self.trainable = trainable
    }

    /// Sets the gradient to zero (keeps the storage).
    public func zeroGradient() { gradient.resize(to: value.shape, zero: true) }
}

/// Per-graph resources shared by the layers during a pass: the im2col workspace and a pool of
/// gradient buffers.
///
/// The pool makes a fixed-shape training step allocate no new gradient buffers after the first
/// step: a layer's `backward` takes its input-gradient tensors from `gradientBuffer(_:)`, and the
/// graph hands each activation gradient back with `recycle(_:)` once no node's gradient refers
/// to its storage any more. Buffers are matched by element count. Buffers not handed back during
/// a whole backward pass (e.g. of a batch size no longer used) are dropped by `endPass()`.
public final class ExecutionContext {
    /// Scratch memory for im2col/col2im, reused across layers and steps.
    public let workspace = Workspace()
    private var pool: [Int: [Tensor]] = [:]
    private var recycledThisPass: [Int: Int] = [:]

    public init() {}

    /// A tensor of `shape` with unspecified contents (zeroed if `zero`): a pooled buffer of the
    /// same element count if one is free, else a new one.
    public func gradientBuffer(_ shape: Shape, zero: Bool = false) -> Tensor {
        if var t = pool[shape.count]?.popLast() {
            t.resize(to: shape, zero: zero)
            return t
        }
        return Tensor(shape: shape)
    }

    /// Returns a buffer to the pool. The caller must hold the last reference to its storage
    /// (otherwise a later writer would copy it: correct, but a new allocation).
    public func recycle(_ t: Tensor) {
        guard t.count > 0 else { return }
        pool[t.count, default: []].append(t)
        recycledThisPass[t.count, default: 0] += 1
    }

    /// Ends a backward pass: keeps per element count at most as many pooled buffers as were
    /// recycled during the pass, so buffers of shapes no longer used do not pile up.
    public func endPass() {
        for (count, list) in pool {
            let keep = recycledThisPass[count] ?? 0
            if keep == 0 { pool[count] = nil } else if list.count > keep { pool[count] = Array(list.suffix(keep)) }
        }
        recycledThisPass = [:]
    }

    /// Drops every pooled buffer.
    public func releaseBuffers() { pool = [:]; recycledThisPass = [:] }

    /// Number of pooled buffers (for tests).
    public var pooledBufferCount: Int { pool.values.reduce(0) { $0 + $1.count } }
}

extension Tensor {
    /// Moves the value out, leaving an empty tensor, so the returned value holds the only
    /// reference to the storage (a write through it then needs no copy).
    @inline(__always) mutating func take() -> Tensor {
        let t = self
        self = Tensor(shape: Shape([0]), data: [])
        return t
    }

    /// Base address of the storage (nil when empty): tells whether two tensors share elements.
    var storageAddress: UnsafeRawPointer? {
        count == 0 ? nil : data.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
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
    func backward(
        _ dy: Tensor, inputs: [Tensor], output: Tensor, needInputGradients: [Bool],
        mode: Mode, context: ExecutionContext
    ) -> [Tensor?]
}

extension Layer {
    public var parameters: [Parameter] { [] }
}
