import Dispatch

/// A directed acyclic graph of layers with named nodes: branches, concatenations, several
/// inputs per node and several heads (ResNet50V2, Xception, the FPN; §2.3, Fig. 9).
///
/// Nodes are added in topological order (a node's inputs must exist), so the insertion order is
/// the forward order and its reverse the backward order. Parameters are created with the
/// graph's seeded generator when each layer is added.
///
/// ```swift
/// let g = Graph(seed: 1)
/// let x = g.input("input_1", shape: [64, 64, 1])
/// var h = g.add(Conv2D("conv1", filters: 8, kernelSize: 3, padding: .same), x)
/// h = g.add(ReLU("relu1"), h)
/// g.outputs = [g.add(Dense("fc", units: 2), g.add(GlobalAveragePooling2D("gap"), h))]
/// ```
public final class Graph {
    /// A handle to a node.
    public struct Node: Hashable, Sendable {
        public let index: Int
    }

    struct Entry {
        let name: String
        let layer: Layer?  // nil for an input placeholder
        let inputs: [Int]
        let shape: [Int]  // per-sample
        var needsGradient: Bool
    }

    private(set) var entries: [Entry] = []
    private var byName: [String: Int] = [:]
    private var inputIndices: [Int] = []
    private var layerIDs: Set<ObjectIdentifier> = []
    private var rng: RNG
    private(set) var values: [Tensor?] = []
    private var gradients: [Tensor?] = []
    private var lastMode: Mode = .inference
    /// Shared per-graph scratch memory.
    public let context = ExecutionContext()
    /// The nodes whose values `forward` returns, in order (the heads).
    public var outputs: [Node] = []
    /// The fused inference plan, built on first use for the current nodes and outputs.
    var inferencePlanCache: (nodes: Int, outputs: [Node], plan: InferencePlan)?
    /// Training fusions for the current nodes and outputs: BN node → its ReLU node.
    var trainingFusionCache: (nodes: Int, outputs: [Node], pairs: [Int: Int])?
    /// The BN → ReLU pairs fused in the last forward pass (empty unless training with fusion).
    private var fusedPairs: [Int: Int] = [:]
    /// When true, `forward` and `backward` add each layer's wall time (seconds) to `layerTimes`.
    public var profiling = false
    /// Accumulated wall time per layer name while `profiling` is on.
    public var layerTimes: [String: (forward: Double, backward: Double)] = [:]

    @inline(__always) private func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// A graph whose layers draw their initial weights from `RNG(seed:)` in insertion order.
    public init(seed: UInt64) { rng = RNG(seed: seed) }

    // MARK: - Building

    /// Adds an input placeholder with a per-sample shape (e.g. `[H, W, C]`).
    public func input(_ name: String, shape: [Int]) -> Node {
        append(Entry(name: name, layer: nil, inputs: [], shape: shape, needsGradient: false), isInput: true)
    }

    /// Adds `layer` fed by `inputs`; builds its parameters; returns its node.
    @discardableResult
    public func add(_ layer: Layer, _ inputs: Node...) -> Node { add(layer, inputs: inputs) }

    /// Adds `layer` fed by `inputs`; builds its parameters; returns its node.
    @discardableResult
    public func add(_ layer: Layer, inputs: [Node]) -> Node {
        precondition(!inputs.isEmpty, "layer \(layer.name) has no inputs")
        precondition(inputs.allSatisfy { $0.index < entries.count }, "unknown input node for \(layer.name)")
        // A layer keeps its output buffer and forward cache, so an instance serves one node only.
        precondition(layerIDs.insert(ObjectIdentifier(layer)).inserted, "layer \(layer.name) added twice; create a new instance")
        let shape = layer.build(inputShapes: inputs.map { entries[$0.index].shape }, rng: &rng)
        let needs = layer.parameters.contains { $0.trainable } || inputs.contains { entries[$0.index].needsGradient }
        return append(
            Entry(
                name: layer.name, layer: layer, inputs: inputs.map(\.index), shape: shape,
                needsGradient: needs), isInput: false)
    }

    private func append(_ e: Entry, isInput: Bool) -> Node {
        precondition(byName[e.name] == nil, "duplicate node name \(e.name)")
        byName[e.name] = entries.count
        if isInput { inputIndices.append(entries.count) }
        entries.append(e)
        return Node(index: entries.count - 1)
    }

    // MARK: - Introspection

    /// The node with a Keras layer (or input) name.
    public func node(named name: String) -> Node? { byName[name].map(Node.init) }
    /// The per-sample output shape of a node.
    public func shape(of node: Node) -> [Int] { entries[node.index].shape }
    /// The layer of a node (nil for inputs).
    public func layer(of node: Node) -> Layer? { entries[node.index].layer }
    /// The nodes feeding a node, in argument order (empty for inputs).
    public func inputs(of node: Node) -> [Node] { entries[node.index].inputs.map(Node.init) }
    /// Node names in topological order.
    public var nodeNames: [String] { entries.map(\.name) }
    /// The input placeholders, in creation order.
    public var inputs: [Node] { inputIndices.map(Node.init) }

    /// Every parameter (trainable and not), in layer order: the names used in weight files.
    public var parameters: [Parameter] { entries.flatMap { $0.layer?.parameters ?? [] } }
    /// The parameters an optimizer updates.
    public var trainableParameters: [Parameter] { parameters.filter(\.trainable) }
    /// Number of scalar weights (trainable and not), as Keras's `count_params`.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    // MARK: - Forward

    /// Runs the graph on one tensor per input placeholder (batch axis first) and returns the
    /// output nodes' values. With `retainActivations` false (default in inference), values are
    /// released once their consumers have run, and `backward` is not possible; such an inference
    /// pass runs the fused plan of `Graph+InferencePlan` (while `inferenceFastPaths` is on), so
    /// absorbed nodes (e.g. a BatchNormalization folded into its convolution) get no value and
    /// `layerTimes` records a fused step under its convolution's (or normalisation's) name.
    public func forward(_ feeds: [Tensor], mode: Mode, retainActivations: Bool? = nil) -> [Tensor] {
        precondition(feeds.count == inputIndices.count, "graph has \(inputIndices.count) inputs, got \(feeds.count)")
        precondition(!outputs.isEmpty, "graph outputs not set")
        let retain = retainActivations ?? (mode == .training)
        lastMode = mode
        values = [Tensor?](repeating: nil, count: entries.count)
        gradients = []
        var remaining = [Int](repeating: 0, count: entries.count)
        for e in entries { for i in e.inputs { remaining[i] += 1 } }
        let outputSet = Set(outputs.map(\.index))
        for (k, i) in inputIndices.enumerated() {
            precondition(
                Array(feeds[k].shape.dims.dropFirst()) == entries[i].shape,
                "input \(entries[i].name): expected [N] + \(entries[i].shape), got \(feeds[k].shape)")
            values[i] = feeds[k]
        }
        let plan = mode == .inference && !retain && Engine.options.inferenceFastPaths ? inferencePlan() : nil
        fusedPairs = mode == .training && retain && Engine.options.trainingFusion ? trainingFusions() : [:]
        let fusedReLUs = Set(fusedPairs.values)
        for (i, e) in entries.enumerated() {
            guard let layer = e.layer else { continue }
            if let j = fusedPairs[i], let bn = layer as? BatchNormalization {
                // BN + ReLU in one pass; the ReLU node (next) takes the value, and so does the BN node.
                let t0 = profiling ? clock() : 0
                let y = bn.fusedReLUForward(values[e.inputs[0]]!, mode: mode)
                values[i] = y
                values[j] = y
                if profiling { layerTimes[e.name, default: (0, 0)].forward += clock() - t0 }
                continue
            }
            if fusedReLUs.contains(i) { continue }  // computed with its BatchNormalization
            if let plan {
                if plan.absorbed.contains(i) { continue }  // runs within a later fused step
                if let step = plan.steps[i] {
                    let t0 = profiling ? clock() : 0
                    values[i] = run(step)
                    if profiling { layerTimes[entries[step.main].name, default: (0, 0)].forward += clock() - t0 }
                    for k in step.nodes {
                        for j in entries[k].inputs {
                            remaining[j] -= 1
                            if remaining[j] == 0 && !outputSet.contains(j) { values[j] = nil }
                        }
                    }
                    continue
                }
            }
            let ins = e.inputs.map { values[$0]! }
            let t0 = profiling ? clock() : 0
            values[i] = layer.forward(ins, mode: mode, context: context)
            if profiling { layerTimes[e.name, default: (0, 0)].forward += clock() - t0 }
            if !retain {
                for j in e.inputs {
                    remaining[j] -= 1
                    if remaining[j] == 0 && !outputSet.contains(j) { values[j] = nil }
                }
            }
        }
        return outputs.map { values[$0.index]! }
    }

    /// The BatchNormalization → ReLU pairs a training pass fuses: the BN's only consumer is the
    /// ReLU, and the BN is not an output.
    func trainingFusions() -> [Int: Int] {
        if let c = trainingFusionCache, c.nodes == entries.count, c.outputs == outputs { return c.pairs }
        var consumers = [[Int]](repeating: [], count: entries.count)
        for (i, e) in entries.enumerated() { for j in e.inputs { consumers[j].append(i) } }
        let outputSet = Set(outputs.map(\.index))
        var pairs: [Int: Int] = [:]
        for (i, e) in entries.enumerated() where e.layer is BatchNormalization && !outputSet.contains(i) {
            if consumers[i].count == 1, let j = consumers[i].first, entries[j].layer is ReLU, entries[j].inputs == [i] {
                pairs[i] = j
            }
        }
        trainingFusionCache = (entries.count, outputs, pairs)
        return pairs
    }

    /// The value of a node from the last forward pass (nil if released or not computed). In a
    /// training pass, a BatchNormalization fused with its ReLU (`trainingFusion`) holds the ReLU's
    /// output.
    public func value(of node: Node) -> Tensor? { node.index < values.count ? values[node.index] : nil }

    // MARK: - Backward

    /// Back-propagates one gradient per output (nil = zero) through the last forward pass (which
    /// must have retained its activations), in reverse topological order. Parameter gradients
    /// accumulate (`+=`); call `zeroGradients()` before each step. Gradients of the nodes in
    /// `keep` stay readable through `gradient(of:)` (e.g. for Grad-CAM, §3).
    ///
    /// Gradient buffers are reused across calls (see `ExecutionContext`): a node's gradient is
    /// handed back to the pool once no other node's gradient shares its storage, and sums of
    /// several contributions are written into pooled buffers. Tensors the caller passes in and
    /// gradients kept with `keep` are never pooled.
    public func backward(_ outputGradients: [Tensor?], keep: Set<Node> = []) {
        precondition(outputGradients.count == outputs.count)
        gradients = [Tensor?](repeating: nil, count: entries.count)
        let external = Set(outputGradients.compactMap { $0?.storageAddress })
        // Tensors done with during one node's step; pooled at the end of the step, once the
        // step's locals (which may still refer to them) are gone and no buffer is taken any more.
        var finished: [Tensor] = []
        /// Hands the finished tensors back to the pool, except those whose storage the caller or
        /// a live node gradient shares (the pool must hold the only reference).
        func releaseFinished() {
            var seen = Set<UnsafeRawPointer>()
            for t in finished {
                guard let a = t.storageAddress, !external.contains(a), seen.insert(a).inserted,
                    !gradients.contains(where: { $0?.storageAddress == a })
                else { continue }
                context.recycle(t)
            }
            finished = []
        }
        /// `gradients[j] += dx`: the first contribution is stored as is; a second one is summed
        /// into a pooled buffer (never into a tensor that may be shared).
        func accumulate(_ j: Int, _ dx: Tensor) {
            guard let old = gradients[j] else { gradients[j] = dx; return }
            var sum = context.gradientBuffer(dx.shape)
            ElementwiseOp.sum(old, dx, into: &sum)
            gradients[j] = sum
            finished.append(old)
            finished.append(dx)
        }
        for (o, g) in zip(outputs, outputGradients) {
            guard let g else { continue }
            accumulate(o.index, g)
        }
        let keepIdx = Set(keep.map(\.index))
        var wanted = entries.map(\.needsGradient)
        for k in keepIdx { wanted[k] = true }
        // A node needs an input gradient if some consumer chain reaches a wanted node or parameter.
        // A fused ReLU hands its output gradient to its BatchNormalization unmasked; the BN's
        // fused backward applies the mask (unless the BN's own gradient is to be kept).
        var reluOf: [Int: Int] = [:]
        for (bnIndex, j) in fusedPairs where !keepIdx.contains(bnIndex) { reluOf[j] = bnIndex }
        var unmasked: [Int: Int] = [:]  // BN node → its ReLU node, for gradients passed unmasked
        for i in entries.indices.reversed() {
            releaseFinished()
            guard let layer = entries[i].layer, let dy = gradients[i] else { continue }
            precondition(values[i] != nil, "backward needs the activations of \(entries[i].name): forward with retainActivations")
            let e = entries[i]
            let ins = e.inputs.map { values[$0]! }
            let need = e.inputs.map { wanted[$0] }
            let t0 = profiling ? clock() : 0
            let dxs: [Tensor?]
            if let bnIndex = reluOf[i] {
                // forward: y = max(bn, 0) — differentiated in the BN's fused backward
                dxs = [dy]
                unmasked[bnIndex] = i
            } else if let j = unmasked[i], let bn = layer as? BatchNormalization {
                dxs = [
                    bn.fusedReLUBackward(
                        dy, input: ins[0], reluOutput: values[j]!, needInputGradient: need[0],
                        mode: lastMode, context: context)
                ]
            } else {
                dxs = layer.backward(
                    dy, inputs: ins, output: values[i]!, needInputGradients: need,
                    mode: lastMode, context: context)
            }
            if profiling { layerTimes[e.name, default: (0, 0)].backward += clock() - t0 }
            for (j, dx) in zip(e.inputs, dxs) {
                guard let dx, wanted[j] else { continue }
                accumulate(j, dx)
            }
            if !keepIdx.contains(i) {
                finished.append(gradients[i]!)
                gradients[i] = nil
            }
        }
        releaseFinished()
        context.endPass()
    }

    /// The gradient of a node's output kept by the last `backward(_:keep:)`.
    public func gradient(of node: Node) -> Tensor? { node.index < gradients.count ? gradients[node.index] : nil }

    /// Zeroes every parameter gradient.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// Releases activations and kept gradients (e.g. before a long pause).
    public func releaseActivations() { values = []; gradients = []; context.releaseBuffers() }
}
