/// Depthwise 2-D convolution (depth multiplier 1), NHWC, kernel `[KH, KW, C, 1]` (Keras layout).
///
/// `y[n, oh, ow, c] = Σ_{kh, kw} x[n, oh·s + kh - padTop, ow·s + kw - padLeft, c] · k[kh, kw, c, 0]`
/// (Xception's separable convolution = this followed by a 1×1 convolution, §2.3.) Direct loops,
/// parallel over output lines; the kernel gradient is a fixed-chunk reduction.
public enum DepthwiseConv2DOp {
    static func lines(_ n: Int) -> Int { max(1, n) }

    /// Output lines per chunk of the kernel-gradient reduction (fixed by the shape): about 4K
    /// products per chunk, summed in Float within the chunk.
    static func dkChunkLines(_ g: ConvGeometry) -> Int { max(1, 4096 / max(1, g.w.output * g.c)) }

    /// `x [N, H, W, C]`, `kernel [KH, KW, C, 1]` → `y [N, OH, OW, C]`.
    public static func forward(_ x: Tensor, kernel: Tensor, geometry g: ConvGeometry, into y: inout Tensor) {
        let C = g.c, H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output, KW = g.w.kernel
        precondition(kernel.shape == Shape([g.h.kernel, g.w.kernel, C, 1]), "depthwise kernel \(kernel.shape)")
        y.resize(to: Shape([g.n, OH, OW, C]))
        x.data.withUnsafeBufferPointer { xp in
            kernel.data.withUnsafeBufferPointer { kp in
                y.withUnsafeMutableElements { yp in
                    let xb = xp.baseAddress!, kb = kp.baseAddress!, yb = yp.baseAddress!
                    Parallel.forChunks(
                        g.n * OH, chunk: max(1, 8192 / max(1, OW * C)),
                        work: g.n * OH * OW * C * g.h.kernel * KW
                    ) { _, r in
                        for line in r {
                            let n = line / OH, oh = line % OH
                            let yRow = yb + line * OW * C
                            yRow.update(repeating: 0, count: OW * C)
                            for kh in 0..<g.h.kernel {
                                let ih = g.h.source(oh, kh)
                                if ih < 0 || ih >= H { continue }
                                let xRow = xb + (n * H + ih) * W * C
                                for ow in 0..<OW {
                                    let d = yRow + ow * C
                                    for kw in 0..<KW {
                                        let iw = g.w.source(ow, kw)
                                        if iw < 0 || iw >= W { continue }
                                        multiplyAdd(d, xRow + iw * C, kb + (kh * KW + kw) * C, C)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accumulates `dKernel += Σ dy·x` (fixed-chunk reduction) and, if `dx` is non-nil,
    /// overwrites it with the input gradient (a gather over covering windows).
    public static func backward(
        _ dy: Tensor, x: Tensor, kernel: Tensor, geometry g: ConvGeometry,
        dKernel: inout Tensor, dx: inout Tensor?
    ) {
        let C = g.c, H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output
        let KH = g.h.kernel, KW = g.w.kernel, KK = KH * KW * C
        x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dyp in
                let xb = xp.baseAddress!, dyb = dyp.baseAddress!
                // forward: d[c] += s[c] * k[c]   ⇒   dk[kh, kw, c] += dy · x
                // One Float partial per fixed chunk of output lines, added in Double in chunk order.
                let chunk = dkChunkLines(g)
                let nChunks = max(1, Parallel.chunkCount(g.n * OH, chunk: chunk))
                var partials = [Float](repeating: 0, count: nChunks * KK)
                partials.withUnsafeMutableBufferPointer { pp in
                    let pb = pp.baseAddress!
                    Parallel.forChunks(g.n * OH, chunk: chunk, work: g.n * OH * OW * C * KH * KW) { ci, lines in
                        let acc = pb + ci * KK
                        for line in lines {
                            let n = line / OH, oh = line % OH
                            let dyRow = dyb + line * OW * C
                            for kh in 0..<KH {
                                let ih = g.h.source(oh, kh)
                                if ih < 0 || ih >= H { continue }
                                let xRow = xb + (n * H + ih) * W * C
                                for kw in 0..<KW {
                                    let a = acc + (kh * KW + kw) * C
                                    for ow in 0..<OW {
                                        let iw = g.w.source(ow, kw)
                                        if iw < 0 || iw >= W { continue }
                                        multiplyAdd(a, dyRow + ow * C, xRow + iw * C, C)
                                    }
                                }
                            }
                        }
                    }
                }
                var sums = [Double](repeating: 0, count: KK)
                for ci in 0..<nChunks { for i in 0..<KK { sums[i] += Double(partials[ci * KK + i]) } }
                for i in 0..<KK { dKernel.data[i] += Float(sums[i]) }
                guard dx != nil else { return }
                dx!.resize(to: Shape([g.n, H, W, C]))
                kernel.data.withUnsafeBufferPointer { kp in
                    dx!.withUnsafeMutableElements { dxp in
                        let kb = kp.baseAddress!, dxb = dxp.baseAddress!
                        // forward: d[c] += s[c] * k[c]   ⇒   dx[ih, iw, c] = Σ dy[oh, ow, c] · k[kh, kw, c]
                        Parallel.forChunks(g.n * H, chunk: max(1, 8192 / max(1, W * C)), work: g.n * H * W * C * KH * KW) { _, r in
                            for line in r {
                                let n = line / H, ih = line % H
                                let dxRow = dxb + line * W * C
                                dxRow.update(repeating: 0, count: W * C)
                                guard let ohs = g.h.outputs(covering: ih) else { continue }
                                for iw in 0..<W {
                                    guard let ows = g.w.outputs(covering: iw) else { continue }
                                    let d = dxRow + iw * C
                                    for oh in ohs {
                                        let kh = ih + g.h.padBefore - oh * g.h.stride
                                        for ow in ows {
                                            let kw = iw + g.w.padBefore - ow * g.w.stride
                                            multiplyAdd(d, dyb + ((n * OH + oh) * OW + ow) * C, kb + (kh * KW + kw) * C, C)
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

/// `d[c] += s[c]·k[c]` for `c < C`, eight channels at a time.
@inline(__always) func multiplyAdd(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ C: Int) {
    var c = 0
    while c + 8 <= C { storeVector(loadVector(d + c) + loadVector(s + c) * loadVector(k + c), d + c); c += 8 }
    while c < C { d[c] += s[c] * k[c]; c += 1 }
}
