import CBLAS
import Dispatch
import Synchronization

/// What an inference convolution applies to its products, element-wise, before storing them:
/// `y = act(conv + bias[o] + residual)`, with `act` the identity or ReLU. It carries a folded
/// batch normalisation's shift in `bias`, the other operand of a following `Add` in
/// `residual`, and a following ReLU in `relu` (see `Graph`'s inference fusion).
struct ConvEpilogue {
    /// `[OC]`, or nil for none.
    var bias: UnsafePointer<Float>?
    /// A tensor of the output's shape, or nil for none.
    var residual: UnsafePointer<Float>?
    var relu = false

    var isIdentity: Bool { bias == nil && residual == nil && !relu }

    /// Applies the epilogue in place to rows `rows` of `y [R, OC]`.
    func apply(_ y: UnsafeMutablePointer<Float>, rows: Range<Int>, oc OC: Int) {
        if isIdentity { return }
        for row in rows {
            let yr = y + row * OC
            let rr = residual.map { $0 + row * OC }
            var o = 0
            while o + 8 <= OC {
                var v = loadVector(yr + o)
                if let b = bias { v += loadVector(b + o) }
                if let rr { v += loadVector(rr + o) }
                if relu { v.replace(with: 0, where: v .<= 0) }
                storeVector(v, yr + o)
                o += 8
            }
            while o < OC {
                var v = yr[o]
                if let b = bias { v += b[o] }
                if let rr { v += rr[o] }
                if relu && v <= 0 { v = 0 }
                yr[o] = v
                o += 1
            }
        }
    }
}

extension Conv2DOp {
    /// Rows below which an inference convolution fills the whole im2col matrix and multiplies
    /// it with the blocked `sgemm` (split along the larger of M and N), so a layer of few
    /// output pixels (e.g. the FPN's P6 at 8×8) still uses every core.
    static let wholeIm2colRows = 256

    /// Rows of one block of a pointwise inference convolution: its output block stays near L2
    /// (≈ `pointwiseBlockFloats`), within `pointwiseBlockRowRange`, a multiple of 8. Fixed by the shape.
    static func pointwiseBlockRows(oc: Int) -> Int {
        max(
            Engine.options.pointwiseBlockRowRange.least,
            min(Engine.options.pointwiseBlockRowRange.most, Engine.options.pointwiseBlockFloats / max(oc, 1))) / 8 * 8
    }

    /// Inference forward: `y [N, OH, OW, OC] = epilogue(conv(x))`, kernel `[KH, KW, C, OC]`
    /// (bias, if any, in the epilogue). Same arithmetic as `forward` up to float rounding, in
    /// blocks of rows whose epilogue runs while the block is in cache. Blocks depend only on
    /// the shape, so the result does not depend on the thread count. (3×3 stride-1 layers use
    /// `WinogradConvOp` instead; see `Conv2D`.)
    static func inferenceForward(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, kernel: UnsafePointer<Float>, oc OC: Int,
        epilogue: ConvEpilogue, workspace: Workspace, y: UnsafeMutablePointer<Float>
    ) {
        Parallel.blasSingleThreaded
        let rows = g.n * g.outputPixels
        if usesDirect(g) {
            // A single-channel input (the first layer): the direct loops, then one epilogue pass.
            singleChannelForward(x, g, kernel: kernel, bias: nil, oc: OC, y: y, workspace: workspace)
            Parallel.forChunks(rows, chunk: max(1, Chunk.elements / max(OC, 1))) { _, r in epilogue.apply(y, rows: r, oc: OC) }
            return
        }
        if isPointwise(g) && (rows + pointwiseBlockRows(oc: OC) - 1) / pointwiseBlockRows(oc: OC) < 4 {
            // Few rows (e.g. 16×16 maps): the blocked `sgemm` also splits along N, then one
            // epilogue pass.
            // M = N·H·W, N = OC, K = C
            sgemm(m: rows, n: OC, k: g.c, a: x, lda: g.c, b: kernel, ldb: OC, beta: 0, c: y, ldc: OC)
            Parallel.forChunks(rows, chunk: max(1, Chunk.elements / max(OC, 1))) { _, r in epilogue.apply(y, rows: r, oc: OC) }
            return
        }
        if isPointwise(g) {
            // Fixed blocks of rows claimed by the workers: y[block] = x[block] · kernel, then the epilogue.
            let per = pointwiseBlockRows(oc: OC)
            let nBlocks = (rows + per - 1) / per
            let next = Atomic<Int>(0)
            let work = { (_: Int) in
                while true {
                    let b = next.add(1, ordering: .relaxed).oldValue
                    if b >= nBlocks { break }
                    let r0 = b * per, r1 = min(rows, r0 + per)
                    // M = rows in block, N = OC, K = C
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(r1 - r0), Int32(OC), Int32(g.c), 1,
                        x + r0 * g.c, Int32(g.c), kernel, Int32(OC), 0, y + r0 * OC, Int32(OC))
                    epilogue.apply(y, rows: r0..<r1, oc: OC)
                }
            }
            let workers = max(1, min(Parallel.threads, nBlocks))
            Parallel.run(workers: workers, work)
            return
        }
        if rows <= wholeIm2colRows {
            let cols = workspace.buffer(rows * g.patch, slot: 1)
            Im2Col.im2col(x, nImages: g.n, g, cols)
            // M = N·OH·OW, N = OC, K = KH·KW·C
            sgemm(m: rows, n: OC, k: g.patch, a: cols, lda: g.patch, b: kernel, ldb: OC, beta: 0, c: y, ldc: OC)
            Parallel.forChunks(rows, chunk: max(1, Chunk.elements / max(OC, 1))) { _, r in epilogue.apply(y, rows: r, oc: OC) }
            return
        }
        fusedRows(x, g, kernel: kernel, oc: OC, beta: 0, y: y, workspace: workspace, epilogue: epilogue)
    }
}
