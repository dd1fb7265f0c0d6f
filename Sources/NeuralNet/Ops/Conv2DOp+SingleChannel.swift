/// Direct loops for a convolution of a single-channel input (the networks' first layer on a CT
/// slice): with `C = 1` the im2col matrix is as large as the output times the kernel's area, and
/// its GEMM has `K = KH·KW` (49 for ResNet50V2's 7×7) and `N = OC` (8 at width 0.125), too thin
/// for the GEMM to run fast. The direct loops read the input in place, eight output channels
/// at a time.
extension Conv2DOp {

    /// Whether `forward` and the kernel gradient of `backward` take the direct loops.
    static func usesDirect(_ g: ConvGeometry) -> Bool { Engine.options.directSingleChannel && g.c == 1 }

    /// The output columns `ow` whose tap `t` reads inside the input: `0 ≤ ow·stride + t - padBefore < input`.
    @inline(__always)
    static func validOutputs(_ a: WindowAxis, tap t: Int) -> Range<Int> {
        let first = a.padBefore - t <= 0 ? 0 : (a.padBefore - t + a.stride - 1) / a.stride
        let lastSource = a.input - 1 - t + a.padBefore
        let end = lastSource < 0 ? 0 : min(a.output, lastSource / a.stride + 1)
        return first..<max(first, end)
    }

    /// `y[n, oh, ow, o] = bias[o] + Σ_{kh, kw} x[n, ih, iw] · k[kh, kw, 0, o]` (taps in `(kh, kw)`
    /// order; padding reads as zero), parallel over fixed chunks of output lines. Tap by tap over
    /// a whole output line, so consecutive multiply-adds go to different outputs.
    static func singleChannelForward(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, kernel k: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, oc OC: Int, y: UnsafeMutablePointer<Float>
    ) {
        let H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output, KH = g.h.kernel, KW = g.w.kernel
        let sw = g.w.stride, pw = g.w.padBefore
        Parallel.forChunks(g.n * OH, chunk: max(1, 4096 / max(1, OW * OC)), work: g.n * OH * OW * KH * KW * OC) { _, lines in
            for line in lines {
                let xImage = x + (line / OH) * H * W, oh = line % OH
                let out = y + line * OW * OC
                if let bias {
                    for ow in 0..<OW { (out + ow * OC).update(from: bias, count: OC) }
                } else {
                    out.update(repeating: 0, count: OW * OC)
                }
                for kh in 0..<KH {
                    let ih = g.h.source(oh, kh)
                    if ih < 0 || ih >= H { continue }
                    let xRow = xImage + ih * W
                    for kw in 0..<KW {
                        let kv = k + (kh * KW + kw) * OC
                        let xs = xRow + kw - pw
                        let valid = validOutputs(g.w, tap: kw)
                        if OC % 8 == 0 {
                            for ow in valid {
                                let xv = SIMD8<Float>(repeating: xs[ow * sw]), d = out + ow * OC
                                var o = 0
                                while o < OC { storeVector(loadVector(d + o) + xv * loadVector(kv + o), d + o); o += 8 }
                            }
                        } else {
                            for ow in valid {
                                let xv = xs[ow * sw], d = out + ow * OC
                                for o in 0..<OC { d[o] += xv * kv[o] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Output lines per chunk of the kernel-gradient reduction (fixed by the shape).
    static func singleChannelChunkLines(_ g: ConvGeometry) -> Int { max(1, 512 / max(1, g.w.output)) }

    /// forward: `y = b + Σ x·k`   ⇒   `dk[kh, kw, 0, o] += Σ_{n, oh, ow} x[n, ih, iw]·dy[n, oh, ow, o]`,
    /// `db[o] += Σ dy[…, o]`: one Float partial per fixed chunk of output lines, the partials added
    /// in Double in chunk order (the same for any thread count).
    static func singleChannelBackward(
        _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, _ g: ConvGeometry, oc OC: Int,
        dk: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?
    ) {
        let H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output, KH = g.h.kernel, KW = g.w.kernel
        let taps = KH * KW, size = taps * OC + OC
        let chunk = singleChannelChunkLines(g)
        let nChunks = max(1, Parallel.chunkCount(g.n * OH, chunk: chunk))
        var partials = [Float](repeating: 0, count: nChunks * size)
        partials.withUnsafeMutableBufferPointer { pp in
            let pb = pp.baseAddress!
            Parallel.forChunks(g.n * OH, chunk: chunk, work: g.n * OH * OW * taps * OC) { ci, lines in
                let p = pb + ci * size
                for line in lines {
                    let xImage = x + (line / OH) * H * W, oh = line % OH
                    let dyRow = dy + line * OW * OC
                    for kh in 0..<KH {
                        let ih = g.h.source(oh, kh)
                        if ih < 0 || ih >= H { continue }
                        let xRow = xImage + ih * W
                        for kw in 0..<KW {
                            let a = p + (kh * KW + kw) * OC
                            let xs = xRow + kw - g.w.padBefore, sw = g.w.stride
                            let valid = validOutputs(g.w, tap: kw)
                            var o = 0
                            while o + 8 <= OC {
                                // Four running sums (outputs ow ≡ 0, 1, 2, 3 mod 4 of the valid range), added at the end.
                                var acc = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
                                var ow = valid.lowerBound
                                while ow + 4 <= valid.upperBound {
                                    acc.0 += SIMD8(repeating: xs[ow * sw]) * loadVector(dyRow + ow * OC + o)
                                    acc.1 += SIMD8(repeating: xs[(ow + 1) * sw]) * loadVector(dyRow + (ow + 1) * OC + o)
                                    acc.2 += SIMD8(repeating: xs[(ow + 2) * sw]) * loadVector(dyRow + (ow + 2) * OC + o)
                                    acc.3 += SIMD8(repeating: xs[(ow + 3) * sw]) * loadVector(dyRow + (ow + 3) * OC + o)
                                    ow += 4
                                }
                                while ow < valid.upperBound {
                                    acc.0 += SIMD8(repeating: xs[ow * sw]) * loadVector(dyRow + ow * OC + o)
                                    ow += 1
                                }
                                storeVector(loadVector(a + o) + ((acc.0 + acc.1) + (acc.2 + acc.3)), a + o)
                                o += 8
                            }
                            if o < OC {
                                for ow in valid {
                                    let xv = xs[ow * sw], d = dyRow + ow * OC
                                    for q in o..<OC { a[q] += xv * d[q] }
                                }
                            }
                        }
                    }
                    let db = p + taps * OC
                    for ow in 0..<OW { for o in 0..<OC { db[o] += dyRow[ow * OC + o] } }
                }
            }
        }
        for i in 0..<size {
            var s = 0.0
            for ci in 0..<nChunks { s += Double(partials[ci * size + i]) }
            if i < taps * OC { dk[i] += Float(s) } else if let dBias { dBias[i - taps * OC] += Float(s) }
        }
    }
}
