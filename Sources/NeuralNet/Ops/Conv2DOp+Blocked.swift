import CBLAS
import Dispatch
import Synchronization

/// The backward pass of a small convolution in one parallel pass over fixed blocks (the training
/// step of the default preset's networks: 8–256 channels on 3×3 to 48×48 images).
///
/// Each block of whole images (a 1×1 stride-1 convolution: of rows) contributes its own partial
/// kernel gradient `colsᵀ·dy` (and bias gradient), written to its own slot; the partials are then
/// added in block order. The input gradient of a block depends only on the block's rows of `dy`,
/// so it is written directly. Blocks depend on the shape alone and every block is computed the
/// same way whichever worker takes it, so the result does not depend on the thread count.
/// Compared with `Conv2DOp.backward`'s general path (im2col of the whole batch, one split GEMM
/// for the kernel gradient, another pass for the input gradient), the columns of a block are
/// used while in cache and there is one parallel region per layer instead of three or four.
extension Conv2DOp {
    /// Multiply-adds (of the kernel gradient) from which a layer is split into at least two blocks,
    /// so both cores work on it. A constant: the blocks, and so the results, depend on the shape only.
    static let backwardSplitWork = 1 << 20

    /// The blocks of `blockedBackward`: whole images per block (pointwise: rows per block) and
    /// their number; nil when the layer is too large for the blocked path.
    static func backwardBlocks(_ g: ConvGeometry, oc OC: Int) -> (perBlock: Int, count: Int)? {
        guard Engine.options.blockedBackward else { return nil }
        let rows = g.n * g.outputPixels
        // A layer with enough arithmetic for two cores gets at least two blocks.
        let split = rows * (isPointwise(g) ? g.c : g.patch) * OC >= backwardSplitWork
        if isPointwise(g) {
            var per = Engine.options.backwardBlockRows
            if split && rows <= per { per = max(8, ((rows + 1) / 2 + 7) / 8 * 8) }
            let count = (rows + per - 1) / per
            return count * g.c * OC <= Engine.options.blockedPartialBudget ? (per, count) : nil
        }
        var per = max(1, min(g.n, (Engine.options.backwardBlockRows + g.outputPixels - 1) / g.outputPixels))
        if split && per >= g.n && g.n > 1 { per = (g.n + 1) / 2 }
        let count = (g.n + per - 1) / per
        guard count * g.patch * OC <= Engine.options.blockedPartialBudget,
            per * max(g.outputPixels, g.inputPixels) * max(g.patch, g.h.kernel * g.w.kernel * OC) <= Engine.options.convolutionBlockBudget
        else { return nil }
        return (per, count)
    }

    /// The blocked backward (see the extension's summary); `dk` accumulates, `dBias` accumulates,
    /// `dx` (when non-nil) is overwritten.
    static func blockedBackward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
        _ g: ConvGeometry, oc OC: Int, blocks: (perBlock: Int, count: Int),
        dk: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
        dx: UnsafeMutablePointer<Float>?, workspace: Workspace
    ) {
        Parallel.blasSingleThreaded
        let pointwise = isPointwise(g)
        let rows = g.n * g.outputPixels
        let KK = pointwise ? g.c : g.patch  // rows of the kernel matrix
        let transposed = !pointwise && g.h.stride == 1 && g.w.stride == 1
        // Stride 1: dx is the convolution of dy with the flipped, transposed kernel (see `backward`).
        let gt = g.transposed(outputChannels: OC)
        let blockOut = pointwise ? blocks.perBlock : blocks.perBlock * g.outputPixels
        let blockIn = pointwise ? blocks.perBlock : blocks.perBlock * g.inputPixels
        let colsSize = pointwise ? 0 : blockOut * g.patch
        let dxColsSize = dx == nil || pointwise ? 0 : (transposed ? blockIn * gt.patch : blockOut * g.patch)
        let perWorker = colsSize + dxColsSize
        let macs = rows * KK * OC * (dx == nil ? 1 : 2)
        let workers = macs < 4 * Engine.options.minimumParallelWork ? 1 : max(1, min(Parallel.threads, blocks.count))
        let partialSize = KK * OC + (dBias == nil ? 0 : OC)
        let flippedSize = transposed && dx != nil ? g.patch * OC : 0
        let base = workspace.buffer(workers * perWorker + blocks.count * partialSize + flippedSize, slot: 1)
        let partials = base + workers * perWorker
        let flipped = partials + blocks.count * partialSize
        if flippedSize > 0 { flippedTransposed(kernel, g, oc: OC, into: flipped) }
        let next = Atomic<Int>(0)
        let work = { (w: Int) in
            let cols = base + w * perWorker, dcols = cols + colsSize
            while true {
                let b = next.add(1, ordering: .relaxed).oldValue
                if b >= blocks.count { break }
                let r0 = b * blockOut, r1 = min(rows, r0 + blockOut), m = r1 - r0
                let dyBlock = dy + r0 * OC
                let partial = partials + b * partialSize
                let a: UnsafePointer<Float>
                if pointwise { a = x + r0 * g.c } else { Im2Col.fillRows(x, g, rows: r0..<r1, cols); a = UnsafePointer(cols) }
                // forward: y = cols · k   ⇒   dk_b = colsᵀ · dy   (M = KK, N = OC, K = rows of the block)
                cblas_sgemm(
                    CblasRowMajor, CblasTrans, CblasNoTrans, Int32(KK), Int32(OC), Int32(m), 1,
                    a, Int32(KK), dyBlock, Int32(OC), 0, partial, Int32(OC))
                if dBias != nil {
                    // forward: y = b + cols · k   ⇒   db_b = Σ_rows dy
                    let db = partial + KK * OC
                    db.update(repeating: 0, count: OC)
                    for r in 0..<m { let row = dyBlock + r * OC; for c in 0..<OC { db[c] += row[c] } }
                }
                guard let dx else { continue }
                if pointwise {
                    // dx = dy · kᵀ   (M = rows of the block, N = C, K = OC)
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(g.c), Int32(OC), 1,
                        dyBlock, Int32(OC), kernel, Int32(OC), 0, dx + r0 * g.c, Int32(g.c))
                } else if transposed {
                    let i0 = b * blockIn, i1 = min(g.n * g.inputPixels, i0 + blockIn)
                    Im2Col.fillRows(dy, gt, rows: i0..<i1, dcols)
                    // dx = im2col_t(dy) · flipped   (M = input rows of the block, N = C, K = KH·KW·OC)
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(i1 - i0), Int32(g.c), Int32(gt.patch), 1,
                        dcols, Int32(gt.patch), flipped, Int32(g.c), 0, dx + i0 * g.c, Int32(g.c))
                } else {
                    // dcols = dy · kᵀ   (M = rows of the block, N = KH·KW·C, K = OC), then col2im
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(g.patch), Int32(OC), 1,
                        dyBlock, Int32(OC), kernel, Int32(OC), 0, dcols, Int32(g.patch))
                    let n0 = b * blocks.perBlock, nb = min(g.n, n0 + blocks.perBlock) - n0
                    Im2Col.col2imLines(dcols, g, lines: 0..<(nb * g.h.input), dx + n0 * g.inputPixels * g.c)
                }
            }
        }
        Parallel.run(workers: workers, work)
        // Partials added in block order.
        for b in 0..<blocks.count {
            let p = partials + b * partialSize
            for i in 0..<(KK * OC) { dk[i] += p[i] }
            if let dBias { for c in 0..<OC { dBias[c] += p[KK * OC + c] } }
        }
    }
}
