/// Depthwise 2-D convolution (depth multiplier 1), NHWC, kernel `[KH, KW, C, 1]` (Keras layout).
///
/// `y[n, oh, ow, c] = Σ_{kh, kw} x[n, oh·s + kh - padTop, ow·s + kw - padLeft, c] · k[kh, kw, c, 0]`
/// (Xception's separable convolution = this followed by a 1×1 convolution, §2.3.) Direct loops
/// over a zero-padded copy of the input (`PaddedPlane`), parallel over output lines, with the
/// sums in registers: four outputs of eight channels over all taps in the forward pass, a row of
/// taps over a whole output line in the kernel gradient (a fixed-chunk reduction). With stride 1
/// the input gradient is the forward loop over `dy` with the kernel turned by 180°.
public enum DepthwiseConv2DOp {
    /// Output lines per chunk of the kernel-gradient reduction (fixed by the shape): about 4K
    /// products per chunk, summed in Float within the chunk.
    static func dkChunkLines(_ g: ConvGeometry) -> Int { max(1, 4096 / max(1, g.w.output * g.c)) }

    /// `x [N, H, W, C]`, `kernel [KH, KW, C, 1]` → `y [N, OH, OW, C]`.
    public static func forward(_ x: Tensor, kernel: Tensor, geometry g: ConvGeometry, into y: inout Tensor) {
        precondition(kernel.shape == Shape([g.h.kernel, g.w.kernel, g.c, 1]), "depthwise kernel \(kernel.shape)")
        y.resize(to: Shape([g.n, g.h.output, g.w.output, g.c]))
        x.data.withUnsafeBufferPointer { xp in
            kernel.data.withUnsafeBufferPointer { kp in
                y.withUnsafeMutableElements { yp in forward(xp.baseAddress!, g, kernel: kp.baseAddress!, y: yp.baseAddress!) }
            }
        }
    }

    /// The forward loops on raw memory: taps in `(kh, kw)` order for every output.
    static func forward(_ x: UnsafePointer<Float>, _ g: ConvGeometry, kernel k: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let C = g.c, OH = g.h.output, OW = g.w.output, KH = g.h.kernel, KW = g.w.kernel
        let step = g.w.stride * C
        PaddedPlane.with(x, g) { pad, plane in
            let rowFloats = pad.rowFloats
            Parallel.forChunks(g.n * OH, chunk: max(1, 8192 / max(1, OW * C)), work: g.n * OH * OW * C * KH * KW) { _, lines in
                for line in lines {
                    let source = plane + (line / OH) * pad.floats + (line % OH) * g.h.stride * rowFloats
                    let yRow = y + line * OW * C
                    var c = 0
                    while c + 8 <= C {
                        var ow = 0
                        while ow + 4 <= OW {
                            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                            for kh in 0..<KH {
                                let row = source + kh * rowFloats + ow * step + c
                                for kw in 0..<KW {
                                    let kv = loadVector(k + (kh * KW + kw) * C + c), p = row + kw * C
                                    a0 += loadVector(p) * kv
                                    a1 += loadVector(p + step) * kv
                                    a2 += loadVector(p + 2 * step) * kv
                                    a3 += loadVector(p + 3 * step) * kv
                                }
                            }
                            let out = yRow + ow * C + c
                            storeVector(a0, out)
                            storeVector(a1, out + C)
                            storeVector(a2, out + 2 * C)
                            storeVector(a3, out + 3 * C)
                            ow += 4
                        }
                        while ow < OW {
                            var a = SIMD8<Float>()
                            for kh in 0..<KH {
                                let row = source + kh * rowFloats + ow * step + c
                                for kw in 0..<KW { a += loadVector(row + kw * C) * loadVector(k + (kh * KW + kw) * C + c) }
                            }
                            storeVector(a, yRow + ow * C + c)
                            ow += 1
                        }
                        c += 8
                    }
                    while c < C {
                        // Channels left over (C not a multiple of 8): plain loops.
                        for ow in 0..<OW {
                            var a: Float = 0
                            for kh in 0..<KH {
                                let row = source + kh * rowFloats + ow * step + c
                                for kw in 0..<KW { a += row[kw * C] * k[(kh * KW + kw) * C + c] }
                            }
                            yRow[ow * C + c] = a
                        }
                        c += 1
                    }
                }
            }
        }
    }

    /// Accumulates `dKernel += Σ dy·x` (fixed-chunk reduction) and, if `dx` is non-nil,
    /// overwrites it with the input gradient.
    public static func backward(
        _ dy: Tensor, x: Tensor, kernel: Tensor, geometry g: ConvGeometry,
        dKernel: inout Tensor, dx: inout Tensor?
    ) {
        let C = g.c, OH = g.h.output, OW = g.w.output, KH = g.h.kernel, KW = g.w.kernel, KK = KH * KW * C
        let step = g.w.stride * C
        x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dyp in
                let dyb = dyp.baseAddress!
                // forward: y = Σ_taps x·k   ⇒   dk[kh, kw, c] += Σ_{n, oh, ow} x[…, c]·dy[n, oh, ow, c]
                // One Float partial per fixed chunk of output lines, added in Double in chunk order.
                let chunk = dkChunkLines(g)
                let nChunks = max(1, Parallel.chunkCount(g.n * OH, chunk: chunk))
                var partials = [Float](repeating: 0, count: nChunks * KK)
                PaddedPlane.with(xp.baseAddress!, g) { pad, plane in
                    let rowFloats = pad.rowFloats
                    partials.withUnsafeMutableBufferPointer { pp in
                        let pb = pp.baseAddress!
                        Parallel.forChunks(g.n * OH, chunk: chunk, work: g.n * OH * OW * C * KH * KW) { ci, lines in
                            let acc = pb + ci * KK
                            for line in lines {
                                let source = plane + (line / OH) * pad.floats + (line % OH) * g.h.stride * rowFloats
                                let dyRow = dyb + line * OW * C
                                for kh in 0..<KH {
                                    let row = source + kh * rowFloats
                                    let a = acc + kh * KW * C
                                    var c = 0
                                    while c + 8 <= C {
                                        tapSums(row + c, dyRow + c, a + c, kernel: KW, outputs: OW, step: step, channels: C)
                                        c += 8
                                    }
                                    while c < C {
                                        for kw in 0..<KW {
                                            var s: Float = 0
                                            for ow in 0..<OW { s += row[ow * step + kw * C + c] * dyRow[ow * C + c] }
                                            a[kw * C + c] += s
                                        }
                                        c += 1
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
                dx!.resize(to: Shape([g.n, g.h.input, g.w.input, C]))
                kernel.data.withUnsafeBufferPointer { kp in
                    dx!.withUnsafeMutableElements { dxp in
                        if g.h.stride == 1 && g.w.stride == 1 {
                            // dx[i] = Σ_t dy[i + pad − t]·k[t]: the forward loops over dy with the turned kernel.
                            var turned = [Float](repeating: 0, count: KK)
                            for t in 0..<(KH * KW) {
                                for c in 0..<C { turned[(KH * KW - 1 - t) * C + c] = kp[t * C + c] }
                            }
                            turned.withUnsafeBufferPointer { tp in
                                forward(dyb, g.transposed(outputChannels: C), kernel: tp.baseAddress!, y: dxp.baseAddress!)
                            }
                        } else {
                            gatherInputGradient(dyb, g, kernel: kp.baseAddress!, dx: dxp.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// `a[kw, c…c+7] += Σ_ow row[ow·step + kw·C + c…] · dy[ow, c…]` for one row of taps: four taps
    /// at a time (then one), their sums over the whole output line in registers.
    @inline(__always)
    static func tapSums(
        _ row: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>,
        kernel KW: Int, outputs OW: Int, step: Int, channels C: Int
    ) {
        var kw = 0
        while kw + 4 <= KW {
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
            for ow in 0..<OW {
                let d = loadVector(dy + ow * C), p = row + ow * step + kw * C
                s0 += loadVector(p) * d
                s1 += loadVector(p + C) * d
                s2 += loadVector(p + 2 * C) * d
                s3 += loadVector(p + 3 * C) * d
            }
            storeVector(loadVector(a + kw * C) + s0, a + kw * C)
            storeVector(loadVector(a + (kw + 1) * C) + s1, a + (kw + 1) * C)
            storeVector(loadVector(a + (kw + 2) * C) + s2, a + (kw + 2) * C)
            storeVector(loadVector(a + (kw + 3) * C) + s3, a + (kw + 3) * C)
            kw += 4
        }
        if kw + 3 == KW {
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>()
            for ow in 0..<OW {
                let d = loadVector(dy + ow * C), p = row + ow * step + kw * C
                s0 += loadVector(p) * d
                s1 += loadVector(p + C) * d
                s2 += loadVector(p + 2 * C) * d
            }
            storeVector(loadVector(a + kw * C) + s0, a + kw * C)
            storeVector(loadVector(a + (kw + 1) * C) + s1, a + (kw + 1) * C)
            storeVector(loadVector(a + (kw + 2) * C) + s2, a + (kw + 2) * C)
            kw += 3
        }
        while kw < KW {
            var s = SIMD8<Float>()
            for ow in 0..<OW { s += loadVector(row + ow * step + kw * C) * loadVector(dy + ow * C) }
            storeVector(loadVector(a + kw * C) + s, a + kw * C)
            kw += 1
        }
    }

    /// The input gradient of a strided layer, as a gather over the windows covering each input
    /// pixel: `dx[ih, iw, c] = Σ dy[oh, ow, c] · k[kh, kw, c]`. Overwrites `dx`.
    static func gatherInputGradient(
        _ dy: UnsafePointer<Float>, _ g: ConvGeometry, kernel k: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        let C = g.c, H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output, KW = g.w.kernel
        Parallel.forChunks(g.n * H, chunk: max(1, 8192 / max(1, W * C)), work: g.n * H * W * C * g.h.kernel * KW) { _, r in
            for line in r {
                let n = line / H, ih = line % H
                let dxRow = dx + line * W * C
                dxRow.update(repeating: 0, count: W * C)
                guard let ohs = g.h.outputs(covering: ih) else { continue }
                for iw in 0..<W {
                    guard let ows = g.w.outputs(covering: iw) else { continue }
                    let d = dxRow + iw * C
                    for oh in ohs {
                        let kh = ih + g.h.padBefore - oh * g.h.stride
                        for ow in ows {
                            let kw = iw + g.w.padBefore - ow * g.w.stride
                            multiplyAdd(d, dy + ((n * OH + oh) * OW + ow) * C, k + (kh * KW + kw) * C, C)
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
