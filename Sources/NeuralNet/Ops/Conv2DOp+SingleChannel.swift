/// Direct loops for a convolution of a single-channel input (the networks' first layer on a CT
/// slice): with `C = 1` the im2col matrix is as large as the output times the kernel's area, and
/// its GEMM has `K = KH·KW` (49 for ResNet50V2's 7×7) and `N = OC` (8 at width 0.125), too thin
/// for the GEMM to run fast. The direct loops read the input in place, eight output channels
/// at a time.
extension Conv2DOp {
    /// Turns the direct single-channel path off (for comparisons and tests).
    nonisolated(unsafe) public static var directSingleChannel = true

    /// Whether `forward` and the kernel gradient of `backward` take the direct loops.
    static func usesDirect(_ g: ConvGeometry) -> Bool { directSingleChannel && g.c == 1 }

    /// `y[n, oh, ow, o] = bias[o] + Σ_{kh, kw} x[n, ih, iw] · k[kh, kw, 0, o]` (taps in `(kh, kw)`
    /// order; padding reads as zero), parallel over fixed chunks of output lines.
    static func singleChannelForward(_ x: UnsafePointer<Float>, _ g: ConvGeometry, kernel k: UnsafePointer<Float>,
                                     bias: UnsafePointer<Float>?, oc OC: Int, y: UnsafeMutablePointer<Float>) {
        let H = g.h.input, W = g.w.input, OH = g.h.output, OW = g.w.output, KH = g.h.kernel, KW = g.w.kernel
        Parallel.forChunks(g.n * OH, chunk: max(1, 4096 / max(1, OW * OC)), work: g.n * OH * OW * KH * KW * OC) { _, lines in
            for line in lines {
                let xImage = x + (line / OH) * H * W, oh = line % OH
                for ow in 0..<OW {
                    let out = y + (line * OW + ow) * OC
                    var o = 0
                    while o + 8 <= OC {
                        var acc = bias.map { loadVector($0 + o) } ?? SIMD8<Float>()
                        for kh in 0..<KH {
                            let ih = g.h.source(oh, kh)
                            if ih < 0 || ih >= H { continue }
                            let xRow = xImage + ih * W
                            for kw in 0..<KW {
                                let iw = g.w.source(ow, kw)
                                if iw < 0 || iw >= W { continue }
                                acc += SIMD8(repeating: xRow[iw]) * loadVector(k + (kh * KW + kw) * OC + o)
                            }
                        }
                        storeVector(acc, out + o)
                        o += 8
                    }
                    while o < OC {
                        var acc = bias?[o] ?? 0
                        for kh in 0..<KH {
                            let ih = g.h.source(oh, kh)
                            if ih < 0 || ih >= H { continue }
                            let xRow = xImage + ih * W
                            for kw in 0..<KW {
                                let iw = g.w.source(ow, kw)
                                if iw < 0 || iw >= W { continue }
                                acc += xRow[iw] * k[(kh * KW + kw) * OC + o]
                            }
                        }
                        out[o] = acc
                        o += 1
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
    static func singleChannelBackward(_ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, _ g: ConvGeometry, oc OC: Int,
                                      dk: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?) {
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
                            var o = 0
                            while o + 8 <= OC {
                                var acc = SIMD8<Float>()
                                for ow in 0..<OW {
                                    let iw = g.w.source(ow, kw)
                                    if iw < 0 || iw >= W { continue }
                                    acc += SIMD8(repeating: xRow[iw]) * loadVector(dyRow + ow * OC + o)
                                }
                                storeVector(loadVector(a + o) + acc, a + o)
                                o += 8
                            }
                            while o < OC {
                                var acc: Float = 0
                                for ow in 0..<OW {
                                    let iw = g.w.source(ow, kw)
                                    if iw < 0 || iw >= W { continue }
                                    acc += xRow[iw] * dyRow[ow * OC + o]
                                }
                                a[o] += acc
                                o += 1
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
