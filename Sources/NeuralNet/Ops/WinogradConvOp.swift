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
/// Used by `Conv2D` in inference only (training keeps the im2col path, bit for bit).
public enum WinogradConvOp {
    /// Whether the geometry is a 3×3 stride-1 convolution (any padding).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.h.kernel == 3 && g.w.kernel == 3 && g.h.stride == 1 && g.w.stride == 1
    }

    /// Upper bound (floats) of one block's transformed input plus products (≈ 8 MiB).
    nonisolated(unsafe) public static var blockBudget = 1 << 21

    /// Tiles per block: a multiple of 8 fitting `blockBudget`, fixed by the shape.
    static func tilesPerBlock(c: Int, oc: Int) -> Int {
        max(8, blockBudget / (16 * (c + oc)) / 8 * 8)
    }

    /// Floats of a transformed kernel `[16, C, OC]`.
    static func transformedKernelCount(c: Int, oc: Int) -> Int { 16 * c * oc }

    /// `u[ξ, c, o] = (G·g·Gᵀ)[ξ]` with `g = kernel[:, :, c, o]·scale[o]` (scale 1 if nil):
    /// the kernel `[3, 3, C, OC]` in the transformed domain, `u` of `16·C·OC` floats.
    static func transformKernel(_ k: UnsafePointer<Float>, c C: Int, oc OC: Int, scale: UnsafePointer<Float>?,
                                into u: UnsafeMutablePointer<Float>) {
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

    /// `y [N, OH, OW, OC] = epilogue(conv(x [N, H, W, C]))` with the transformed kernel `u`.
    static func forward(_ x: UnsafePointer<Float>, _ g: ConvGeometry, u: UnsafePointer<Float>, oc OC: Int,
                        epilogue: ConvEpilogue, workspace: Workspace, y: UnsafeMutablePointer<Float>) {
        precondition(applies(g), "Winograd F(2×2, 3×3) needs a 3×3 stride-1 convolution")
        Parallel.blasSingleThreaded
        let C = g.c
        let tilesH = (g.h.output + 1) / 2, tilesW = (g.w.output + 1) / 2
        let tiles = g.n * tilesH * tilesW
        let perBlock = min(tiles, tilesPerBlock(c: C, oc: OC))
        let v = workspace.buffer(16 * perBlock * C, slot: 3)
        let m = workspace.buffer(16 * perBlock * OC, slot: 4)
        let zeros = [Float](repeating: 0, count: C)
        zeros.withUnsafeBufferPointer { zp in
            var t0 = 0
            while t0 < tiles {
                let t1 = min(tiles, t0 + perBlock), count = t1 - t0
                // Bᵀ d B for every tile of the block: V_ξ [count, C].
                Parallel.forChunks(count, chunk: 16) { _, r in
                    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { src in
                        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 16) { scratch in
                            for t in r {
                                transformInput(x, g, tile: t0 + t, tilesH: tilesH, tilesW: tilesW, zeros: zp.baseAddress!,
                                               src: src.baseAddress!, scratch: scratch.baseAddress!,
                                               v: v + t * C, planeStride: perBlock * C)
                            }
                        }
                    }
                }
                // M_ξ = V_ξ · U_ξ   (M = tiles in block, N = OC, K = C)
                Parallel.forChunks(16, chunk: 1) { _, r in
                    let xi = r.lowerBound
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), Int32(OC), Int32(C), 1,
                                v + xi * perBlock * C, Int32(C), u + xi * C * OC, Int32(OC), 0,
                                m + xi * perBlock * OC, Int32(OC))
                }
                // Y = Aᵀ M A (+ epilogue) for every tile of the block.
                Parallel.forChunks(count, chunk: 16) { _, r in
                    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 8) { scratch in
                        for t in r {
                            transformOutput(m + t * OC, planeStride: perBlock * OC, g, tile: t0 + t, tilesH: tilesH,
                                            tilesW: tilesW, oc: OC, epilogue: epilogue, scratch: scratch.baseAddress!, y: y)
                        }
                    }
                }
                t0 = t1
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
    private static func transformInput(_ x: UnsafePointer<Float>, _ g: ConvGeometry, tile: Int, tilesH: Int, tilesW: Int,
                                       zeros: UnsafePointer<Float>, src: UnsafeMutablePointer<UnsafePointer<Float>>,
                                       scratch t: UnsafeMutablePointer<SIMD8<Float>>,
                                       v: UnsafeMutablePointer<Float>, planeStride: Int) {
        let C = g.c, H = g.h.input, W = g.w.input
        let n = tile / (tilesH * tilesW), rem = tile % (tilesH * tilesW)
        let ih0 = 2 * (rem / tilesW) - g.h.padBefore, iw0 = 2 * (rem % tilesW) - g.w.padBefore
        let image = x + n * H * W * C
        // Source of each of the 16 patch pixels (a zero row outside the input).
        for i in 0..<16 { src[i] = zeros }
        for i in 0..<4 {
            let ih = ih0 + i
            guard ih >= 0 && ih < H else { continue }
            for j in 0..<4 {
                let iw = iw0 + j
                if iw >= 0 && iw < W { src[i * 4 + j] = image + (ih * W + iw) * C }
            }
        }
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
    private static func transformOutput(_ m: UnsafePointer<Float>, planeStride: Int, _ g: ConvGeometry, tile: Int,
                                        tilesH: Int, tilesW: Int, oc OC: Int, epilogue: ConvEpilogue,
                                        scratch: UnsafeMutablePointer<SIMD8<Float>>, y: UnsafeMutablePointer<Float>) {
        let OH = g.h.output, OW = g.w.output
        let n = tile / (tilesH * tilesW), rem = tile % (tilesH * tilesW)
        let oh0 = 2 * (rem / tilesW), ow0 = 2 * (rem % tilesW)
        let rows = min(2, OH - oh0), cols = min(2, OW - ow0)
        let out = n * OH * OW
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
