/// Direct loops for a convolution of a single-channel input (the networks' first layer on a CT
/// slice): with `C = 1` the im2col matrix is as large as the output times the kernel's area, and
/// its GEMM has `K = KH·KW` (49 for ResNet50V2's 7×7) and `N = OC` (8 at width 0.125), too thin
/// for the GEMM to run fast.
///
/// Both loops read a zero-padded copy of the input (`PaddedPlane`), so no tap needs a bounds
/// test, and keep their sums in registers: the forward pass computes four neighbouring outputs
/// of eight (or four) channels at once over all taps and stores them once; the kernel gradient
/// keeps four taps' sums over a whole output line.
extension Conv2DOp {

    /// Whether `forward` and the kernel gradient of `backward` take the direct loops.
    static func usesDirect(_ g: ConvGeometry) -> Bool { Engine.options.directSingleChannel && g.c == 1 }

    /// `y[n, oh, ow, o] = bias[o] + Σ_{kh, kw} x[n, ih, iw] · k[kh, kw, 0, o]` (taps in `(kh, kw)`
    /// order; padding reads as zero), parallel over fixed chunks of output lines.
    static func singleChannelForward(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, kernel k: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, oc OC: Int, y: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        let pad = PaddedPlane(g)
        let plane = workspace.buffer(g.n * pad.floats, slot: 2)
        pad.fill(x, g, into: plane)
        let OH = g.h.output, OW = g.w.output
        Parallel.forChunks(g.n * OH, chunk: max(1, 4096 / max(1, OW * OC)), work: g.n * OH * OW * g.h.kernel * g.w.kernel * OC) {
            _, lines in
            for line in lines {
                let source = plane + (line / OH) * pad.floats + (line % OH) * g.h.stride * pad.rowFloats
                let out = y + line * OW * OC
                var o = 0
                while o + 8 <= OC {
                    singleChannelLine(SIMD8<Float>.self, source, g, pad, k + o, bias.map { $0 + o }, oc: OC, out + o)
                    o += 8
                }
                while o + 4 <= OC {
                    singleChannelLine(SIMD4<Float>.self, source, g, pad, k + o, bias.map { $0 + o }, oc: OC, out + o)
                    o += 4
                }
                while o < OC {
                    // A channel left over (OC not a multiple of 4): plain loops.
                    for ow in 0..<OW {
                        var a = bias?[o] ?? 0
                        for kh in 0..<g.h.kernel {
                            let row = source + kh * pad.rowFloats + ow * g.w.stride
                            for kw in 0..<g.w.kernel { a += row[kw] * k[(kh * g.w.kernel + kw) * OC + o] }
                        }
                        out[ow * OC + o] = a
                    }
                    o += 1
                }
            }
        }
    }

    /// One output line of `V.scalarCount` channels (starting at `k`, `bias`, `out`; row stride
    /// `OC`): four outputs at a time, their sums over all taps held in registers.
    @inline(__always)
    static func singleChannelLine<V: SIMD>(
        _: V.Type, _ source: UnsafePointer<Float>, _ g: ConvGeometry, _ pad: PaddedPlane,
        _ k: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, oc OC: Int, _ out: UnsafeMutablePointer<Float>
    ) where V.Scalar == Float {
        let KH = g.h.kernel, KW = g.w.kernel, sw = g.w.stride, OW = g.w.output, columns = pad.rowFloats
        let start = bias.map { load(V.self, $0) } ?? V()
        var ow = 0
        while ow + 4 <= OW {
            var a0 = start, a1 = start, a2 = start, a3 = start
            for kh in 0..<KH {
                let row = source + kh * columns + ow * sw
                let kRow = k + kh * KW * OC
                for kw in 0..<KW {
                    let kv = load(V.self, kRow + kw * OC), p = row + kw
                    a0 += V(repeating: p[0]) * kv
                    a1 += V(repeating: p[sw]) * kv
                    a2 += V(repeating: p[2 * sw]) * kv
                    a3 += V(repeating: p[3 * sw]) * kv
                }
            }
            store(a0, out + ow * OC)
            store(a1, out + (ow + 1) * OC)
            store(a2, out + (ow + 2) * OC)
            store(a3, out + (ow + 3) * OC)
            ow += 4
        }
        while ow < OW {
            var a = start
            for kh in 0..<KH {
                let row = source + kh * columns + ow * sw
                for kw in 0..<KW { a += V(repeating: row[kw]) * load(V.self, k + (kh * KW + kw) * OC) }
            }
            store(a, out + ow * OC)
            ow += 1
        }
    }

    /// Output lines per chunk of the kernel-gradient reduction (fixed by the shape).
    static func singleChannelChunkLines(_ g: ConvGeometry) -> Int { max(1, 512 / max(1, g.w.output)) }

    /// forward: `y = b + Σ x·k`   ⇒   `dk[kh, kw, 0, o] += Σ_{n, oh, ow} x[n, ih, iw]·dy[n, oh, ow, o]`,
    /// `db[o] += Σ dy[…, o]`: one Float partial per fixed chunk of output lines, the partials added
    /// in Double in chunk order (the same for any thread count).
    static func singleChannelBackward(
        _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, _ g: ConvGeometry, oc OC: Int,
        dk: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?, workspace: Workspace
    ) {
        let OH = g.h.output, OW = g.w.output, KH = g.h.kernel, KW = g.w.kernel
        let taps = KH * KW, size = taps * OC + OC
        let pad = PaddedPlane(g)
        let plane = workspace.buffer(g.n * pad.floats, slot: 2)
        pad.fill(x, g, into: plane)
        let chunk = singleChannelChunkLines(g)
        let nChunks = max(1, Parallel.chunkCount(g.n * OH, chunk: chunk))
        var partials = [Float](repeating: 0, count: nChunks * size)
        partials.withUnsafeMutableBufferPointer { pp in
            let pb = pp.baseAddress!
            Parallel.forChunks(g.n * OH, chunk: chunk, work: g.n * OH * OW * taps * OC) { ci, lines in
                let p = pb + ci * size
                for line in lines {
                    let source = plane + (line / OH) * pad.floats + (line % OH) * g.h.stride * pad.rowFloats
                    let dyRow = dy + line * OW * OC
                    for kh in 0..<KH {
                        let row = source + kh * pad.rowFloats
                        var o = 0
                        while o + 8 <= OC {
                            singleChannelTapSums(SIMD8<Float>.self, row, g, dyRow + o, oc: OC, p + kh * KW * OC + o)
                            o += 8
                        }
                        while o + 4 <= OC {
                            singleChannelTapSums(SIMD4<Float>.self, row, g, dyRow + o, oc: OC, p + kh * KW * OC + o)
                            o += 4
                        }
                        while o < OC {
                            // A channel left over (OC not a multiple of 4): plain loops.
                            for kw in 0..<KW {
                                var a: Float = 0
                                for ow in 0..<OW { a += row[ow * g.w.stride + kw] * dyRow[ow * OC + o] }
                                p[(kh * KW + kw) * OC + o] += a
                            }
                            o += 1
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

    /// `acc[kw, ·] += Σ_ow row[ow·stride + kw] · dy[ow, ·]` for one kernel row of taps and
    /// `V.scalarCount` channels (`acc` and `dy` with row stride `OC`): four taps at a time (then two,
    /// then one), their sums over the whole output line in registers.
    @inline(__always)
    static func singleChannelTapSums<V: SIMD>(
        _: V.Type, _ row: UnsafePointer<Float>, _ g: ConvGeometry, _ dy: UnsafePointer<Float>, oc OC: Int,
        _ acc: UnsafeMutablePointer<Float>
    ) where V.Scalar == Float {
        let KW = g.w.kernel, sw = g.w.stride, OW = g.w.output
        var kw = 0
        while kw + 4 <= KW {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            for ow in 0..<OW {
                let d = load(V.self, dy + ow * OC), p = row + ow * sw + kw
                a0 += V(repeating: p[0]) * d
                a1 += V(repeating: p[1]) * d
                a2 += V(repeating: p[2]) * d
                a3 += V(repeating: p[3]) * d
            }
            store(load(V.self, acc + kw * OC) + a0, acc + kw * OC)
            store(load(V.self, acc + (kw + 1) * OC) + a1, acc + (kw + 1) * OC)
            store(load(V.self, acc + (kw + 2) * OC) + a2, acc + (kw + 2) * OC)
            store(load(V.self, acc + (kw + 3) * OC) + a3, acc + (kw + 3) * OC)
            kw += 4
        }
        if kw + 2 <= KW {
            var a0 = V(), a1 = V()
            for ow in 0..<OW {
                let d = load(V.self, dy + ow * OC), p = row + ow * sw + kw
                a0 += V(repeating: p[0]) * d
                a1 += V(repeating: p[1]) * d
            }
            store(load(V.self, acc + kw * OC) + a0, acc + kw * OC)
            store(load(V.self, acc + (kw + 1) * OC) + a1, acc + (kw + 1) * OC)
            kw += 2
        }
        if kw < KW {
            var a = V()
            for ow in 0..<OW { a += V(repeating: row[ow * sw + kw]) * load(V.self, dy + ow * OC) }
            store(load(V.self, acc + kw * OC) + a, acc + kw * OC)
            kw += 1
        }
    }
}

/// `V.scalarCount` floats from `p` (any alignment).
@inline(__always) func load<V: SIMD>(_: V.Type, _ p: UnsafePointer<Float>) -> V where V.Scalar == Float {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

/// Stores `V.scalarCount` floats at `p` (any alignment).
@inline(__always) func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
}
