/// Layer fusion for inference passes that keep no activations (`Graph.forward` with
/// `mode: .inference` and `retainActivations` false, while `Graph.inferenceFastPaths` is on).
///
/// Patterns, each run as one step at the position of its last node:
/// - `[ZeroPadding2D →] Conv2D [→ BatchNormalization] [→ ReLU]`: the padding becomes the
///   convolution's own (no padded copy), the batch normalisation is folded into the kernel and
///   bias, the ReLU is applied to each block of output while it is in cache;
/// - `Conv2D → Add` (no normalisation or ReLU between): the other operand of the `Add` is added
///   in the convolution's epilogue (ResNet's `_3_conv` + shortcut);
/// - `BatchNormalization → ReLU` (not after a convolution, e.g. ResNetV2's pre-activations):
///   one pass `max(x·scale + shift, 0)`;
/// - `MaxPooling2D` alone, without recording the argmax that only a backward pass needs.
/// A node is absorbed only if it is not an output and its sole consumer is the next node of the
/// pattern, so no value anyone could read is skipped. Results equal the layer-by-layer pass up
/// to float rounding (folding reorders products; Winograd and the epilogues round differently);
/// training and retained-activation passes never use the plan.
struct InferencePlan {
    /// One fused step.
    enum Step {
        /// `conv` reads node `source` (padded by `pad`: top, bottom, left, right, when a
        /// ZeroPadding2D was absorbed), folds `bn`, adds node `residual`, applies `relu`.
        case conv(conv: Int, source: Int, pad: (Int, Int, Int, Int)?, bn: Int?, residual: Int?, relu: Bool, nodes: [Int])
        /// BatchNormalization `bn` followed by a ReLU.
        case bnReLU(bn: Int, source: Int, nodes: [Int])
        /// A max pooling without its argmax.
        case maxPool(pool: Int, source: Int)

        /// The node whose layer does the work (the convolution or the normalisation): profiling
        /// times are recorded under its name.
        var main: Int {
            switch self {
            case .conv(let c, _, _, _, _, _, _): return c
            case .bnReLU(let b, _, _): return b
            case .maxPool(let p, _): return p
            }
        }

        /// Every graph node the step stands for, in graph order.
        var nodes: [Int] {
            switch self {
            case .conv(_, _, _, _, _, _, let nodes), .bnReLU(_, _, let nodes): return nodes
            case .maxPool(let p, _): return [p]
            }
        }
    }

    /// Steps keyed by the index of their last node.
    var steps: [Int: Step] = [:]
    /// Nodes run inside a step keyed by a later node.
    var absorbed: Set<Int> = []
}

extension Graph {
    /// The fused plan for the current nodes and outputs (cached).
    func inferencePlan() -> InferencePlan {
        if let c = inferencePlanCache, c.nodes == entries.count, c.outputs == outputs { return c.plan }
        let plan = buildInferencePlan()
        inferencePlanCache = (entries.count, outputs, plan)
        return plan
    }

    private func buildInferencePlan() -> InferencePlan {
        var consumers = [[Int]](repeating: [], count: entries.count)
        for (i, e) in entries.enumerated() { for j in e.inputs { consumers[j].append(i) } }
        let outputSet = Set(outputs.map(\.index))
        /// The sole consumer of `i`, if `i` is not an output and has exactly one consumer.
        func only(_ i: Int) -> Int? {
            guard !outputSet.contains(i), consumers[i].count == 1 else { return nil }
            return consumers[i][0]
        }
        var plan = InferencePlan()
        var taken = Set<Int>()
        for (c, e) in entries.enumerated() {
            guard e.layer is Conv2D, !taken.contains(c) else { continue }
            var nodes = [c]
            var source = e.inputs[0]
            var pad: (Int, Int, Int, Int)? = nil
            if let zp = entries[source].layer as? ZeroPadding2D, only(source) == c, !taken.contains(source) {
                pad = (zp.top, zp.bottom, zp.left, zp.right)
                nodes.insert(source, at: 0)
                source = entries[source].inputs[0]
            }
            var last = c
            var bn: Int? = nil, residual: Int? = nil, relu = false
            if let next = only(last), !taken.contains(next), entries[next].layer is BatchNormalization {
                bn = next; last = next; nodes.append(next)
            }
            if let next = only(last), !taken.contains(next), entries[next].layer is ReLU {
                relu = true; last = next; nodes.append(next)
            } else if bn == nil, let next = only(last), !taken.contains(next), entries[next].layer is Add, entries[next].inputs.count == 2,
                entries[next].inputs[0] != entries[next].inputs[1]
            {
                residual = entries[next].inputs.first { $0 != last }!
                last = next; nodes.append(next)
            }
            plan.steps[last] = .conv(conv: c, source: source, pad: pad, bn: bn, residual: residual, relu: relu, nodes: nodes)
            for k in nodes { taken.insert(k) }
            for k in nodes where k != last { plan.absorbed.insert(k) }
        }
        for (b, e) in entries.enumerated() {
            guard e.layer is BatchNormalization, !taken.contains(b), let next = only(b),
                entries[next].layer is ReLU, !taken.contains(next)
            else { continue }
            plan.steps[next] = .bnReLU(bn: b, source: e.inputs[0], nodes: [b, next])
            taken.insert(b); taken.insert(next)
            plan.absorbed.insert(b)
        }
        for (p, e) in entries.enumerated() where e.layer is MaxPooling2D && !taken.contains(p) {
            plan.steps[p] = .maxPool(pool: p, source: e.inputs[0])
        }
        for (p, e) in entries.enumerated() where e.layer is MaxPooling2D && !taken.contains(p) {
            plan.steps[p] = .maxPool(pool: p, source: e.inputs[0])
        }
        return plan
    }

    /// Runs one fused step on the current values.
    func run(_ step: InferencePlan.Step) -> Tensor {
        switch step {
        case let .conv(c, source, pad, bn, residual, relu, _):
            let conv = entries[c].layer as! Conv2D
            let x = values[source]!
            let g = pad.map { conv.geometry(x.shape, zeroPadding: $0) } ?? conv.geometry(x.shape)
            return conv.fusedInference(
                x, geometry: g, fold: bn.map { entries[$0].layer as! BatchNormalization },
                residual: residual.map { values[$0]! }, relu: relu, workspace: context.workspace)
        case let .bnReLU(b, source, _):
            return (entries[b].layer as! BatchNormalization).inferenceForwardReLU(values[source]!)
        case let .maxPool(p, source):
            return (entries[p].layer as! MaxPooling2D).inferenceForward(values[source]!)
        }
    }
}
