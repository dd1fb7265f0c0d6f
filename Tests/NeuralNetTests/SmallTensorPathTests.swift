import XCTest

@testable import NeuralNet

/// The training step's paths for small tensors: the blocked convolution backward, the direct
/// single-channel convolution, batch normalisation fused with its ReLU, and the depthwise
/// kernels — each against an independent Double reference (finite differences), against the
/// general path within a tolerance, and bit-identical for 1, 2 and 3 threads with the serial
/// threshold off (`Parallel.minimumParallelWork = 0`), so the parallel code actually runs.
final class SmallTensorPathTests: XCTestCase {
    /// Runs `body` with `threads` threads and every loop eligible to run in parallel.
    func withThreads<T>(_ threads: Int, _ body: () -> T) -> T {
        let savedThreads = Parallel.threads, savedWork = Engine.options.minimumParallelWork
        Parallel.setThreads(threads)
        Engine.options.minimumParallelWork = 0
        defer { Parallel.setThreads(savedThreads); Engine.options.minimumParallelWork = savedWork }
        return body()
    }

    struct ConvCase { let n, h, w, c, k, oc, stride: Int; let same, bias, dx: Bool }
    let convCases: [ConvCase] = [
        ConvCase(n: 5, h: 7, w: 6, c: 3, k: 3, oc: 4, stride: 1, same: true, bias: true, dx: true),
        ConvCase(n: 3, h: 8, w: 7, c: 2, k: 3, oc: 9, stride: 2, same: true, bias: false, dx: true),
        ConvCase(n: 4, h: 5, w: 5, c: 6, k: 1, oc: 5, stride: 1, same: true, bias: true, dx: true),  // pointwise
        ConvCase(n: 3, h: 9, w: 8, c: 2, k: 7, oc: 3, stride: 2, same: true, bias: true, dx: false),
        ConvCase(n: 2, h: 6, w: 6, c: 3, k: 3, oc: 2, stride: 1, same: false, bias: false, dx: true),
        // Enough multiply-adds (≥ `backwardSplitWork`) to be split into two blocks even with large blocks.
        ConvCase(n: 4, h: 10, w: 10, c: 16, k: 3, oc: 32, stride: 1, same: true, bias: true, dx: true),
        ConvCase(n: 2, h: 12, w: 12, c: 64, k: 1, oc: 64, stride: 1, same: true, bias: false, dx: true)
    ]

    /// Backward of one case: (dk, db, dx) flattened; `blocked` selects the path, `blockRows` the
    /// blocked path's block size (small values force many blocks).
    func convBackward(_ t: ConvCase, blocked: Bool, blockRows: Int = 16, seed: UInt64) -> (dk: [Float], db: [Float], dx: [Float]) {
        let x = Tensor([t.n, t.h, t.w, t.c], randomValues(t.n * t.h * t.w * t.c, seed: seed))
        let k = Tensor([t.k, t.k, t.c, t.oc], randomValues(t.k * t.k * t.c * t.oc, seed: seed + 1))
        let g = ConvGeometry(input: x.shape, kernel: (t.k, t.k), stride: (t.stride, t.stride), padding: t.same ? .same : .valid)
        let dy = Tensor([t.n, g.h.output, g.w.output, t.oc], randomValues(t.n * g.outputPixels * t.oc, seed: seed + 2))
        let savedBlocked = Engine.options.blockedBackward, savedRows = Engine.options.backwardBlockRows
        Engine.options.blockedBackward = blocked
        Engine.options.backwardBlockRows = blockRows
        defer { Engine.options.blockedBackward = savedBlocked; Engine.options.backwardBlockRows = savedRows }
        XCTAssertEqual(Conv2DOp.backwardBlocks(g, oc: t.oc) != nil, blocked)
        var dk = Tensor(shape: k.shape, repeating: 0.5)  // accumulates
        var db: Tensor? = t.bias ? Tensor(shape: Shape([t.oc]), repeating: -0.25) : nil
        var dx: Tensor? = t.dx ? Tensor.zeros([0]) : nil
        Conv2DOp.backward(dy, x: x, kernel: k, geometry: g, workspace: Workspace(), dKernel: &dk, dBias: &db, dx: &dx)
        return (dk.data, db?.data ?? [], dx?.data ?? [])
    }

    func testBlockedConvolutionBackwardMatchesGeneralPath() {
        for (i, t) in convCases.enumerated() {
            let general = convBackward(t, blocked: false, seed: UInt64(40 + i))
            if i >= 5 {
                let g = ConvGeometry(
                    input: Shape([t.n, t.h, t.w, t.c]), kernel: (t.k, t.k), stride: (t.stride, t.stride),
                    padding: t.same ? .same : .valid)
                XCTAssertEqual(Conv2DOp.backwardBlocks(g, oc: t.oc)?.count, 2, "case \(i) splits in two")
            }
            for rows in [16, 1 << 20] {
                let blocked = convBackward(t, blocked: true, blockRows: rows, seed: UInt64(40 + i))
                assertClose(blocked.dk, general.dk.map(Double.init), tol: 1e-5, "case \(i) dk, \(rows) rows per block")
                assertClose(blocked.db, general.db.map(Double.init), tol: 1e-5, "case \(i) db")
                assertClose(blocked.dx, general.dx.map(Double.init), tol: 1e-5, "case \(i) dx")
            }
        }
    }

    /// Finite differences in Double through the naive reference, with many small blocks.
    func testBlockedConvolutionBackwardGradient() {
        for (i, t) in convCases.enumerated() where t.n * t.h * t.w * t.c <= 700 {
            let x = Tensor([t.n, t.h, t.w, t.c], randomValues(t.n * t.h * t.w * t.c, seed: UInt64(40 + i)))
            let k = Tensor([t.k, t.k, t.c, t.oc], randomValues(t.k * t.k * t.c * t.oc, seed: UInt64(41 + i)))
            let got = convBackward(t, blocked: true, blockRows: 8, seed: UInt64(40 + i))
            let ref0 = referenceConv(x.doubles, x.shape.dims, k.doubles, k.shape.dims, bias: nil, stride: t.stride, same: t.same)
            let r = randomValues(ref0.y.count, seed: UInt64(42 + i))
            let gk = numericGradient(k.doubles) { kv in
                dot(r, referenceConv(x.doubles, x.shape.dims, kv, k.shape.dims, bias: nil, stride: t.stride, same: t.same).y)
            }
            assertClose(got.dk, gk.map { $0 + 0.5 }, tol: 1e-4, "case \(i) dk")
            if t.dx {
                let gx = numericGradient(x.doubles) { xv in
                    dot(r, referenceConv(xv, x.shape.dims, k.doubles, k.shape.dims, bias: nil, stride: t.stride, same: t.same).y)
                }
                assertClose(got.dx, gx, tol: 1e-4, "case \(i) dx")
            }
            if t.bias {
                var gb = [Double](repeating: -0.25, count: t.oc)
                for (j, v) in r.enumerated() { gb[j % t.oc] += v }
                assertClose(got.db, gb, tol: 1e-4, "case \(i) db")
            }
        }
    }

    func testBlockedConvolutionBackwardIsBitIdenticalAcrossThreads() {
        for (i, t) in convCases.enumerated() {
            let one = withThreads(1) { convBackward(t, blocked: true, seed: UInt64(60 + i)) }
            for n in [2, 3] {
                let other = withThreads(n) { convBackward(t, blocked: true, seed: UInt64(60 + i)) }
                XCTAssert(one.dk == other.dk && one.db == other.db && one.dx == other.dx, "case \(i): \(n) threads differ from 1")
            }
        }
    }

    // MARK: - Single-channel input

    /// (forward, dk, db) of a single-channel convolution through the direct loops or im2col.
    func singleChannel(_ t: ConvCase, direct: Bool, seed: UInt64) -> (y: [Float], dk: [Float], db: [Float], ref: [Double]) {
        let x = Tensor([t.n, t.h, t.w, 1], randomValues(t.n * t.h * t.w, seed: seed))
        let k = Tensor([t.k, t.k, 1, t.oc], randomValues(t.k * t.k * t.oc, seed: seed + 1))
        let b = t.bias ? Tensor([t.oc], randomValues(t.oc, seed: seed + 2)) : nil
        let g = ConvGeometry(input: x.shape, kernel: (t.k, t.k), stride: (t.stride, t.stride), padding: t.same ? .same : .valid)
        let saved = Engine.options.directSingleChannel
        Engine.options.directSingleChannel = direct
        defer { Engine.options.directSingleChannel = saved }
        var y = Tensor.zeros([0])
        Conv2DOp.forward(x, kernel: k, bias: b, geometry: g, workspace: Workspace(), into: &y)
        let dy = Tensor(y.shape.dims, randomValues(y.count, seed: seed + 3))
        var dk = Tensor(shape: k.shape, repeating: 1)
        var db: Tensor? = b.map { Tensor(shape: $0.shape) }
        var dx: Tensor? = nil
        Conv2DOp.backward(dy, x: x, kernel: k, geometry: g, workspace: Workspace(), dKernel: &dk, dBias: &db, dx: &dx)
        let ref = referenceConv(x.doubles, x.shape.dims, k.doubles, k.shape.dims, bias: b?.doubles, stride: t.stride, same: t.same)
        return (y.data, dk.data, db?.data ?? [], ref.y)
    }

    let singleChannelCases: [ConvCase] = [
        ConvCase(n: 3, h: 12, w: 11, c: 1, k: 7, oc: 8, stride: 2, same: true, bias: true, dx: false),  // ResNet50V2 conv1
        ConvCase(n: 2, h: 9, w: 9, c: 1, k: 3, oc: 4, stride: 2, same: false, bias: false, dx: false),  // Xception block1_conv1
        ConvCase(n: 2, h: 6, w: 7, c: 1, k: 3, oc: 12, stride: 1, same: true, bias: true, dx: false),  // 8 lanes + 4
        ConvCase(n: 2, h: 8, w: 10, c: 1, k: 5, oc: 3, stride: 3, same: true, bias: true, dx: false),  // plain loops
        ConvCase(n: 1, h: 11, w: 9, c: 1, k: 7, oc: 16, stride: 1, same: false, bias: false, dx: false)  // valid, 2 x 8 lanes
    ]

    func testSingleChannelConvolution() {
        for (i, t) in singleChannelCases.enumerated() {
            let direct = singleChannel(t, direct: true, seed: UInt64(80 + 10 * i))
            let plain = singleChannel(t, direct: false, seed: UInt64(80 + 10 * i))
            assertClose(direct.y, direct.ref, tol: 1e-5, "case \(i) forward vs reference")
            assertClose(direct.dk, plain.dk.map(Double.init), tol: 1e-5, "case \(i) dk vs im2col")
            assertClose(direct.db, plain.db.map(Double.init), tol: 1e-5, "case \(i) db vs im2col")
        }
    }

    func testSingleChannelConvolutionGradient() {
        let t = singleChannelCases[1]
        let seed: UInt64 = 300
        let x = Tensor([t.n, t.h, t.w, 1], randomValues(t.n * t.h * t.w, seed: seed))
        let k = Tensor([t.k, t.k, 1, t.oc], randomValues(t.k * t.k * t.oc, seed: seed + 1))
        let got = singleChannel(t, direct: true, seed: seed)
        let r = randomValues(got.y.count, seed: seed + 3)
        let gk = numericGradient(k.doubles) { kv in
            dot(r, referenceConv(x.doubles, x.shape.dims, kv, k.shape.dims, bias: nil, stride: t.stride, same: t.same).y)
        }
        assertClose(got.dk, gk.map { $0 + 1 }, tol: 1e-4, "single-channel dk (accumulated onto 1)")
    }

    func testSingleChannelConvolutionIsBitIdenticalAcrossThreads() {
        for (i, t) in singleChannelCases.enumerated() {
            let one = withThreads(1) { singleChannel(t, direct: true, seed: UInt64(90 + i)) }
            for n in [2, 3] {
                let other = withThreads(n) { singleChannel(t, direct: true, seed: UInt64(90 + i)) }
                XCTAssert(one.y == other.y && one.dk == other.dk && one.db == other.db, "case \(i): \(n) threads differ from 1")
            }
        }
    }

    // MARK: - Batch normalisation + ReLU

    /// `max(BN(x), 0)` with batch statistics, in Double.
    func referenceBNReLU(_ x: [Double], gamma: [Double], beta: [Double], C: Int, eps: Double) -> [Double] {
        let R = x.count / C
        var y = x
        for c in 0..<C {
            let m = (0..<R).reduce(0.0) { $0 + x[$1 * C + c] } / Double(R)
            let v = (0..<R).reduce(0.0) { $0 + (x[$1 * C + c] - m) * (x[$1 * C + c] - m) } / Double(R)
            for r in 0..<R { y[r * C + c] = max(0, gamma[c] * (x[r * C + c] - m) / (v + eps).squareRoot() + beta[c]) }
        }
        return y
    }

    /// (y, dx, dgamma, dbeta) of BN + ReLU, fused or as two ops.
    func bnReLU(fused: Bool, shape: [Int], seed: UInt64) -> (y: [Float], dx: [Float], dg: [Float], db: [Float]) {
        let C = shape.last!
        let x = Tensor(shape, randomValues(shape.reduce(1, *), seed: seed).map { 2 * $0 + 0.3 })
        let gamma = Tensor([C], randomValues(C, seed: seed + 1).map { $0 + 1 })
        let beta = Tensor([C], randomValues(C, seed: seed + 2))
        let dy = Tensor(shape, randomValues(x.count, seed: seed + 3))
        var mm = Tensor.zeros([C]), mv = Tensor(shape: Shape([C]), repeating: 1)
        var cache = BatchNormOp.Cache(), y = Tensor.zeros([0])
        var dg = Tensor(shape: gamma.shape), db = Tensor(shape: beta.shape)
        var dx: Tensor? = Tensor.zeros([0])
        if fused {
            BatchNormOp.forward(
                x, gamma: gamma, beta: beta, movingMean: &mm, movingVariance: &mv, momentum: 0.9,
                epsilon: 1e-3, training: true, relu: true, cache: &cache, into: &y)
            BatchNormOp.backward(
                dy, x: x, gamma: gamma, cache: cache, training: true, reluOutput: y,
                dGamma: &dg, dBeta: &db, dx: &dx)
            return (y.data, dx!.data, dg.data, db.data)
        }
        var bn = Tensor.zeros([0]), out = Tensor.zeros([0]), dMid = Tensor.zeros([0])
        BatchNormOp.forward(
            x, gamma: gamma, beta: beta, movingMean: &mm, movingVariance: &mv, momentum: 0.9,
            epsilon: 1e-3, training: true, cache: &cache, into: &bn)
        ElementwiseOp.reluForward(bn, into: &out)
        ElementwiseOp.reluBackward(dy, output: out, into: &dMid)
        BatchNormOp.backward(dMid, x: x, gamma: gamma, cache: cache, training: true, dGamma: &dg, dBeta: &db, dx: &dx)
        return (out.data, dx!.data, dg.data, db.data)
    }

    func testBatchNormReLUFusedEqualsTwoOps() {
        for shape in [[2, 5, 7, 11], [3, 16, 16, 8], [4, 3, 3, 4]] {
            let fused = bnReLU(fused: true, shape: shape, seed: 7), plain = bnReLU(fused: false, shape: shape, seed: 7)
            XCTAssertEqual(fused.y, plain.y, "forward \(shape)")
            XCTAssertEqual(fused.dx, plain.dx, "dx \(shape)")
            XCTAssertEqual(fused.dg, plain.dg, "dgamma \(shape)")
            XCTAssertEqual(fused.db, plain.db, "dbeta \(shape)")
        }
    }

    func testBatchNormReLUFusedGradient() {
        let shape = [2, 3, 4, 3], C = 3, seed: UInt64 = 21
        let x = Tensor(shape, randomValues(shape.reduce(1, *), seed: seed).map { 2 * $0 + 0.3 })
        let gamma = Tensor([C], randomValues(C, seed: seed + 1).map { $0 + 1 })
        let beta = Tensor([C], randomValues(C, seed: seed + 2))
        let r = randomValues(x.count, seed: seed + 3)
        let got = bnReLU(fused: true, shape: shape, seed: seed)
        assertClose(got.y, referenceBNReLU(x.doubles, gamma: gamma.doubles, beta: beta.doubles, C: C, eps: 1e-3), tol: 1e-5, "bn+relu")
        assertClose(
            got.dx,
            numericGradient(x.doubles) {
                dot(r, self.referenceBNReLU($0, gamma: gamma.doubles, beta: beta.doubles, C: C, eps: 1e-3))
            }, tol: 1e-4, "bn+relu dx")
        assertClose(
            got.dg,
            numericGradient(gamma.doubles) {
                dot(r, self.referenceBNReLU(x.doubles, gamma: $0, beta: beta.doubles, C: C, eps: 1e-3))
            }, tol: 1e-4, "bn+relu dgamma")
        assertClose(
            got.db,
            numericGradient(beta.doubles) {
                dot(r, self.referenceBNReLU(x.doubles, gamma: gamma.doubles, beta: $0, C: C, eps: 1e-3))
            }, tol: 1e-4, "bn+relu dbeta")
    }

    func testBatchNormIsBitIdenticalAcrossThreads() {
        for shape in [[4, 20, 20, 11], [6, 24, 24, 8]] {
            for fused in [true, false] {
                let one = withThreads(1) { bnReLU(fused: fused, shape: shape, seed: 9) }
                for n in [2, 3] {
                    let other = withThreads(n) { bnReLU(fused: fused, shape: shape, seed: 9) }
                    XCTAssert(
                        one.y == other.y && one.dx == other.dx && one.dg == other.dg && one.db == other.db,
                        "\(shape) fused \(fused): \(n) threads differ from 1")
                }
            }
        }
    }

    /// A graph's training step with the BN + ReLU fusion equals the unfused step (the fused
    /// arithmetic is the same operations in the same order).
    func testGraphTrainingFusionEqualsUnfused() {
        func run(fusion: Bool) -> ([Double], [[Float]]) {
            let saved = Engine.options.trainingFusion
            Engine.options.trainingFusion = fusion
            defer { Engine.options.trainingFusion = saved }
            let g = TrainingTests.cnn(seed: 3, size: 16, width: 12)
            XCTAssertEqual(g.trainingFusions().count, 1, "bn1 → relu1")
            let opt = Nadam(learningRate: 0.01)
            var rng = RNG(seed: 4)
            var losses: [Double] = []
            for _ in 0..<3 {
                let (x, y) = TrainingTests.batch(6, size: 16, rng: &rng)
                losses.append(TrainingTests.step(g, opt, x, y))
            }
            return (losses, g.parameters.map(\.value.data))
        }
        let fused = run(fusion: true), plain = run(fusion: false)
        XCTAssertEqual(fused.0, plain.0, "losses")
        XCTAssertEqual(fused.1, plain.1, "parameters")
    }

    // MARK: - Depthwise

    /// Eleven channels: one register of eight lanes and a tail of three, against the Double
    /// reference and finite differences.
    func testDepthwiseWideChannelsAgainstReference() {
        for (i, (s, same)) in [(1, true), (2, true), (2, false)].enumerated() {
            let xs = [2, 5, 6, 11]
            let x = Tensor(xs, randomValues(xs.reduce(1, *), seed: UInt64(i) + 400))
            let k = Tensor([3, 3, 11, 1], randomValues(99, seed: UInt64(i) + 410))
            let g = ConvGeometry(input: x.shape, kernel: (3, 3), stride: (s, s), padding: same ? .same : .valid)
            var y = Tensor.zeros([0])
            DepthwiseConv2DOp.forward(x, kernel: k, geometry: g, into: &y)
            let ref = referenceDepthwise(x.doubles, xs, k.doubles, kernel: 3, stride: s, same: same)
            assertClose(y.data, ref.y, tol: 1e-5, "depthwise forward case \(i)")
            let r = randomValues(ref.y.count, seed: UInt64(i) + 420)
            var dk = Tensor(shape: k.shape)
            var dx: Tensor? = Tensor.zeros([0])
            DepthwiseConv2DOp.backward(Tensor(ref.shape, r), x: x, kernel: k, geometry: g, dKernel: &dk, dx: &dx)
            let gx = numericGradient(x.doubles) { dot(r, referenceDepthwise($0, xs, k.doubles, kernel: 3, stride: s, same: same).y) }
            let gk = numericGradient(k.doubles) { dot(r, referenceDepthwise(x.doubles, xs, $0, kernel: 3, stride: s, same: same).y) }
            assertClose(dx!.data, gx, tol: 1e-4, "depthwise dx case \(i)")
            assertClose(dk.data, gk, tol: 1e-4, "depthwise dkernel case \(i)")
        }
    }

    /// A 5×5 depthwise kernel (a group of four taps and one left over in the kernel gradient),
    /// eight channels, valid padding, stride 1 (the input gradient through the turned kernel).
    func testDepthwiseFiveByFiveAgainstReference() {
        let xs = [2, 7, 9, 8]
        let x = Tensor(xs, randomValues(xs.reduce(1, *), seed: 430))
        let k = Tensor([5, 5, 8, 1], randomValues(200, seed: 431))
        let g = ConvGeometry(input: x.shape, kernel: (5, 5), stride: (1, 1), padding: .valid)
        var y = Tensor.zeros([0])
        DepthwiseConv2DOp.forward(x, kernel: k, geometry: g, into: &y)
        let ref = referenceDepthwise(x.doubles, xs, k.doubles, kernel: 5, stride: 1, same: false)
        assertClose(y.data, ref.y, tol: 1e-5, "depthwise 5x5 forward")
        let r = randomValues(ref.y.count, seed: 432)
        var dk = Tensor(shape: k.shape)
        var dx: Tensor? = Tensor.zeros([0])
        DepthwiseConv2DOp.backward(Tensor(ref.shape, r), x: x, kernel: k, geometry: g, dKernel: &dk, dx: &dx)
        let gx = numericGradient(x.doubles) { dot(r, referenceDepthwise($0, xs, k.doubles, kernel: 5, stride: 1, same: false).y) }
        let gk = numericGradient(k.doubles) { dot(r, referenceDepthwise(x.doubles, xs, $0, kernel: 5, stride: 1, same: false).y) }
        assertClose(dx!.data, gx, tol: 1e-4, "depthwise 5x5 dx")
        assertClose(dk.data, gk, tol: 1e-4, "depthwise 5x5 dkernel")
    }

    func testDepthwiseIsBitIdenticalAcrossThreads() {
        func run() -> ([Float], [Float], [Float]) {
            let xs = [3, 11, 10, 11]
            let x = Tensor(xs, randomValues(xs.reduce(1, *), seed: 5))
            let k = Tensor([3, 3, 11, 1], randomValues(99, seed: 6))
            let g = ConvGeometry(input: x.shape, kernel: (3, 3), stride: (2, 2), padding: .same)
            var y = Tensor.zeros([0])
            DepthwiseConv2DOp.forward(x, kernel: k, geometry: g, into: &y)
            var dk = Tensor(shape: k.shape)
            var dx: Tensor? = Tensor.zeros([0])
            DepthwiseConv2DOp.backward(y, x: x, kernel: k, geometry: g, dKernel: &dk, dx: &dx)
            return (y.data, dk.data, dx!.data)
        }
        let one = withThreads(1, run)
        for n in [2, 3] {
            let other = withThreads(n, run)
            XCTAssert(one == other, "\(n) threads differ from 1")
        }
    }
}
