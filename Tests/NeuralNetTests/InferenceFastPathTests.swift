import XCTest

@testable import NeuralNet

/// The inference-only fast paths against the plain paths and the Double reference.
final class InferenceFastPathTests: XCTestCase {
    struct Case { let n, h, w, c, oc: Int; let same: Bool }

    /// Odd and even sizes (partial tiles at the bottom and right), 'same' and 'valid', channel
    /// counts below and above one SIMD width, several images.
    let cases: [Case] = [
        Case(n: 2, h: 5, w: 5, c: 3, oc: 4, same: true),
        Case(n: 1, h: 6, w: 7, c: 9, oc: 17, same: true),
        Case(n: 2, h: 6, w: 5, c: 8, oc: 8, same: false),
        Case(n: 1, h: 9, w: 4, c: 16, oc: 3, same: false),
        Case(n: 3, h: 3, w: 3, c: 2, oc: 2, same: true)
    ]

    /// Runs `WinogradConvOp` (transformed kernel, bias, optional residual and ReLU).
    func winograd(_ x: Tensor, _ k: Tensor, bias: Tensor?, residual: Tensor?, relu: Bool, _ g: ConvGeometry, m: Int) -> Tensor {
        let OC = k.shape[3]
        var u = [Float](repeating: 0, count: WinogradConvOp.transformedKernelCount(c: g.c, oc: OC, m: m))
        k.data.withUnsafeBufferPointer { kp in
            u.withUnsafeMutableBufferPointer {
                WinogradConvOp.transformKernel(kp.baseAddress!, c: g.c, oc: OC, m: m, scale: nil, into: $0.baseAddress!)
            }
        }
        var y = Tensor.zeros([g.n, g.h.output, g.w.output, OC])
        let b = bias?.data ?? [], r = residual?.data ?? []
        x.data.withUnsafeBufferPointer { xp in
            u.withUnsafeBufferPointer { up in
                b.withUnsafeBufferPointer { bp in
                    r.withUnsafeBufferPointer { rp in
                        y.withUnsafeMutableElements { yp in
                            let e = ConvEpilogue(
                                bias: bias == nil ? nil : bp.baseAddress!,
                                residual: residual == nil ? nil : rp.baseAddress!, relu: relu)
                            WinogradConvOp.forward(
                                xp.baseAddress!, g, u: up.baseAddress!, oc: OC, m: m, epilogue: e, workspace: Workspace(),
                                y: yp.baseAddress!)
                        }
                    }
                }
            }
        }
        return y
    }

    func testWinogradConv() {
        let saved = Engine.options.winogradBlockBudget
        defer { Engine.options.winogradBlockBudget = saved }
        for budget in [saved, 1] {  // one block, and blocks of 8 tiles
            Engine.options.winogradBlockBudget = budget
            for m in [2, 4] {
                for (i, t) in cases.enumerated() {
                    let seed = UInt64(100 + 10 * i)
                    let x = Tensor([t.n, t.h, t.w, t.c], randomValues(t.n * t.h * t.w * t.c, seed: seed))
                    let k = Tensor([3, 3, t.c, t.oc], randomValues(9 * t.c * t.oc, seed: seed + 1))
                    let b = Tensor([t.oc], randomValues(t.oc, seed: seed + 2))
                    let g = ConvGeometry(input: x.shape, kernel: (3, 3), stride: (1, 1), padding: t.same ? .same : .valid)
                    let ref = referenceConv(x.doubles, x.shape.dims, k.doubles, k.shape.dims, bias: b.doubles, stride: 1, same: t.same)
                    let y = winograd(x, k, bias: b, residual: nil, relu: false, g, m: m)
                    XCTAssertEqual(y.shape.dims, ref.shape, "case \(i) shape")
                    assertClose(y.data, ref.y, tol: 1e-5, "Winograd F(\(m)) case \(i), budget \(budget)")
                    // Epilogue: + residual, then ReLU.
                    let res = randomValues(ref.y.count, seed: seed + 3)
                    let fused = winograd(x, k, bias: b, residual: Tensor(ref.shape, res), relu: true, g, m: m)
                    assertClose(fused.data, zip(ref.y, res).map { max($0 + $1, 0) }, tol: 1e-5, "F(\(m)) + residual + ReLU case \(i)")
                }
            }
        }
    }

    /// A `Conv2D` layer infers through Winograd (≥ 64 channels) and trains through im2col; the
    /// two agree, the transformed kernel follows writes to the kernel, and 1 and 2 threads give
    /// identical bits.
    func testConv2DInferenceMatchesTrainingPath() {
        let g = Graph(seed: 3)
        let input = g.input("x", shape: [7, 6, 64])
        let conv = Conv2D("conv", filters: 72, kernelSize: 3, padding: .same)
        g.outputs = [g.add(conv, input)]
        conv.bias!.value = Tensor([72], randomValues(72, seed: 5))
        let x = Tensor([2, 7, 6, 64], randomValues(2 * 7 * 6 * 64, seed: 6))
        XCTAssertTrue(Conv2D.usesWinograd(conv.geometry(x.shape), filters: 72))
        func both() -> (Tensor, Tensor) {
            let fast = g.forward([x], mode: .inference)[0]
            var plain = Tensor.zeros([0])
            Conv2DOp.forward(
                x, kernel: conv.kernel.value, bias: conv.bias!.value, geometry: conv.geometry(x.shape),
                workspace: Workspace(), into: &plain)
            return (fast, plain)
        }
        var (fast, plain) = both()
        assertClose(fast.data, plain.doubles, tol: 1e-5, "Winograd vs im2col")
        XCTAssertEqual(WinogradConvOp.tileSize(conv.geometry(x.shape)), 2)
        let savedMinimum = Engine.options.winogradLargeTileMinimum
        Engine.options.winogradLargeTileMinimum = 1  // F(4×4, 3×3) for this small layer too
        XCTAssertEqual(WinogradConvOp.tileSize(conv.geometry(x.shape)), 4)
        (fast, plain) = both()
        assertClose(fast.data, plain.doubles, tol: 1e-5, "Winograd F(4×4) vs im2col")
        Engine.options.winogradLargeTileMinimum = savedMinimum
        // An in-place write to the kernel (as an optimizer does) must reach the cached transform.
        conv.kernel.value.withUnsafeMutableElements { p in for i in p.indices { p[i] *= -2 } }
        (fast, plain) = both()
        assertClose(fast.data, plain.doubles, tol: 1e-5, "after a kernel update")
        let saved = Parallel.threads
        defer { Parallel.setThreads(saved) }
        Parallel.setThreads(1)
        let one = g.forward([x], mode: .inference)[0]
        Parallel.setThreads(2)
        XCTAssertEqual(one, g.forward([x], mode: .inference)[0], "1 vs 2 threads")
    }

    /// A graph with every fusion pattern: padded strided convolution → BN → ReLU (whole im2col),
    /// BN → ReLU, 1×1 → BN → ReLU, padded 3×3 (Winograd) → BN → ReLU, 1×1 with bias → Add, a 5×5
    /// over enough rows for the blocked im2col path, a 3×3 with few channels, and a BN that is
    /// also an output (so not absorbed).
    static func fusionGraph() -> Graph {
        let g = Graph(seed: 11)
        let x = g.input("x", shape: [17, 16, 3])
        var h = g.add(ZeroPadding2D("pad0", padding: 1), x)
        h = g.add(Conv2D("conv0", filters: 16, kernelSize: 3, strides: 2), h)
        h = g.add(BatchNormalization("bn0"), h)
        let stem = g.add(ReLU("relu0"), h)
        var y = g.add(BatchNormalization("preact_bn"), stem)
        let preact = g.add(ReLU("preact_relu"), y)
        y = g.add(Conv2D("c1", filters: 16, kernelSize: 1, useBias: false), preact)
        y = g.add(BatchNormalization("c1_bn"), y)
        y = g.add(ReLU("c1_relu"), y)
        y = g.add(ZeroPadding2D("c2_pad", padding: 1), y)
        y = g.add(Conv2D("c2", filters: 16, kernelSize: 3, useBias: false), y)
        y = g.add(BatchNormalization("c2_bn"), y)
        y = g.add(ReLU("c2_relu"), y)
        y = g.add(Conv2D("c3", filters: 16, kernelSize: 1), y)
        let sum = g.add(Add("out"), stem, y)
        let pooled = g.add(MaxPooling2D("pool", poolSize: 3, strides: 1, padding: .same), sum)
        var z = g.add(Conv2D("wide", filters: 8, kernelSize: 5, padding: .same), pooled)
        z = g.add(ReLU("wide_relu"), z)
        z = g.add(Conv2D("narrow", filters: 4, kernelSize: 3, padding: .same), z)
        let head = g.add(BatchNormalization("head_bn"), z)
        let last = g.add(ReLU("head_relu"), head)
        g.outputs = [last, head]
        var rng = RNG(seed: 12)
        for p in g.parameters {
            let dims = p.value.shape.dims
            if p.name.hasSuffix("/moving_variance") || p.name.hasSuffix("/gamma") {
                p.value = rng.uniformTensor(dims, 0.5, 1.5)
            } else if p.name.hasSuffix("/moving_mean") || p.name.hasSuffix("/beta") || p.name.hasSuffix("/bias") {
                p.value = rng.uniformTensor(dims, -0.3, 0.3)
            }
        }
        return g
    }

    func testInferenceFusionMatchesLayerByLayer() {
        // Winograd from 16 channels, so the folded normalisation reaches a transformed kernel.
        let savedChannels = Engine.options.winogradMinimumChannels
        Engine.options.winogradMinimumChannels = 16
        defer { Engine.options.winogradMinimumChannels = savedChannels }
        let g = Self.fusionGraph()
        XCTAssertTrue(
            Conv2D.usesWinograd(
                ConvGeometry(input: Shape([2, 11, 10, 16]), kernel: (3, 3), stride: (1, 1), padding: .valid),
                filters: 16), "c2 runs through Winograd")
        let x = Tensor([2, 17, 16, 3], randomValues(2 * 17 * 16 * 3, seed: 13))
        let plan = g.inferencePlan()
        let absorbed = Set(plan.absorbed.map { g.nodeNames[$0] })
        XCTAssertEqual(absorbed, ["pad0", "conv0", "bn0", "preact_bn", "c1", "c1_bn", "c2_pad", "c2", "c2_bn", "c3", "wide", "narrow"])
        XCTAssertNotNil(plan.steps[g.node(named: "pool")!.index], "max pooling without argmax")
        let plain = g.forward([x], mode: .inference, retainActivations: true)
        for _ in 0..<2 {  // the second pass reuses buffers and cached kernels
            let fused = g.forward([x], mode: .inference)
            XCTAssertNil(g.value(of: g.node(named: "c2")!), "absorbed nodes keep no value")
            for (f, p) in zip(fused, plain) {
                XCTAssertEqual(f.shape, p.shape)
                assertClose(f.data, p.doubles, tol: 1e-5, "fused vs layer by layer")
            }
        }
        // A changed batch normalisation reaches the folded kernel.
        let bn = g.layer(of: g.node(named: "c1_bn")!) as! BatchNormalization
        bn.gamma.value.withUnsafeMutableElements { p in for i in p.indices { p[i] *= 1.5 } }
        let plain2 = g.forward([x], mode: .inference, retainActivations: true)
        let fused2 = g.forward([x], mode: .inference)
        XCTAssertGreaterThan(abs(plain2[0].sum() - plain[0].sum()), 1e-3, "the change matters")
        assertClose(fused2[0].data, plain2[0].doubles, tol: 1e-5, "after a BN update")
        // Deterministic: 1 and 2 threads give identical bits.
        let saved = Parallel.threads
        defer { Parallel.setThreads(saved) }
        Parallel.setThreads(1)
        let one = g.forward([x], mode: .inference)
        Parallel.setThreads(2)
        XCTAssertEqual(one, g.forward([x], mode: .inference), "1 vs 2 threads")
        // With the fast paths off, inference keeping no activations equals the retained pass bit
        // for bit (both layer by layer with the training arithmetic).
        Engine.options.inferenceFastPaths = false
        defer { Engine.options.inferenceFastPaths = true }
        let retained = g.forward([x], mode: .inference, retainActivations: true)
        XCTAssertEqual(g.forward([x], mode: .inference), retained)
        assertClose(retained[0].data, plain2[0].doubles, tol: 1e-5, "im2col vs Winograd")
    }

    /// BN → ReLU in one pass against the two layers.
    func testBatchNormReLUFusion() {
        let g = Graph(seed: 2)
        let x = g.input("x", shape: [3, 4, 11])
        let bn = BatchNormalization("bn", epsilon: 1.001e-5)
        g.outputs = [g.add(ReLU("relu"), g.add(bn, x))]
        var rng = RNG(seed: 3)
        bn.movingMean.value = rng.uniformTensor([11], -0.5, 0.5)
        bn.movingVariance.value = rng.uniformTensor([11], 0.5, 2)
        bn.gamma.value = rng.uniformTensor([11], -1, 1)
        bn.beta.value = rng.uniformTensor([11], -0.5, 0.5)
        let input = Tensor([2, 3, 4, 11], randomValues(2 * 3 * 4 * 11, seed: 4))
        XCTAssertEqual(g.inferencePlan().absorbed.count, 1)
        let fused = g.forward([input], mode: .inference)[0]
        let plain = g.forward([input], mode: .inference, retainActivations: true)[0]
        assertClose(fused.data, plain.doubles, tol: 1e-6, "BN+ReLU")
        XCTAssertTrue(fused.data.contains(0) && fused.data.contains { $0 > 0 }, "both sides of the ReLU occur")
    }

    /// Writes to a parameter bump its version (what the cached inference kernels key on), and an
    /// in-place write, as Nadam's, stays in place (no copy of the weights).
    func testParameterVersionAndInPlaceWrites() {
        let p = Parameter(name: "w", value: Tensor(shape: Shape([8192]), repeating: 1))
        let address = p.value.storageAddress
        let v0 = p.version
        BufferStatistics.reset()
        p.value.withUnsafeMutableElements { e in for i in e.indices { e[i] = 2 } }
        XCTAssertEqual(BufferStatistics.largeBuffersCreated, 0)
        XCTAssertEqual(p.value.storageAddress, address, "updated in place")
        XCTAssertEqual(p.version, v0 + 1)
        p.value = Tensor(shape: Shape([8192]), repeating: 3)
        XCTAssertEqual(p.version, v0 + 2)
        p.value.data[0] = 4
        XCTAssertEqual(p.version, v0 + 3)
    }

    /// The blocked pointwise path (≥ 4 blocks of rows) with a folded BN + ReLU and with a
    /// residual, and the blocked im2col path (> `wholeIm2colRows` rows) with BN + ReLU.
    func testBlockedPointwiseFusion() {
        let g = Graph(seed: 21)
        let x = g.input("x", shape: [16, 16, 8])
        let a = g.add(Conv2D("a", filters: 512, kernelSize: 1), x)
        var b = g.add(Conv2D("b", filters: 512, kernelSize: 1, useBias: false), x)
        b = g.add(ReLU("b_relu"), g.add(BatchNormalization("b_bn"), b))
        // A 5×5 over 512 rows: the blocked im2col path with the epilogue per block.
        var c = g.add(Conv2D("c", filters: 8, kernelSize: 5, padding: .same), x)
        c = g.add(ReLU("c_relu"), g.add(BatchNormalization("c_bn"), c))
        g.outputs = [g.add(Add("sum"), a, b), c]
        var rng = RNG(seed: 22)
        for p in g.parameters where !p.name.hasSuffix("/kernel") { p.value = rng.uniformTensor(p.value.shape.dims, 0.5, 1.5) }
        let input = Tensor([2, 16, 16, 8], randomValues(2 * 16 * 16 * 8, seed: 23))
        let rows = 2 * 16 * 16, per = Conv2DOp.pointwiseBlockRows(oc: 512)
        XCTAssertGreaterThanOrEqual((rows + per - 1) / per, 4, "the blocked path")
        XCTAssertGreaterThan(rows, Conv2DOp.wholeIm2colRows)
        XCTAssertEqual(Set(g.inferencePlan().absorbed.map { g.nodeNames[$0] }), ["a", "b", "b_bn", "c", "c_bn"])
        let fused = g.forward([input], mode: .inference)
        let plain = g.forward([input], mode: .inference, retainActivations: true)
        assertClose(fused[0].data, plain[0].doubles, tol: 1e-5, "blocked pointwise")
        assertClose(fused[1].data, plain[1].doubles, tol: 1e-5, "blocked im2col")
    }
}
