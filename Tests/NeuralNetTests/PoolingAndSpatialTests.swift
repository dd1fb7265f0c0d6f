import XCTest

@testable import NeuralNet

final class PoolingAndSpatialTests: XCTestCase {
    /// Naive max pooling in Double; padded positions never win.
    func referenceMaxPool(_ x: [Double], _ xs: [Int], k: Int, s: Int, same: Bool) -> (y: [Double], shape: [Int]) {
        let (N, H, W, C) = (xs[0], xs[1], xs[2], xs[3])
        let (OH, pt) = referencePadding(H, kernel: k, stride: s, same: same)
        let (OW, pl) = referencePadding(W, kernel: k, stride: s, same: same)
        var y = [Double](repeating: -.infinity, count: N * OH * OW * C)
        for n in 0..<N {
            for oh in 0..<OH {
                for ow in 0..<OW {
                    for c in 0..<C {
                        for a in 0..<k {
                            for b in 0..<k {
                                let ih = oh * s + a - pt, iw = ow * s + b - pl
                                guard ih >= 0, ih < H, iw >= 0, iw < W else { continue }
                                let i = ((n * OH + oh) * OW + ow) * C + c
                                y[i] = max(y[i], x[((n * H + ih) * W + iw) * C + c])
                            }
                        }
                    }
                }
            }
        }
        return (y, [N, OH, OW, C])
    }

    let poolCases: [(k: Int, s: Int, same: Bool, h: Int, w: Int)] = [
        (3, 2, true, 6, 7), (2, 2, false, 6, 5), (3, 2, false, 7, 7), (1, 2, true, 5, 6), (3, 1, true, 4, 4)
    ]

    func testMaxPool() {
        // 3 channels (scalar path) and 10 (8-wide vector path plus a scalar tail).
        for (i, t) in (poolCases + poolCases).enumerated() {
            let xs = [2, t.h, t.w, i < poolCases.count ? 3 : 10]
            let x = Tensor(xs, randomValues(xs.reduce(1, *), seed: UInt64(i)))
            let g = ConvGeometry(input: x.shape, kernel: (t.k, t.k), stride: (t.s, t.s), padding: t.same ? .same : .valid)
            var y = Tensor.zeros([0]), am: [Int32] = []
            PoolingOp.maxPoolForward(x, geometry: g, into: &y, argmax: &am)
            let ref = referenceMaxPool(x.doubles, xs, k: t.k, s: t.s, same: t.same)
            XCTAssertEqual(y.shape.dims, ref.shape)
            assertClose(y.data, ref.y, tol: 0, "maxpool case \(i)")
        }
    }

    func testMaxPoolGradient() {
        for (i, t) in (poolCases + poolCases.prefix(2)).enumerated() {
            let xs = [1, t.h, t.w, i < poolCases.count ? 2 : 9]
            let x = Tensor(xs, randomValues(xs.reduce(1, *), seed: UInt64(i) + 40))
            let g = ConvGeometry(input: x.shape, kernel: (t.k, t.k), stride: (t.s, t.s), padding: t.same ? .same : .valid)
            var y = Tensor.zeros([0]), am: [Int32] = []
            PoolingOp.maxPoolForward(x, geometry: g, into: &y, argmax: &am)
            let r = randomValues(y.count, seed: 41)
            let dx = PoolingOp.maxPoolBackward(Tensor(y.shape.dims, r), geometry: g, argmax: am)
            let gx = numericGradient(x.doubles) { dot(r, self.referenceMaxPool($0, xs, k: t.k, s: t.s, same: t.same).y) }
            assertClose(dx.data, gx, tol: 1e-6, "maxpool dx case \(i)")
        }
    }

    func referenceGAP(_ x: [Double], _ xs: [Int]) -> [Double] {
        let (N, HW, C) = (xs[0], xs[1] * xs[2], xs[3])
        return (0..<(N * C)).map { i in (0..<HW).reduce(0.0) { $0 + x[((i / C) * HW + $1) * C + i % C] } / Double(HW) }
    }

    func testGlobalAveragePooling() {
        let xs = [2, 3, 4, 5]
        let x = Tensor(xs, randomValues(120, seed: 1))
        assertClose(PoolingOp.globalAverageForward(x).data, referenceGAP(x.doubles, xs), tol: 1e-6, "gap")
    }

    func testGlobalAveragePoolingGradient() {
        let xs = [2, 3, 4, 5]
        let x = Tensor(xs, randomValues(120, seed: 2))
        let r = randomValues(10, seed: 3)
        let dx = PoolingOp.globalAverageBackward(Tensor([2, 5], r), inputShape: x.shape)
        assertClose(dx.data, numericGradient(x.doubles) { dot(r, self.referenceGAP($0, xs)) }, tol: 1e-6, "gap dx")
    }

    func referencePad(_ x: [Double], _ xs: [Int], _ t: Int, _ b: Int, _ l: Int, _ r: Int) -> [Double] {
        let (N, H, W, C) = (xs[0], xs[1], xs[2], xs[3])
        let PH = H + t + b, PW = W + l + r
        var y = [Double](repeating: 0, count: N * PH * PW * C)
        for n in 0..<N {
            for h in 0..<H {
                for w in 0..<W {
                    for c in 0..<C {
                        y[((n * PH + h + t) * PW + w + l) * C + c] = x[((n * H + h) * W + w) * C + c]
                    }
                }
            }
        }
        return y
    }

    func testZeroPadding() {
        let xs = [2, 3, 2, 2]
        let x = Tensor(xs, randomValues(24, seed: 4))
        let y = SpatialOp.zeroPadForward(x, top: 3, bottom: 1, left: 0, right: 2)
        XCTAssertEqual(y.shape.dims, [2, 7, 4, 2])
        assertClose(y.data, referencePad(x.doubles, xs, 3, 1, 0, 2), tol: 0, "zero padding")
    }

    func testZeroPaddingGradient() {
        let xs = [1, 3, 2, 2]
        let x = Tensor(xs, randomValues(12, seed: 5))
        let r = randomValues(1 * 5 * 5 * 2, seed: 6)
        let dx = SpatialOp.zeroPadBackward(Tensor([1, 5, 5, 2], r), top: 1, bottom: 1, left: 1, right: 2)
        assertClose(dx.data, numericGradient(x.doubles) { dot(r, self.referencePad($0, xs, 1, 1, 1, 2)) }, tol: 1e-6, "zero padding dx")
    }

    func testConcatenate() {
        let a = Tensor([2, 2, 1, 2], randomValues(8, seed: 7)), b = Tensor([2, 2, 1, 3], randomValues(12, seed: 8))
        let y = SpatialOp.concatForward([a, b])
        XCTAssertEqual(y.shape.dims, [2, 2, 1, 5])
        var ref: [Double] = []
        let ad = a.doubles, bd = b.doubles
        for p in 0..<4 {
            ref.append(contentsOf: ad[(p * 2)..<(p * 2 + 2)])
            ref.append(contentsOf: bd[(p * 3)..<(p * 3 + 3)])
        }
        assertClose(y.data, ref, tol: 0, "concat")
    }

    func testConcatenateGradient() {
        let r = randomValues(20, seed: 9)
        let parts = SpatialOp.concatBackward(Tensor([2, 2, 1, 5], r), widths: [2, 3])
        let av = randomValues(8, seed: 10), bv = randomValues(12, seed: 11)
        func f(_ a: [Double], _ b: [Double]) -> [Double] {
            var out: [Double] = []
            for p in 0..<4 {
                out.append(contentsOf: a[(p * 2)..<(p * 2 + 2)])
                out.append(contentsOf: b[(p * 3)..<(p * 3 + 3)])
            }
            return out
        }
        assertClose(parts[0].data, numericGradient(av) { dot(r, f($0, bv)) }, tol: 1e-6, "concat da")
        assertClose(parts[1].data, numericGradient(bv) { dot(r, f(av, $0)) }, tol: 1e-6, "concat db")
    }

    /// TensorFlow legacy nearest (half_pixel_centers=False) source indices, worked by hand:
    /// 3→7: floor(d·3/7) = 0,0,0,1,1,2,2; 2→4: 0,0,1,1; 5→3: floor(d·5/3) = 0,1,3; 4→6: 0,0,1,2,2,3.
    func testResizeNearest() {
        XCTAssertEqual((0..<7).map { SpatialOp.nearestSource($0, input: 3, output: 7) }, [0, 0, 0, 1, 1, 2, 2])
        XCTAssertEqual((0..<4).map { SpatialOp.nearestSource($0, input: 2, output: 4) }, [0, 0, 1, 1])
        XCTAssertEqual((0..<3).map { SpatialOp.nearestSource($0, input: 5, output: 3) }, [0, 1, 3])
        XCTAssertEqual((0..<6).map { SpatialOp.nearestSource($0, input: 4, output: 6) }, [0, 0, 1, 2, 2, 3])
        let x = Tensor([1, 2, 3, 1], [1, 2, 3, 4, 5, 6])
        let y = SpatialOp.resizeNearestForward(x, height: 4, width: 7)
        let rowA: [Double] = [1, 1, 1, 2, 2, 3, 3], rowB: [Double] = [4, 4, 4, 5, 5, 6, 6]
        assertClose(y.data, rowA + rowA + rowB + rowB, tol: 0, "resize 2x3 → 4x7")
    }

    func testResizeNearestGradient() {
        let xs = [2, 3, 2, 2]
        let xv = randomValues(24, seed: 12)
        func f(_ x: [Double]) -> [Double] {
            var y: [Double] = []
            for n in 0..<2 {
                for oh in 0..<5 {
                    for ow in 0..<4 {
                        for c in 0..<2 {
                            let ih = (oh * 3) / 5, iw = (ow * 2) / 4
                            y.append(x[((n * 3 + ih) * 2 + iw) * 2 + c])
                        }
                    }
                }
            }
            return y
        }
        let r = randomValues(2 * 5 * 4 * 2, seed: 13)
        let dx = SpatialOp.resizeNearestBackward(Tensor([2, 5, 4, 2], r), inputShape: Shape(xs))
        assertClose(dx.data, numericGradient(xv) { dot(r, f($0)) }, tol: 1e-6, "resize dx")
        assertClose(SpatialOp.resizeNearestForward(Tensor(xs, xv), height: 5, width: 4).data, f(xv), tol: 0, "resize 3x2 → 5x4")
    }
}
