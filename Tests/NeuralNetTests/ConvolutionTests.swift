import XCTest

@testable import NeuralNet

final class ConvolutionTests: XCTestCase {
    struct Case { let n, h, w, c, k, oc, stride: Int; let same, bias: Bool }

    /// Stride 1/2, odd and even sizes, 'same' (symmetric and asymmetric) and 'valid', 1×1, 7×7.
    let cases: [Case] = [
        Case(n: 2, h: 5, w: 5, c: 3, k: 3, oc: 4, stride: 1, same: true, bias: true),
        Case(n: 1, h: 6, w: 6, c: 2, k: 3, oc: 3, stride: 2, same: true, bias: false),  // asymmetric pad
        Case(n: 2, h: 7, w: 5, c: 2, k: 3, oc: 2, stride: 2, same: true, bias: true),
        Case(n: 1, h: 6, w: 7, c: 3, k: 2, oc: 2, stride: 1, same: true, bias: true),  // even kernel
        Case(n: 2, h: 4, w: 4, c: 5, k: 1, oc: 3, stride: 1, same: true, bias: true),  // direct GEMM
        Case(n: 1, h: 5, w: 6, c: 3, k: 1, oc: 2, stride: 2, same: false, bias: false),  // 1x1 stride 2
        Case(n: 1, h: 9, w: 8, c: 1, k: 7, oc: 2, stride: 2, same: false, bias: true),  // 7x7 valid
        Case(n: 1, h: 8, w: 8, c: 2, k: 7, oc: 2, stride: 2, same: true, bias: false),  // 7x7 same even
        Case(n: 2, h: 6, w: 5, c: 2, k: 3, oc: 3, stride: 1, same: false, bias: true)  // 3x3 valid stride 1
    ]

    func run(_ t: Case, seed: UInt64) -> (Tensor, Tensor, Tensor?, ConvGeometry) {
        let x = Tensor([t.n, t.h, t.w, t.c], randomValues(t.n * t.h * t.w * t.c, seed: seed))
        let k = Tensor([t.k, t.k, t.c, t.oc], randomValues(t.k * t.k * t.c * t.oc, seed: seed + 1))
        let b = t.bias ? Tensor([t.oc], randomValues(t.oc, seed: seed + 2)) : nil
        let g = ConvGeometry(input: x.shape, kernel: (t.k, t.k), stride: (t.stride, t.stride), padding: t.same ? .same : .valid)
        return (x, k, b, g)
    }

    func testConv2D() {
        for (i, t) in cases.enumerated() {
            let (x, k, b, g) = run(t, seed: UInt64(10 * i))
            var y = Tensor.zeros([0])
            Conv2DOp.forward(x, kernel: k, bias: b, geometry: g, workspace: Workspace(), into: &y)
            let ref = referenceConv(x.doubles, x.shape.dims, k.doubles, k.shape.dims, bias: b?.doubles, stride: t.stride, same: t.same)
            XCTAssertEqual(y.shape.dims, ref.shape, "case \(i) shape")
            assertClose(y.data, ref.y, tol: 1e-5, "conv case \(i)")
        }
    }

    func testConv2DGradient() {
        for (i, t) in cases.enumerated() {
            let (x, k, b, g) = run(t, seed: UInt64(10 * i + 100))
            let ref0 = referenceConv(x.doubles, x.shape.dims, k.doubles, k.shape.dims, bias: b?.doubles, stride: t.stride, same: t.same)
            let r = randomValues(ref0.y.count, seed: UInt64(i) + 999)
            var dk = Tensor(shape: k.shape)
            var db: Tensor? = b.map { Tensor(shape: $0.shape) }
            var dx: Tensor? = Tensor.zeros([0])
            Conv2DOp.backward(
                Tensor(ref0.shape, r), x: x, kernel: k, geometry: g, workspace: Workspace(),
                dKernel: &dk, dBias: &db, dx: &dx)
            let gx = numericGradient(x.doubles) { xv in
                dot(r, referenceConv(xv, x.shape.dims, k.doubles, k.shape.dims, bias: b?.doubles, stride: t.stride, same: t.same).y)
            }
            let gk = numericGradient(k.doubles) { kv in
                dot(r, referenceConv(x.doubles, x.shape.dims, kv, k.shape.dims, bias: b?.doubles, stride: t.stride, same: t.same).y)
            }
            assertClose(dx!.data, gx, tol: 1e-4, "conv dx case \(i)")
            assertClose(dk.data, gk, tol: 1e-4, "conv dkernel case \(i)")
            if let b, let db {
                let gb = numericGradient(b.doubles) { bv in
                    dot(r, referenceConv(x.doubles, x.shape.dims, k.doubles, k.shape.dims, bias: bv, stride: t.stride, same: t.same).y)
                }
                assertClose(db.data, gb, tol: 1e-4, "conv dbias case \(i)")
            }
        }
    }

    /// The blocked path (several image blocks through a small workspace) equals the one-block path,
    /// and gradients accumulate with `+=`.
    func testConv2DBlockedAndAccumulating() {
        let t = Case(n: 3, h: 6, w: 5, c: 2, k: 3, oc: 3, stride: 1, same: true, bias: true)
        let (x, k, b, g) = run(t, seed: 7)
        let saved = Engine.options.convolutionBlockBudget
        defer { Engine.options.convolutionBlockBudget = saved }
        var outs: [[Float]] = [], grads: [[Float]] = []
        for budget in [1 << 22, 1] {
            Engine.options.convolutionBlockBudget = budget
            var y = Tensor.zeros([0])
            Conv2DOp.forward(x, kernel: k, bias: b, geometry: g, workspace: Workspace(), into: &y)
            var dk = Tensor(shape: k.shape, repeating: 1)
            var db: Tensor? = Tensor(shape: b!.shape)
            var dx: Tensor? = Tensor.zeros([0])
            Conv2DOp.backward(y, x: x, kernel: k, geometry: g, workspace: Workspace(), dKernel: &dk, dBias: &db, dx: &dx)
            outs.append(y.data); grads.append(dk.data + dx!.data)
        }
        let ref = referenceConv(x.doubles, x.shape.dims, k.doubles, k.shape.dims, bias: b!.doubles, stride: 1, same: true)
        assertClose(outs[1], ref.y, tol: 1e-5, "blocked conv")
        assertClose(grads[1], grads[0].map(Double.init), tol: 1e-5, "blocked conv gradients")
        // dk started at 1: accumulation keeps the 1 (checked on one element against a fresh run).
        var dk0 = Tensor(shape: k.shape)
        var db0: Tensor? = nil, dx0: Tensor? = nil
        Conv2DOp.backward(
            Tensor(shape: Shape([3, 6, 5, 3]), data: outs[0]), x: x, kernel: k, geometry: g,
            workspace: Workspace(), dKernel: &dk0, dBias: &db0, dx: &dx0)
        XCTAssertEqual(Double(grads[0][0]), Double(dk0.data[0]) + 1, accuracy: 1e-4)
    }

    func testDepthwiseConv2D() {
        for (i, (s, same, h)) in [(1, true, 5), (2, true, 6), (2, false, 7), (1, false, 5)].enumerated() {
            let xs = [2, h, h + 1, 3]
            let x = Tensor(xs, randomValues(xs.reduce(1, *), seed: UInt64(i)))
            let k = Tensor([3, 3, 3, 1], randomValues(27, seed: UInt64(i) + 50))
            let g = ConvGeometry(input: x.shape, kernel: (3, 3), stride: (s, s), padding: same ? .same : .valid)
            var y = Tensor.zeros([0])
            DepthwiseConv2DOp.forward(x, kernel: k, geometry: g, into: &y)
            let ref = referenceDepthwise(x.doubles, xs, k.doubles, kernel: 3, stride: s, same: same)
            XCTAssertEqual(y.shape.dims, ref.shape)
            assertClose(y.data, ref.y, tol: 1e-5, "depthwise case \(i)")
        }
    }

    func testDepthwiseConv2DGradient() {
        for (i, (s, same, h)) in [(1, true, 5), (2, true, 6), (2, false, 7)].enumerated() {
            let xs = [2, h, h - 1, 2]
            let x = Tensor(xs, randomValues(xs.reduce(1, *), seed: UInt64(i) + 7))
            let k = Tensor([3, 3, 2, 1], randomValues(18, seed: UInt64(i) + 70))
            let g = ConvGeometry(input: x.shape, kernel: (3, 3), stride: (s, s), padding: same ? .same : .valid)
            let ref = referenceDepthwise(x.doubles, xs, k.doubles, kernel: 3, stride: s, same: same)
            let r = randomValues(ref.y.count, seed: 3)
            var dk = Tensor(shape: k.shape)
            var dx: Tensor? = Tensor.zeros([0])
            DepthwiseConv2DOp.backward(Tensor(ref.shape, r), x: x, kernel: k, geometry: g, dKernel: &dk, dx: &dx)
            let gx = numericGradient(x.doubles) { dot(r, referenceDepthwise($0, xs, k.doubles, kernel: 3, stride: s, same: same).y) }
            let gk = numericGradient(k.doubles) { dot(r, referenceDepthwise(x.doubles, xs, $0, kernel: 3, stride: s, same: same).y) }
            assertClose(dx!.data, gx, tol: 1e-4, "depthwise dx case \(i)")
            assertClose(dk.data, gk, tol: 1e-4, "depthwise dkernel case \(i)")
        }
    }

    /// The GEMM wrapper's three regimes (single call, split along M or N, split along K) against
    /// a naive product in Double, for every transpose combination, with beta 0 and 1.
    func testSgemmSplits() {
        for (m, n, k) in [(3, 4, 5), (300, 40, 200), (20, 300, 400), (9, 32, 9000)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = randomValues(m * k, seed: UInt64(m + k)), b = randomValues(k * n, seed: UInt64(n + k))
                let c0 = randomValues(m * n, seed: 5)
                // Plain row-major op(A) [m, k] and op(B) [k, n], then a naive product.
                var opA = [Double](repeating: 0, count: m * k), opB = [Double](repeating: 0, count: k * n)
                for i in 0..<m { for p in 0..<k { opA[i * k + p] = ta ? a[p * m + i] : a[i * k + p] } }
                for p in 0..<k { for j in 0..<n { opB[p * n + j] = tb ? b[j * k + p] : b[p * n + j] } }
                var product = [Double](repeating: 0, count: m * n)
                opA.withUnsafeBufferPointer { A in
                    opB.withUnsafeBufferPointer { B in
                        product.withUnsafeMutableBufferPointer { P in
                            for i in 0..<m {
                                for p in 0..<k {
                                    let aip = A[i * k + p]
                                    for j in 0..<n { P[i * n + j] += aip * B[p * n + j] }
                                }
                            }
                        }
                    }
                }
                for beta in [0.0, 1.0] {
                    var c = c0.map(Float.init)
                    let af = a.map(Float.init), bf = b.map(Float.init)
                    af.withUnsafeBufferPointer { ap in
                        bf.withUnsafeBufferPointer { bp in
                            c.withUnsafeMutableBufferPointer { cp in
                                sgemm(
                                    transA: ta, transB: tb, m: m, n: n, k: k, a: ap.baseAddress!, lda: ta ? m : k,
                                    b: bp.baseAddress!, ldb: tb ? k : n, beta: Float(beta), c: cp.baseAddress!, ldc: n)
                            }
                        }
                    }
                    let ref = (0..<(m * n)).map { beta * c0[$0] + product[$0] }
                    assertClose(c, ref, tol: 2e-5 * Double(k).squareRoot(), "sgemm \(m)x\(n)x\(k) ta \(ta) tb \(tb) beta \(beta)")
                }
            }
        }
    }

    /// Keras's 'same' arithmetic on known sizes: 224 stride 2 kernel 3 pads (0, 1); 7 stride 2 pads (1, 1).
    func testSamePaddingGeometry() {
        let a = WindowAxis(input: 224, kernel: 3, stride: 2, padding: .same)
        XCTAssertEqual(a.output, 112); XCTAssertEqual(a.padBefore, 0)  // total 1: 0 top, 1 bottom
        let b = WindowAxis(input: 7, kernel: 3, stride: 2, padding: .same)
        XCTAssertEqual(b.output, 4); XCTAssertEqual(b.padBefore, 1)
        let c = WindowAxis(input: 8, kernel: 7, stride: 2, padding: .same)
        XCTAssertEqual(c.output, 4); XCTAssertEqual(c.padBefore, 2)  // total 5: 2 top, 3 bottom
        let d = WindowAxis(input: 230, kernel: 7, stride: 2, padding: .valid)
        XCTAssertEqual(d.output, 112)
    }

    /// The fused forward's row blocks: an even number (or one) of equal blocks of whole multiples
    /// of 8 rows, about `targetRows` each, covering every row; independent of the threads.
    func testFusedBlockPartition() {
        for (n, h, c) in [(1, 128, 64), (1, 64, 128), (1, 16, 512), (14, 32, 64), (3, 7, 5), (1, 2, 3), (14, 24, 8), (14, 48, 1)] {
            let g = ConvGeometry(input: Shape([n, h, h, c]), kernel: (3, 3), stride: (1, 1), padding: .same)
            let rows = n * g.outputPixels
            let per = Conv2DOp.blockRows(g)
            let blocks = (rows + per - 1) / per
            XCTAssertEqual(per % 8, 0, "\(n)x\(h)x\(c)")
            XCTAssert(blocks == 1 || blocks % 2 == 0, "\(n)x\(h)x\(c): \(blocks) blocks")
            XCTAssertGreaterThanOrEqual(blocks * per, rows)
            XCTAssertLessThan((blocks - 1) * per, rows, "no empty block")
            let target = Conv2DOp.targetRows(g)
            if rows >= 4 * target {
                XCTAssert(per <= 2 * target && 2 * per >= target, "\(per) rows per block")
            }
            let saved = Parallel.threads
            Parallel.setThreads(1)
            XCTAssertEqual(Conv2DOp.blockRows(g), per)
            Parallel.setThreads(saved)
        }
    }
}
