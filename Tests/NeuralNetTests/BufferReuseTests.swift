import XCTest

@testable import NeuralNet

/// A fixed-shape training step reuses its buffers: after the first step, forward outputs,
/// activation gradients, parameter gradients and optimizer moments are written into storage
/// created earlier (`BufferStatistics` counts fresh tensor storage and copy-on-write copies).
final class BufferReuseTests: XCTestCase {
    /// Every layer kind, a residual Add (a node with two gradient contributions), a
    /// concatenation and a branch read twice; activations of 4×20×20×16 floats.
    static func graph() -> Graph {
        let g = Graph(seed: 3)
        let x = g.input("input_1", shape: [20, 20, 3])
        var h = g.add(Conv2D("c1", filters: 16, kernelSize: 3, padding: .same), x)
        h = g.add(BatchNormalization("bn1"), h)
        h = g.add(ReLU("r1"), h)
        let p = g.add(ZeroPadding2D("pad", padding: 1), h)
        let c2 = g.add(Conv2D("c2", filters: 16, kernelSize: 3, useBias: false), p)
        let a = g.add(Add("add"), c2, h)
        let s = g.add(SeparableConv2D("sep", filters: 16, kernelSize: 3, padding: .same), a)
        let m = g.add(MaxPooling2D("pool", poolSize: 2), s)
        let u = g.add(UpsampleLike("up"), m, a)
        let cat = g.add(Concatenate("cat"), u, a)
        var t = g.add(Conv2D("c3", filters: 8, kernelSize: 1), cat)
        t = g.add(Flatten("flat"), g.add(MaxPooling2D("pool2", poolSize: 2), t))
        t = g.add(Dropout("drop", rate: 0.2, seed: 9), t)
        g.outputs = [g.add(Dense("fc", units: 2), t)]
        return g
    }

    static func labels(_ n: Int) -> Tensor {
        var y = Tensor.zeros([n, 2])
        for i in 0..<n { y.data[2 * i + i % 2] = 1 }
        return y
    }

    /// Large buffers created by one training step.
    static func buffersCreated(_ g: Graph, _ opt: Nadam, _ x: Tensor, _ y: Tensor) -> Int {
        BufferStatistics.reset()
        _ = g.trainStep(x, labels: y, optimizer: opt)
        return BufferStatistics.largeBuffersCreated
    }

    func testFixedShapeStepsCreateNoLargeBuffers() {
        let g = Self.graph(), opt = Nadam(learningRate: 0.01)
        var rng = RNG(seed: 4)
        let y = Self.labels(4)
        let first = Self.buffersCreated(g, opt, rng.uniformTensor([4, 20, 20, 3]), y)
        XCTAssertGreaterThan(first, 10, "the first step creates the buffers")
        for step in 2...3 {
            XCTAssertEqual(Self.buffersCreated(g, opt, rng.uniformTensor([4, 20, 20, 3]), y), 0, "step \(step)")
        }
        // A new batch size needs new buffers; the next step of that size again needs none.
        XCTAssertGreaterThan(Self.buffersCreated(g, opt, rng.uniformTensor([2, 20, 20, 3]), Self.labels(2)), 0)
        XCTAssertEqual(Self.buffersCreated(g, opt, rng.uniformTensor([2, 20, 20, 3]), Self.labels(2)), 0)
    }

    /// The same storage, by address, holds every activation and parameter gradient in steps 2
    /// and 3 (a copy-on-write copy or a reallocation would move it).
    func testBufferAddressesStableAcrossSteps() {
        let g = Self.graph(), opt = Nadam(learningRate: 0.01)
        var rng = RNG(seed: 4)
        let y = Self.labels(4)
        func addresses() -> [String: UnsafeRawPointer] {
            var out: [String: UnsafeRawPointer] = [:]
            for name in g.nodeNames {
                if let v = g.value(of: g.node(named: name)!), let a = v.storageAddress { out["value " + name] = a }
            }
            for p in g.parameters { if let a = p.gradient.storageAddress { out["gradient " + p.name] = a } }
            return out
        }
        var seen: [[String: UnsafeRawPointer]] = []
        for _ in 0..<3 {
            _ = g.trainStep(rng.uniformTensor([4, 20, 20, 3]), labels: y, optimizer: opt)
            seen.append(addresses())
        }
        XCTAssertGreaterThan(seen[2].count, 20)
        for (k, a) in seen[2] where k != "value input_1" {
            XCTAssertEqual(seen[1][k], a, "\(k) moved between steps 2 and 3")
        }
        XCTAssertGreaterThan(g.context.pooledBufferCount, 0)
    }

    /// Reused buffers give bit-identical training to fresh buffers every step.
    func testReuseDoesNotChangeResults() {
        func run(reuse: Bool) -> [[Float]] {
            let g = Self.graph(), opt = Nadam(learningRate: 0.01)
            var rng = RNG(seed: 4)
            for _ in 0..<3 {
                _ = g.trainStep(rng.uniformTensor([4, 20, 20, 3]), labels: Self.labels(4), optimizer: opt)
                if !reuse { g.releaseActivations() }
            }
            return g.parameters.map(\.value.data)
        }
        let a = run(reuse: true), b = run(reuse: false)
        for (i, (p, q)) in zip(a, b).enumerated() { XCTAssert(p == q, "parameter \(i) differs") }
    }

    /// A gradient kept for the caller is not overwritten by the next backward pass.
    func testKeptGradientSurvivesNextStep() {
        let g = Self.graph(), opt = Nadam(learningRate: 0.01)
        var rng = RNG(seed: 4)
        let node = g.node(named: "add")!
        let x = rng.uniformTensor([4, 20, 20, 3])
        let logits = g.forward([x], mode: .training)[0]
        let (_, d) = LossOp.softmaxCrossEntropy(logits: logits, labels: Self.labels(4))
        g.zeroGradients()
        g.backward([d], keep: [node])
        let kept = g.gradient(of: node)!
        let copy = kept.data
        for _ in 0..<2 { _ = g.trainStep(rng.uniformTensor([4, 20, 20, 3]), labels: Self.labels(4), optimizer: opt) }
        XCTAssertEqual(kept.data, copy)
    }
}
