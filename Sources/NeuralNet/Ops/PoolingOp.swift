/// Max pooling ('same'/'valid', padding never wins the max) and global average pooling, NHWC.
public enum PoolingOp {
    /// `x [N, H, W, C]` → `y [N, OH, OW, C]`; `argmax` receives, per output, the flat input
    /// index of the winning element (first maximum in window order).
    public static func maxPoolForward(_ x: Tensor, geometry g: ConvGeometry, into y: inout Tensor, argmax: inout [Int32]) {
        let C = g.c, H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output
        y.resize(to: Shape([g.n, OH, OW, C]))
        if argmax.count != y.count { argmax = [Int32](repeating: 0, count: y.count) }
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                argmax.withUnsafeMutableBufferPointer { ap in
                    let xb = xp.baseAddress!, yb = yp.baseAddress!, ab = ap.baseAddress!
                    Parallel.forChunks(g.n * OH, chunk: max(1, 8192 / max(1, OW * C)), work: x.count * 2) { _, r in
                        for line in r {
                            let n = line / OH, oh = line % OH
                            for ow in 0..<OW {
                                let o = (line * OW + ow) * C
                                let yo = yb + o, ao = ab + o
                                var first = true
                                for kh in 0..<g.h.kernel {
                                    let ih = g.h.source(oh, kh)
                                    if ih < 0 || ih >= H { continue }
                                    for kw in 0..<g.w.kernel {
                                        let iw = g.w.source(ow, kw)
                                        if iw < 0 || iw >= W { continue }
                                        let i = ((n * H + ih) * W + iw) * C
                                        let xi = xb + i
                                        if first {
                                            // The first tap inside the image initialises the window.
                                            for c in 0..<C { yo[c] = xi[c]; ao[c] = Int32(i + c) }
                                            first = false
                                        } else {
                                            // Vector select, 8 channels at a time (no branches to mispredict).
                                            let i32 = Int32(truncatingIfNeeded: i)
                                            var c = 0
                                            while c + 8 <= C {
                                                let xv = loadVector(xi + c), yv = loadVector(yo + c)
                                                let better = xv .> yv
                                                storeVector(yv.replacing(with: xv, where: better), yo + c)
                                                let raw = UnsafeMutableRawPointer(ao + c)
                                                let av = raw.loadUnaligned(as: SIMD8<Int32>.self)
                                                let idx =
                                                    SIMD8<Int32>(repeating: i32 &+ Int32(truncatingIfNeeded: c))
                                                    &+ SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
                                                raw.storeBytes(of: av.replacing(with: idx, where: better), as: SIMD8<Int32>.self)
                                                c += 8
                                            }
                                            while c < C {
                                                if xi[c] > yo[c] { yo[c] = xi[c]; ao[c] = i32 &+ Int32(truncatingIfNeeded: c) }
                                                c += 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `maxPoolForward` without the argmax (inference): the same maxima, 8 channels at a time.
    public static func maxPoolInference(_ x: Tensor, geometry g: ConvGeometry, into y: inout Tensor) {
        let C = g.c, H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output
        y.resize(to: Shape([g.n, OH, OW, C]))
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                let xb = xp.baseAddress!, yb = yp.baseAddress!
                Parallel.forChunks(g.n * OH, chunk: max(1, 8192 / max(1, OW * C)), work: x.count * 2) { _, r in
                    for line in r {
                        let n = line / OH, oh = line % OH
                        for ow in 0..<OW {
                            let yo = yb + (line * OW + ow) * C
                            var first = true
                            for kh in 0..<g.h.kernel {
                                let ih = g.h.source(oh, kh)
                                if ih < 0 || ih >= H { continue }
                                for kw in 0..<g.w.kernel {
                                    let iw = g.w.source(ow, kw)
                                    if iw < 0 || iw >= W { continue }
                                    let xi = xb + ((n * H + ih) * W + iw) * C
                                    if first { yo.update(from: xi, count: C); first = false; continue }
                                    var c = 0
                                    while c + 8 <= C {
                                        let xv = loadVector(xi + c), yv = loadVector(yo + c)
                                        storeVector(yv.replacing(with: xv, where: xv .> yv), yo + c)
                                        c += 8
                                    }
                                    while c < C { if xi[c] > yo[c] { yo[c] = xi[c] }; c += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// forward: `y[o] = x[argmax[o]]` ⇒ `dx[i] = Σ_{o : argmax[o] = i} dy[o]`: a scatter-add in
    /// output order within each image, images in parallel (each image owns its slice of `dx`,
    /// so the result is the same for any thread count).
    public static func maxPoolBackward(_ dy: Tensor, geometry g: ConvGeometry, argmax: [Int32]) -> Tensor {
        var dx = Tensor.zeros([0])
        maxPoolBackward(dy, geometry: g, argmax: argmax, into: &dx)
        return dx
    }

    /// `maxPoolBackward` writing into `dx` (resized and zeroed; storage reused when the size allows).
    public static func maxPoolBackward(_ dy: Tensor, geometry g: ConvGeometry, argmax: [Int32], into dx: inout Tensor) {
        let C = g.c, H = g.h.input, W = g.w.input
        let perImage = g.outputPixels * C
        dx.resize(to: Shape([g.n, H, W, C]), zero: true)
        dy.data.withUnsafeBufferPointer { dp in
            argmax.withUnsafeBufferPointer { ap in
                dx.withUnsafeMutableElements { xp in
                    let db = dp.baseAddress!, ab = ap.baseAddress!, xb = xp.baseAddress!
                    Parallel.forChunks(g.n, chunk: 1, work: 4 * dy.count) { _, r in
                        for n in r {
                            for o in (n * perImage)..<((n + 1) * perImage) { xb[Int(ab[o])] += db[o] }
                        }
                    }
                }
            }
        }
    }

    /// `x [N, H, W, C]` → `y [N, C]`, the mean over `H·W` (accumulated in Double).
    public static func globalAverageForward(_ x: Tensor) -> Tensor {
        var y = Tensor.zeros([0])
        globalAverageForward(x, into: &y)
        return y
    }

    /// `globalAverageForward` writing into `y` (storage reused when the size allows).
    public static func globalAverageForward(_ x: Tensor, into y: inout Tensor) {
        let N = x.shape[0], HW = x.shape[1] * x.shape[2], C = x.shape[3]
        y.resize(to: Shape([N, C]))
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                let xb = xp.baseAddress!, yb = yp.baseAddress!
                Parallel.forChunks(N, chunk: 1, work: x.count) { _, r in
                    for n in r {
                        var acc = [Double](repeating: 0, count: C)
                        for p in 0..<HW {
                            let row = xb + (n * HW + p) * C
                            for c in 0..<C { acc[c] += Double(row[c]) }
                        }
                        for c in 0..<C { yb[n * C + c] = Float(acc[c] / Double(HW)) }
                    }
                }
            }
        }
    }

    /// forward: `y[n, c] = mean_p x[n, p, c]` ⇒ `dx[n, p, c] = dy[n, c] / (H·W)`.
    public static func globalAverageBackward(_ dy: Tensor, inputShape: Shape) -> Tensor {
        var dx = Tensor.zeros([0])
        globalAverageBackward(dy, inputShape: inputShape, into: &dx)
        return dx
    }

    /// `globalAverageBackward` writing into `dx` (storage reused when the size allows).
    public static func globalAverageBackward(_ dy: Tensor, inputShape: Shape, into dx: inout Tensor) {
        let N = inputShape[0], HW = inputShape[1] * inputShape[2], C = inputShape[3]
        dx.resize(to: inputShape)
        let inv = 1 / Float(HW)
        dy.data.withUnsafeBufferPointer { dp in
            dx.withUnsafeMutableElements { xp in
                let db = dp.baseAddress!, xb = xp.baseAddress!
                Parallel.forChunks(N * HW, chunk: max(1, Chunk.elements / C), work: N * HW * C) { _, r in
                    for row in r {
                        let n = row / HW
                        for c in 0..<C { xb[row * C + c] = db[n * C + c] * inv }
                    }
                }
            }
        }
    }
}
