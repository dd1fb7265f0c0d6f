import XCTest

@testable import NeuralNet

final class GraphTests: XCTestCase {
    /// A DAG with a residual add, a pooling branch, a strided conv resized back up (UpsampleLike),
    /// a channel concat, BN and two heads — the constructs of ResNet50V2, Xception and the FPN.
    func makeGraph(seed: UInt64 = 3) -> Graph {
        let g = Graph(seed: seed)
        let x = g.input("input_1", shape: [6, 5, 2])
        let c1 = g.add(Conv2D("conv1", filters: 3, kernelSize: 3, padding: .same), x)
        let bn = g.add(BatchNormalization("bn1", epsilon: 1.001e-5), c1)
        let r = g.add(ReLU("relu1"), bn)
        let b1 = g.add(Conv2D("branch_conv", filters: 3, kernelSize: 1, useBias: false), r)
        let b2 = g.add(MaxPooling2D("pool", poolSize: 3, strides: 1, padding: .same), r)
        let sum = g.add(Add("add"), b1, b2)
        let sep = g.add(SeparableConv2D("sep", filters: 4, kernelSize: 3, strides: 2, padding: .same), sum)
        let up = g.add(UpsampleLike("up"), sep, r)
        let cat = g.add(Concatenate("concat"), up, r)
        let pad = g.add(ZeroPadding2D("pad", padding: ((1, 0), (0, 1))), cat)
        let dw = g.add(DepthwiseConv2D("dw", kernelSize: 2, padding: .valid), pad)
        let gap = g.add(GlobalAveragePooling2D("gap"), dw)
        let head1 = g.add(Dense("head1", units: 2, kernelInitializer: .randomNormal(mean: 0, stddev: 0.5)), gap)
        let flat = g.add(Flatten("flat"), sep)
        let head2 = g.add(Dense("head2", units: 1), flat)
        g.outputs = [head1, head2]
        return g
    }

    func testGraphStructureAndNames() {
        let g = makeGraph()
        XCTAssertEqual(g.shape(of: g.node(named: "sep")!), [3, 3, 4])
        XCTAssertEqual(g.shape(of: g.node(named: "up")!), [6, 5, 4])
        XCTAssertEqual(g.shape(of: g.node(named: "concat")!), [6, 5, 7])
        XCTAssertEqual(g.shape(of: g.node(named: "dw")!), [6, 5, 7])
        let names = g.parameters.map(\.name)
        XCTAssertEqual(
            Array(names.prefix(6)),
            [
                "conv1/kernel", "conv1/bias", "bn1/gamma", "bn1/beta",
                "bn1/moving_mean", "bn1/moving_variance"
            ])
        XCTAssert(names.contains("sep/depthwise_kernel") && names.contains("sep/pointwise_kernel"))
        XCTAssertEqual(g.trainableParameters.count, names.count - 2)
        // Same seed, same weights; another seed, other weights.
        XCTAssertEqual(makeGraph().parameters.map(\.value), g.parameters.map(\.value))
        XCTAssertNotEqual(makeGraph(seed: 4).parameters[0].value, g.parameters[0].value)
    }

    /// Loss = Σ r1·head1 + Σ r2·head2 (training mode); graph gradients vs central differences.
    func testGraphGradient() {
        let g = makeGraph()
        let x = Tensor([2, 6, 5, 2], randomValues(120, seed: 8))
        let r1 = randomValues(4, seed: 9), r2 = randomValues(2, seed: 10)
        func loss() -> Double {
            let out = g.forward([x], mode: .training)
            return dot(r1, out[0].doubles) + dot(r2, out[1].doubles)
        }
        _ = loss()
        g.zeroGradients()
        g.backward([Tensor([2, 2], r1), Tensor([2, 1], r2)])
        var checked = 0
        for p in g.trainableParameters {
            // Up to 4 entries of every parameter, by Float central differences (h = 1e-2).
            for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 4)) {
                let v = p.value.data[i]
                p.value.data[i] = v + 1e-3; let fp = loss()
                p.value.data[i] = v - 1e-3; let fm = loss()
                p.value.data[i] = v
                let numeric = (fp - fm) / 2e-3
                XCTAssertEqual(Double(p.gradient.data[i]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(p.name)[\(i)]")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 40)
    }

    /// Gradients of intermediate nodes are kept on request; inference can release activations.
    func testGraphKeepAndInference() {
        let g = makeGraph()
        let x = Tensor([1, 6, 5, 2], randomValues(60, seed: 11))
        let a = g.forward([x], mode: .inference, retainActivations: true)
        let sep = g.node(named: "sep")!
        g.backward([Tensor([1, 2], [1, 0]), nil], keep: [sep])
        XCTAssertEqual(g.gradient(of: sep)?.shape.dims, [1, 3, 3, 4])
        XCTAssertNil(g.gradient(of: g.node(named: "concat")!))
        let b = g.forward([x], mode: .inference)
        // Without retained activations the fused inference plan runs: equal up to float rounding.
        for (u, v) in zip(a, b) { assertClose(v.data, u.doubles, tol: 1e-5, "fused inference") }
        XCTAssertEqual(b, g.forward([x], mode: .inference), "inference is deterministic and does not change state")
        Engine.options.inferenceFastPaths = false
        defer { Engine.options.inferenceFastPaths = true }
        XCTAssertEqual(a, g.forward([x], mode: .inference), "layer by layer: the same bits as the retained pass")
        XCTAssertNil(g.value(of: g.node(named: "relu1")!), "released after use")
    }
}

/// `Graph.cellGeometry`: where each cell of a map is centred in the input.
final class CellGeometryTests: XCTestCase {
    func testWindowsPaddingAndGridKeepingLayers() {
        let g = Graph(seed: 1)
        let x = g.input("x", shape: [8, 8, 1])
        // Explicit padding then a valid stride-2 3×3: output o reads padded 2o…2o+2, i.e. input 2o−1…2o+1.
        let p = g.add(ZeroPadding2D("pad", padding: 1), x)
        let a = g.add(Conv2D("a", filters: 2, kernelSize: 3, strides: 2, padding: .valid), p)
        XCTAssertEqual(g.cellGeometry(of: a)?.rows, CellAxis(stride: 2, offset: 0))
        // 'same' at stride 2 on an even size pads after (TensorFlow's rule): o reads 2o…2o+2.
        let b = g.add(Conv2D("b", filters: 2, kernelSize: 3, strides: 2, padding: .same), x)
        XCTAssertEqual(g.cellGeometry(of: b)?.columns, CellAxis(stride: 2, offset: 1))
        // Composition: a 2×2 pool of stride 2 after `a`: cells 0 and 1 of `a` (pixels 0 and 2) → 1.
        let r = g.add(ReLU("r"), a)
        let m = g.add(MaxPooling2D("m", poolSize: 2), r)
        XCTAssertEqual(g.cellGeometry(of: m)?.rows, CellAxis(stride: 4, offset: 1))
        XCTAssertEqual(g.cellGeometry(of: m)?.rows.centre(2), 9)
        let f = g.add(Flatten("f"), m)
        XCTAssertNil(g.cellGeometry(of: f))
        XCTAssertEqual(g.cellGeometry(of: x)?.rows, .identity)
    }
}
