import CBLAS

/// 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3), for inference.
///
/// The output is cut into 2×2 tiles; tile `(n, th, tw)` reads the 4×4 input patch starting at
/// `(2·th - padTop, 2·tw - padLeft)` (zero outside the input). With
/// `Bᵀ = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]`, `G = [[1,0,0],[½,½,½],[½,-½,½],[0,0,1]]`,
/// `Aᵀ = [[1,1,1,0],[0,1,-1,-1]]`:
///
/// `Y = Aᵀ [ Σ_c (G g_{c,o} Gᵀ) ⊙ (Bᵀ d_c B) ] A`,
///
/// which is exactly the 'valid' correlation of the patch with the kernel (algebraically; the
/// results differ from `Conv2DOp`'s im2col path by float rounding only). Per element ξ of the
/// 4×4 transformed tile the channel sum is a GEMM `M_ξ [T, OC] = V_ξ [T, C] · U_ξ [C, OC]`
/// over a block of T tiles: 16 GEMMs of 2.25× fewer multiply-adds in all than the direct
/// convolution. Blocks of tiles and the 16 GEMMs are fixed by the shape; each GEMM is
/// single-threaded and every output element is computed the same way whichever core runs it,
/// so the result does not depend on the thread count.
///
/// Layers with many output pixels use F(4×4, 3×3) instead (`tileSize`): 6×6 input patches,
/// 4×4 output tiles, 36 GEMMs of 4× fewer multiply-adds than the direct convolution, with
/// `Bᵀ`, `G`, `Aᵀ` of Lavin & Gray (2016) (interpolation points 0, ±1, ±2, ∞). Its rounding
/// error is larger than F(2×2)'s but far below the Keras parity tolerance.
///
/// Used by `Conv2D` in inference only (training keeps the im2col path, bit for bit).
public enum WinogradConvOp {
    /// Whether the geometry is a 3×3 stride-1 convolution (any padding).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.h.kernel == 3 && g.w.kernel == 3 && g.h.stride == 1 && g.w.stride == 1
    }

    /// Output tile size: 4 (F(4×4, 3×3)) when the layer has at least `largeTileMinimum` 4×4
    /// tiles, so that the 36 GEMMs are tall enough; otherwise 2 (F(2×2, 3×3)).
    static func tileSize(_ g: ConvGeometry) -> Int {
        g.n * ((g.h.output + 3) / 4) * ((g.w.output + 3) / 4) >= Engine.options.winogradLargeTileMinimum ? 4 : 2
    }

    /// Tiles per block: a multiple of 8 fitting `blockBudget`, fixed by the shape.
    static func tilesPerBlock(c: Int, oc: Int, m: Int) -> Int {
        max(8, Engine.options.winogradBlockBudget / ((m + 2) * (m + 2) * (c + oc)) / 8 * 8)
    }

    /// Floats of a transformed kernel `[(m+2)², C, OC]`.
    static func transformedKernelCount(c: Int, oc: Int, m: Int) -> Int { (m + 2) * (m + 2) * c * oc }

    /// `u[ξ, c, o] = (G·g·Gᵀ)[ξ]` with `g = kernel[:, :, c, o]·scale[o]` (scale 1 if nil):
    /// the kernel `[3, 3, C, OC]` in the transformed domain, `u` of `16·C·OC` floats.
    static func transformKernel(
        _ k: UnsafePointer<Float>, c C: Int, oc OC: Int, m: Int, scale: UnsafePointer<Float>?,
        into u: UnsafeMutablePointer<Float>
    ) {
        if m == 4 { return transformKernel4(k, c: C, oc: OC, scale: scale, into: u) }
        let plane = C * OC
        Parallel.forChunks(C, chunk: max(1, 8192 / max(OC, 1))) { _, cs in
            for c in cs {
                for o in 0..<OC {
                    let s: Float = scale.map { $0[o] } ?? 1
                    let base = k + c * OC + o
                    @inline(__always) func g(_ a: Int, _ b: Int) -> Float { base[(a * 3 + b) * plane] * s }
                    // Column b of G·g: (g0b, (g0b+g1b+g2b)/2, (g0b-g1b+g2b)/2, g2b); then each row r
                    // of G·g times Gᵀ: (r0, (r0+r1+r2)/2, (r0-r1+r2)/2, r2).
                    @inline(__always) func row(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float) {
                        let at = c * OC + o
                        u[(i * 4 + 0) * plane + at] = r0
                        u[(i * 4 + 1) * plane + at] = (r0 + r1 + r2) * 0.5
                        u[(i * 4 + 2) * plane + at] = (r0 - r1 + r2) * 0.5
                        u[(i * 4 + 3) * plane + at] = r2
                    }
                    let g00 = g(0, 0), g01 = g(0, 1), g02 = g(0, 2)
                    let g10 = g(1, 0), g11 = g(1, 1), g12 = g(1, 2)
                    let g20 = g(2, 0), g21 = g(2, 1), g22 = g(2, 2)
                    row(0, g00, g01, g02)
                    row(1, (g00 + g10 + g20) * 0.5, (g01 + g11 + g21) * 0.5, (g02 + g12 + g22) * 0.5)
                    row(2, (g00 - g10 + g20) * 0.5, (g01 - g11 + g21) * 0.5, (g02 - g12 + g22) * 0.5)
                    row(3, g20, g21, g22)
                }
            }
        }
    }

    /// `y [N, OH, OW, OC] = epilogue(conv(x [N, H, W, C]))` with the kernel `u` transformed for
    /// tile size `m` (2 or 4).
    static func forward(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, u: UnsafePointer<Float>, oc OC: Int, m: Int,
        epilogue: ConvEpilogue, workspace: Workspace, y: UnsafeMutablePointer<Float>
    ) {
        precondition(applies(g), "Winograd F(m×m, 3×3) needs a 3×3 stride-1 convolution")
        precondition(m == 2 || m == 4, "tile size 2 or 4")
        Parallel.blasSingleThreaded
        let C = g.c
        let planes = (m + 2) * (m + 2)
        let tilesH = (g.h.output + m - 1) / m, tilesW = (g.w.output + m - 1) / m
        let tiles = g.n * tilesH * tilesW
        let perBlock = min(tiles, tilesPerBlock(c: C, oc: OC, m: m))
        let v = workspace.buffer(planes * perBlock * C, slot: 3)
        let mm = workspace.buffer(planes * perBlock * OC, slot: 4)
        let zeros = [Float](repeating: 0, count: C)
        zeros.withUnsafeBufferPointer { zp in
            var t0 = 0
            while t0 < tiles {
                let t1 = min(tiles, t0 + perBlock), count = t1 - t0
                // Bᵀ d B for every tile of the block: V_ξ [count, C].
                Parallel.forChunks(count, chunk: 16) { _, r in
                    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 36) { src in
                        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 36) { scratch in
                            for t in r {
                                let tile = Tile(g, index: t0 + t, m: m, tilesH: tilesH, tilesW: tilesW)
                                if m == 4 {
                                    transformInput4(
                                        x, g, tile, zeros: zp.baseAddress!, src: src.baseAddress!,
                                        scratch: scratch.baseAddress!, v: v + t * C, planeStride: perBlock * C)
                                } else {
                                    transformInput(
                                        x, g, tile, zeros: zp.baseAddress!, src: src.baseAddress!,
                                        scratch: scratch.baseAddress!, v: v + t * C, planeStride: perBlock * C)
                                }
                            }
                        }
                    }
                }
                // M_ξ = V_ξ · U_ξ   (M = tiles in block, N = OC, K = C)
                Parallel.forChunks(planes, chunk: 1) { _, r in
                    let xi = r.lowerBound
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), Int32(OC), Int32(C), 1,
                        v + xi * perBlock * C, Int32(C), u + xi * C * OC, Int32(OC), 0,
                        mm + xi * perBlock * OC, Int32(OC))
                }
                // Y = Aᵀ M A (+ epilogue) for every tile of the block.
                Parallel.forChunks(count, chunk: 16) { _, r in
                    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 24) { scratch in
                        for t in r {
                            let tile = Tile(g, index: t0 + t, m: m, tilesH: tilesH, tilesW: tilesW)
                            if m == 4 {
                                transformOutput4(
                                    mm + t * OC, planeStride: perBlock * OC, g, tile, oc: OC, epilogue: epilogue,
                                    scratch: scratch.baseAddress!, y: y)
                            } else {
                                transformOutput(
                                    mm + t * OC, planeStride: perBlock * OC, g, tile, oc: OC, epilogue: epilogue,
                                    scratch: scratch.baseAddress!, y: y)
                            }
                        }
                    }
                }
                t0 = t1
            }
        }
    }

    /// Where one tile lies: image `n`, first output row/column, first input row/column read.
    struct Tile {
        let n: Int, oh0: Int, ow0: Int, ih0: Int, iw0: Int
        @inline(__always) init(_ g: ConvGeometry, index: Int, m: Int, tilesH: Int, tilesW: Int) {
            n = index / (tilesH * tilesW)
            let rem = index % (tilesH * tilesW)
            oh0 = m * (rem / tilesW); ow0 = m * (rem % tilesW)
            ih0 = oh0 - g.h.padBefore; iw0 = ow0 - g.w.padBefore
        }
    }

    /// Points `src[i·a + j]` at input pixel `(ih0 + i, iw0 + j)` of the tile's image, or at a row
    /// of zeros outside the input, for an `a`×`a` patch.
    @inline(__always)
    private static func patchSources(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, _ t: Tile, a: Int,
        zeros: UnsafePointer<Float>, src: UnsafeMutablePointer<UnsafePointer<Float>>
    ) {
        let C = g.c, H = g.h.input, W = g.w.input
        let image = x + t.n * H * W * C
        for i in 0..<a {
            let ih = t.ih0 + i
            for j in 0..<a {
                let iw = t.iw0 + j
                src[i * a + j] = ih >= 0 && ih < H && iw >= 0 && iw < W ? image + (ih * W + iw) * C : zeros
            }
        }
    }

    /// `Bᵀ d` for F(4×4, 3×3) on six vectors: the rows of
    /// `[[4,0,-5,0,1,0],[0,-4,-4,1,1,0],[0,4,-4,-1,1,0],[0,-2,-1,2,1,0],[0,2,-1,-2,1,0],[0,4,0,-5,0,1]]`.
    @inline(__always)
    private static func bt6(_ d: UnsafeMutablePointer<SIMD8<Float>>, _ stride: Int, into o: UnsafeMutablePointer<SIMD8<Float>>, _ os: Int) {
        let d0 = d[0], d1 = d[stride], d2 = d[2 * stride], d3 = d[3 * stride], d4 = d[4 * stride], d5 = d[5 * stride]
        let four: SIMD8<Float> = SIMD8(repeating: 4), five: SIMD8<Float> = SIMD8(repeating: 5), two: SIMD8<Float> = SIMD8(repeating: 2)
        let a = d4 - d2, b = d3 - d1
        o[0] = four * d0 - five * d2 + d4
        o[os] = d3 + d4 - four * (d1 + d2)
        o[2 * os] = four * (d1 - d2) - d3 + d4
        o[3 * os] = a + two * b
        o[4 * os] = a - two * b
        o[5 * os] = four * d1 - five * d3 + d5
    }

    /// Writes `(Bᵀ d B)[ξ]` of one 6×6 patch (F(4×4, 3×3)) to `v + ξ·planeStride` (C floats each).
    @inline(__always)
    private static func transformInput4(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, _ tile: Tile, zeros: UnsafePointer<Float>,
        src: UnsafeMutablePointer<UnsafePointer<Float>>, scratch: UnsafeMutablePointer<SIMD8<Float>>,
        v: UnsafeMutablePointer<Float>, planeStride: Int
    ) {
        let C = g.c
        patchSources(x, g, tile, a: 6, zeros: zeros, src: src)
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 36) { tmp in
            let t = tmp.baseAddress!
            var c = 0
            while c < C {
                let w = min(8, C - c)
                for k in 0..<36 { scratch[k] = load(src[k] + c, w) }
                // Columns: t[i][j] = (Bᵀ d)[i][j]; then rows: v[i][j] = (t Bᵀᵀ)[i][j].
                for j in 0..<6 { bt6(scratch + j, 6, into: t + j, 6) }
                for i in 0..<6 { bt6(t + i * 6, 1, into: scratch + i * 6, 1) }
                for k in 0..<36 { store(scratch[k], v + k * planeStride + c, w) }
                c += 8
            }
        }
    }

    /// `Aᵀ m` for F(4×4, 3×3) on six vectors: the rows of
    /// `[[1,1,1,1,1,0],[0,1,-1,2,-2,0],[0,1,1,4,4,0],[0,1,-1,8,-8,1]]`.
    @inline(__always)
    private static func at6(
        _ m0: SIMD8<Float>, _ m1: SIMD8<Float>, _ m2: SIMD8<Float>, _ m3: SIMD8<Float>, _ m4: SIMD8<Float>,
        _ m5: SIMD8<Float>
    ) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let sp = m1 + m2, sm = m1 - m2, tp = m3 + m4, tm = m3 - m4
        let two: SIMD8<Float> = SIMD8(repeating: 2), four: SIMD8<Float> = SIMD8(repeating: 4), eight: SIMD8<Float> = SIMD8(repeating: 8)
        return (m0 + sp + tp, sm + two * tm, sp + four * tp, sm + eight * tm + m5)
    }

    /// Writes the 4×4 outputs of one tile (F(4×4, 3×3)), `Aᵀ M A` plus the epilogue, skipping
    /// those beyond the output's edge.
    @inline(__always)
    private static func transformOutput4(
        _ m: UnsafePointer<Float>, planeStride: Int, _ g: ConvGeometry, _ tile: Tile,
        oc OC: Int, epilogue: ConvEpilogue,
        scratch s: UnsafeMutablePointer<SIMD8<Float>>, y: UnsafeMutablePointer<Float>
    ) {
        let OH = g.h.output, OW = g.w.output
        let rows = min(4, OH - tile.oh0), cols = min(4, OW - tile.ow0)
        let out = tile.n * OH * OW
        var o = 0
        while o < OC {
            let w = min(8, OC - o)
            // Columns: s[a][j] = (Aᵀ M)[a][j], a < 4, j < 6.
            for j in 0..<6 {
                let r = at6(
                    load(m + j * planeStride + o, w), load(m + (6 + j) * planeStride + o, w),
                    load(m + (12 + j) * planeStride + o, w), load(m + (18 + j) * planeStride + o, w),
                    load(m + (24 + j) * planeStride + o, w), load(m + (30 + j) * planeStride + o, w))
                s[j] = r.0; s[6 + j] = r.1; s[12 + j] = r.2; s[18 + j] = r.3
            }
            let bias = epilogue.bias.map { load($0 + o, w) } ?? .zero
            for a in 0..<rows {
                let sa = s + a * 6
                let r = at6(sa[0], sa[1], sa[2], sa[3], sa[4], sa[5])
                for b in 0..<cols {
                    var value: SIMD8<Float> = (b == 0 ? r.0 : b == 1 ? r.1 : b == 2 ? r.2 : r.3) + bias
                    let at = (out + (tile.oh0 + a) * OW + tile.ow0 + b) * OC + o
                    if let res = epilogue.residual { value += load(res + at, w) }
                    if epilogue.relu { value.replace(with: 0, where: value .<= 0) }
                    store(value, y + at, w)
                }
            }
            o += 8
        }
    }

    /// `u[ξ, c, o] = (G·g·Gᵀ)[ξ]` for F(4×4, 3×3), `G = [[¼,0,0],[-⅙,-⅙,-⅙],[-⅙,⅙,-⅙],
    /// [1/24,1/12,⅙],[1/24,-1/12,⅙],[0,0,1]]`, `g = kernel[:, :, c, o]·scale[o]`; `36·C·OC` floats.
    static func transformKernel4(
        _ k: UnsafePointer<Float>, c C: Int, oc OC: Int, scale: UnsafePointer<Float>?,
        into u: UnsafeMutablePointer<Float>
    ) {
        let plane = C * OC
        Parallel.forChunks(C, chunk: max(1, 8192 / max(OC, 1))) { _, cs in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 27) { buf in
                let gg = buf.baseAddress!, col = gg + 9
                /// `G·(a0, a1, a2)` into `o[0], o[s], …, o[5s]`, in Double (rounded once at the end).
                @inline(__always) func gt(_ a0: Double, _ a1: Double, _ a2: Double, _ o: UnsafeMutablePointer<Double>, _ s: Int) {
                    o[0] = a0 / 4; o[s] = -(a0 + a1 + a2) / 6; o[2 * s] = -(a0 - a1 + a2) / 6
                    o[3 * s] = a0 / 24 + a1 / 12 + a2 / 6; o[4 * s] = a0 / 24 - a1 / 12 + a2 / 6; o[5 * s] = a2
                }
                for c in cs {
                    for o in 0..<OC {
                        let sc = Double(scale.map { $0[o] } ?? 1)
                        let base = k + c * OC + o
                        for t in 0..<9 { gg[t] = Double(base[t * plane]) * sc }
                        // Columns of G·g: col[i·3 + b] (6×3); then row i times Gᵀ.
                        for b in 0..<3 { gt(gg[b], gg[3 + b], gg[6 + b], col + b, 3) }
                        let at = c * OC + o
                        for i in 0..<6 {
                            let a0 = col[i * 3], a1 = col[i * 3 + 1], a2 = col[i * 3 + 2]
                            let row: (Double, Double, Double, Double, Double, Double) =
                                (
                                    a0 / 4, -(a0 + a1 + a2) / 6, -(a0 - a1 + a2) / 6, a0 / 24 + a1 / 12 + a2 / 6,
                                    a0 / 24 - a1 / 12 + a2 / 6, a2
                                )
                            u[(i * 6 + 0) * plane + at] = Float(row.0)
                            u[(i * 6 + 1) * plane + at] = Float(row.1)
                            u[(i * 6 + 2) * plane + at] = Float(row.2)
                            u[(i * 6 + 3) * plane + at] = Float(row.3)
                            u[(i * 6 + 4) * plane + at] = Float(row.4)
                            u[(i * 6 + 5) * plane + at] = Float(row.5)
                        }
                    }
                }
            }
        }
    }

    /// Up to eight floats (`n` ≤ 8) from `p`; missing lanes are zero.
    @inline(__always) private static func load(_ p: UnsafePointer<Float>, _ n: Int) -> SIMD8<Float> {
        if n == 8 { return loadVector(p) }
        var s = SIMD8<Float>()
        for l in 0..<n { s[l] = p[l] }
        return s
    }

    /// Stores the first `n` lanes of `s` at `p`.
    @inline(__always) private static func store(_ s: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 8 { storeVector(s, p); return }
        for l in 0..<n { p[l] = s[l] }
    }

    /// Writes `(Bᵀ d B)[ξ]` of one tile to `v + ξ·planeStride` (C floats each).
    @inline(__always)
    private static func transformInput(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, _ tile: Tile,
        zeros: UnsafePointer<Float>, src: UnsafeMutablePointer<UnsafePointer<Float>>,
        scratch t: UnsafeMutablePointer<SIMD8<Float>>,
        v: UnsafeMutablePointer<Float>, planeStride: Int
    ) {
        let C = g.c
        patchSources(x, g, tile, a: 4, zeros: zeros, src: src)
        do {
            let s = src
            var c = 0
            while c < C {
                let w = min(8, C - c)
                // Columns: t_ij = (Bᵀ d)_ij, rows combined per column j.
                for j in 0..<4 {
                    let d0 = load(s[j] + c, w), d1 = load(s[4 + j] + c, w), d2 = load(s[8 + j] + c, w), d3 = load(s[12 + j] + c, w)
                    t[j] = d0 - d2
                    t[4 + j] = d1 + d2
                    t[8 + j] = d2 - d1
                    t[12 + j] = d1 - d3
                }
                for i in 0..<4 {
                    let a0 = t[i * 4], a1 = t[i * 4 + 1], a2 = t[i * 4 + 2], a3 = t[i * 4 + 3]
                    store(a0 - a2, v + (i * 4 + 0) * planeStride + c, w)
                    store(a1 + a2, v + (i * 4 + 1) * planeStride + c, w)
                    store(a2 - a1, v + (i * 4 + 2) * planeStride + c, w)
                    store(a1 - a3, v + (i * 4 + 3) * planeStride + c, w)
                }
                c += 8
            }
        }
    }

    /// Writes the 2×2 outputs of one tile, `Aᵀ M A` plus the epilogue, skipping those beyond the
    /// output's edge.
    @inline(__always)
    private static func transformOutput(
        _ m: UnsafePointer<Float>, planeStride: Int, _ g: ConvGeometry, _ tile: Tile,
        oc OC: Int, epilogue: ConvEpilogue,
        scratch: UnsafeMutablePointer<SIMD8<Float>>, y: UnsafeMutablePointer<Float>
    ) {
        let OH = g.h.output, OW = g.w.output
        let oh0 = tile.oh0, ow0 = tile.ow0
        let rows = min(2, OH - oh0), cols = min(2, OW - ow0)
        let out = tile.n * OH * OW
        var o = 0
        while o < OC {
            let w = min(8, OC - o)
            // Rows: s_aj = (Aᵀ M)_aj.
            let s0 = scratch, s1 = scratch + 4
            for j in 0..<4 {
                let m0 = load(m + j * planeStride + o, w), m1 = load(m + (4 + j) * planeStride + o, w)
                let m2 = load(m + (8 + j) * planeStride + o, w), m3 = load(m + (12 + j) * planeStride + o, w)
                s0[j] = m0 + m1 + m2
                s1[j] = m1 - m2 - m3
            }
            let bias = epilogue.bias.map { load($0 + o, w) } ?? .zero
            for a in 0..<rows {
                let sa = a == 0 ? s0 : s1
                for b in 0..<cols {
                    let first: SIMD8<Float> = sa[0] + sa[1] + sa[2], second: SIMD8<Float> = sa[1] - sa[2] - sa[3]
                    var value: SIMD8<Float> = (b == 0 ? first : second) + bias
                    let at = (out + (oh0 + a) * OW + ow0 + b) * OC + o
                    if let r = epilogue.residual { value += load(r + at, w) }
                    if epilogue.relu { value.replace(with: 0, where: value .<= 0) }
                    store(value, y + at, w)
                }
            }
            o += 8
        }
    }
}
