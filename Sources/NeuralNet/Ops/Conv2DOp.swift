import CBLAS
import Dispatch
import Synchronization

/// 2-D convolution, NHWC, kernel `[KH, KW, C, OC]`, Keras 'same'/'valid' padding, optional bias.
///
/// `y[n, oh, ow, oc] = b[oc] + Σ_{kh, kw, c} x[n, oh·s + kh - padTop, ow·s + kw - padLeft, c] · k[kh, kw, c, oc]`
///
/// Implementation: im2col + `cblas_sgemm` over blocks of whole images (the workspace holds at
/// most `blockBudget` floats, or one image if that is larger); a 1×1 stride-1 convolution is a
/// single GEMM on the input itself. The block size depends only on the shapes, never on the
/// thread count, so results are reproducible.
public enum Conv2DOp {

    static func isPointwise(_ g: ConvGeometry) -> Bool {
        g.h.kernel == 1 && g.w.kernel == 1 && g.h.stride == 1 && g.w.stride == 1
            && g.h.padBefore == 0 && g.w.padBefore == 0 && g.h.output == g.h.input && g.w.output == g.w.input
    }

    static func imagesPerBlock(_ g: ConvGeometry) -> Int {
        max(1, min(g.n, Engine.options.convolutionBlockBudget / max(1, g.outputPixels * g.patch)))
    }

    // MARK: - Forward

    /// `x [N, H, W, C]`, `kernel [KH, KW, C, OC]`, `bias [OC]?` → `y [N, OH, OW, OC]`.
    public static func forward(
        _ x: Tensor, kernel: Tensor, bias: Tensor?, geometry g: ConvGeometry,
        workspace: Workspace, into y: inout Tensor
    ) {
        let OC = kernel.shape[3]
        precondition(kernel.shape == Shape([g.h.kernel, g.w.kernel, g.c, OC]), "kernel \(kernel.shape) ≠ geometry")
        precondition(x.shape == Shape([g.n, g.h.input, g.w.input, g.c]), "input \(x.shape) ≠ geometry")
        y.resize(to: Shape([g.n, g.h.output, g.w.output, OC]))
        if usesDirect(g) {
            if let bias { precondition(bias.count == OC) }
            let b = bias?.data ?? []
            x.data.withUnsafeBufferPointer { xp in
                kernel.data.withUnsafeBufferPointer { kp in
                    b.withUnsafeBufferPointer { bp in
                        y.withUnsafeMutableElements { yp in
                            singleChannelForward(
                                xp.baseAddress!, g, kernel: kp.baseAddress!, bias: bias == nil ? nil : bp.baseAddress!,
                                oc: OC, y: yp.baseAddress!, workspace: workspace)
                        }
                    }
                }
            }
            return
        }
        let rows = g.n * g.outputPixels
        y.withUnsafeMutableElements { yp in
            let yb = yp.baseAddress!
            if let bias = bias {
                precondition(bias.count == OC)
                bias.data.withUnsafeBufferPointer { bp in
                    let b = bp.baseAddress!
                    Parallel.forChunks(rows, chunk: max(1, Chunk.elements / OC)) { _, r in
                        for row in r { (yb + row * OC).update(from: b, count: OC) }
                    }
                }
            }
            let beta: Float = bias == nil ? 0 : 1
            x.data.withUnsafeBufferPointer { xp in
                kernel.data.withUnsafeBufferPointer { kp in
                    if isPointwise(g) {
                        // M = N·H·W, N = OC, K = C
                        sgemm(
                            m: rows, n: OC, k: g.c, a: xp.baseAddress!, lda: g.c,
                            b: kp.baseAddress!, ldb: OC, beta: beta, c: yb, ldc: OC)
                        return
                    }
                    fusedRows(xp.baseAddress!, g, kernel: kp.baseAddress!, oc: OC, beta: beta, y: yb, workspace: workspace)
                }
            }
        }
    }

    /// Rows a fused block aims for: `targetBlockRows`, or more for a short patch (`targetBlockFloats`).
    static func targetRows(_ g: ConvGeometry) -> Int {
        max(Engine.options.targetBlockRows, Engine.options.targetBlockFloats / max(1, g.patch))
    }

    /// Rows of im2col per fused block: the rows split into an even number of equal blocks
    /// (multiples of 8 rows) of about `targetRows(g)`, so two cores finish together. Fixed by
    /// the shape alone, never by the thread count.
    static func blockRows(_ g: ConvGeometry) -> Int {
        let rows = g.n * g.outputPixels
        let target = targetRows(g)
        var blocks = max(1, (rows + target / 2) / target)
        if blocks > 1 && blocks % 2 == 1 { blocks += 1 }
        return max(8, ((rows + blocks - 1) / blocks + 7) / 8 * 8)
    }

    /// `y[rows, OC] = beta·y + im2col(x)[rows, :] · kernel` computed in fixed blocks of rows:
    /// each worker takes the next unclaimed block, fills its columns into the worker's own slice
    /// of the workspace (cache-warm) and multiplies it at once (single-threaded GEMM). Rows are
    /// independent and every block is computed the same way whichever worker takes it, so the
    /// result does not depend on the number of workers or on the scheduling. A non-identity
    /// `epilogue` (inference) is applied to each block right after its product.
    static func fusedRows(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, kernel: UnsafePointer<Float>, oc OC: Int,
        beta: Float, y: UnsafeMutablePointer<Float>, workspace: Workspace,
        epilogue: ConvEpilogue = ConvEpilogue()
    ) {
        Parallel.blasSingleThreaded
        let rows = g.n * g.outputPixels
        let per = blockRows(g)
        let nBlocks = (rows + per - 1) / per
        let small = rows * g.patch * OC < 4 * Engine.options.minimumParallelWork  // multiply-adds
        let workers = small ? 1 : max(1, min(Parallel.threads, nBlocks))
        let buffer = workspace.buffer(workers * per * g.patch, slot: 1)
        // Blocks are claimed dynamically, so a core slowed by other work does not hold up the rest.
        let next = Atomic<Int>(0)
        let work = { (w: Int) in
            let cols = buffer + w * per * g.patch
            while true {
                let b = next.add(1, ordering: .relaxed).oldValue
                if b >= nBlocks { break }
                let r0 = b * per, r1 = min(rows, r0 + per)
                Im2Col.fillRows(x, g, rows: r0..<r1, cols)
                // M = rows in block, N = OC, K = KH·KW·C
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(r1 - r0), Int32(OC), Int32(g.patch), 1,
                    cols, Int32(g.patch), kernel, Int32(OC), beta, y + r0 * OC, Int32(OC))
                epilogue.apply(y, rows: r0..<r1, oc: OC)
            }
        }
        Parallel.run(workers: workers, work)
    }

    /// The kernel `[KH, KW, C, OC]` rotated by 180° with C and OC swapped: `[KH, KW, OC, C]`.
    static func flippedTransposed(_ k: UnsafePointer<Float>, _ g: ConvGeometry, oc OC: Int, into out: UnsafeMutablePointer<Float>) {
        let KH = g.h.kernel, KW = g.w.kernel, C = g.c
        for a in 0..<KH {
            for b in 0..<KW {
                for c in 0..<C {
                    for o in 0..<OC {
                        out[(((KH - 1 - a) * KW + (KW - 1 - b)) * OC + o) * C + c] = k[((a * KW + b) * C + c) * OC + o]
                    }
                }
            }
        }
    }

    /// Convenience forward that allocates the output.
    public static func forward(
        _ x: Tensor, kernel: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
        padding: Padding, workspace: Workspace = Workspace()
    ) -> Tensor {
        let g = ConvGeometry(input: x.shape, kernel: (kernel.shape[0], kernel.shape[1]), stride: stride, padding: padding)
        var y = Tensor.zeros([0])
        forward(x, kernel: kernel, bias: bias, geometry: g, workspace: workspace, into: &y)
        return y
    }

    // MARK: - Backward

    /// Given `dy [N, OH, OW, OC]`: accumulates `dKernel += colsᵀ·dy`, `dBias += Σ dy`, and, if
    /// `dx` is non-nil, overwrites it with `col2im(dy·kernelᵀ)` (`[N, H, W, C]`).
    public static func backward(
        _ dy: Tensor, x: Tensor, kernel: Tensor, geometry g: ConvGeometry,
        workspace: Workspace, dKernel: inout Tensor, dBias: inout Tensor?,
        dx: inout Tensor?
    ) {
        let OC = kernel.shape[3]
        precondition(dy.shape == Shape([g.n, g.h.output, g.w.output, OC]), "dy \(dy.shape) ≠ geometry")
        precondition(dKernel.shape == kernel.shape)
        let rows = g.n * g.outputPixels
        if dx != nil { dx!.resize(to: Shape([g.n, g.h.input, g.w.input, g.c])) }
        if usesDirect(g) && dx == nil {
            let hasBias = dBias != nil
            var db = hasBias ? dBias!.take() : Tensor.zeros([0])  // moved out: written in place, not copied
            dy.data.withUnsafeBufferPointer { dyp in
                x.data.withUnsafeBufferPointer { xp in
                    dKernel.withUnsafeMutableElements { dkp in
                        db.withUnsafeMutableElements { dbp in
                            singleChannelBackward(
                                dyp.baseAddress!, x: xp.baseAddress!, g, oc: OC, dk: dkp.baseAddress!,
                                dBias: hasBias ? dbp.baseAddress! : nil, workspace: workspace)
                        }
                    }
                }
            }
            if hasBias { dBias = db }
            return
        }
        if let blocks = backwardBlocks(g, oc: OC) {
            let hasBias = dBias != nil
            var db = hasBias ? dBias!.take() : Tensor.zeros([0])  // moved out: written in place, not copied
            dy.data.withUnsafeBufferPointer { dyp in
                x.data.withUnsafeBufferPointer { xp in
                    kernel.data.withUnsafeBufferPointer { kp in
                        dKernel.withUnsafeMutableElements { dkp in
                            db.withUnsafeMutableElements { dbp in
                                if dx != nil {
                                    dx!.withUnsafeMutableElements { dxp in
                                        blockedBackward(
                                            dy: dyp.baseAddress!, x: xp.baseAddress!, kernel: kp.baseAddress!, g, oc: OC,
                                            blocks: blocks, dk: dkp.baseAddress!,
                                            dBias: hasBias ? dbp.baseAddress! : nil,
                                            dx: dxp.baseAddress!, workspace: workspace)
                                    }
                                } else {
                                    blockedBackward(
                                        dy: dyp.baseAddress!, x: xp.baseAddress!, kernel: kp.baseAddress!, g, oc: OC,
                                        blocks: blocks, dk: dkp.baseAddress!,
                                        dBias: hasBias ? dbp.baseAddress! : nil, dx: nil, workspace: workspace)
                                }
                            }
                        }
                    }
                }
            }
            if hasBias { dBias = db }
            return
        }
        // forward: y = b + cols · k   ⇒   db = Σ_rows dy
        if dBias != nil {
            let sums = dy.data.withUnsafeBufferPointer { dp in
                let d = dp.baseAddress!
                return Parallel.columnSums(rows: rows, cols: OC) { r, acc in
                    let row = d + r * OC
                    for c in 0..<OC { acc[c] += Double(row[c]) }
                }
            }
            for c in 0..<OC { dBias!.data[c] += Float(sums[c]) }
        }
        dy.data.withUnsafeBufferPointer { dyp in
            x.data.withUnsafeBufferPointer { xp in
                kernel.data.withUnsafeBufferPointer { kp in
                    dKernel.withUnsafeMutableElements { dkp in
                        let dyb = dyp.baseAddress!, xb = xp.baseAddress!, kb = kp.baseAddress!, dkb = dkp.baseAddress!
                        if isPointwise(g) {
                            // forward: y = x · k   ⇒   dk += xᵀ · dy   (M = C, N = OC, K = N·H·W)
                            sgemm(
                                transA: true, m: g.c, n: OC, k: rows, a: xb, lda: g.c, b: dyb, ldb: OC,
                                beta: 1, c: dkb, ldc: OC)
                            if dx != nil {
                                dx!.withUnsafeMutableElements { dxp in
                                    // dx = dy · kᵀ   (M = N·H·W, N = C, K = OC)
                                    sgemm(
                                        transB: true, m: rows, n: g.c, k: OC, a: dyb, lda: OC, b: kb, ldb: OC,
                                        beta: 0, c: dxp.baseAddress!, ldc: g.c)
                                }
                            }
                            return
                        }
                        let per = imagesPerBlock(g)
                        let blockRows = per * g.outputPixels
                        let transposed = g.h.stride == 1 && g.w.stride == 1
                        let cols = workspace.buffer((transposed ? 1 : 2) * blockRows * g.patch)
                        let dcols = cols + blockRows * g.patch
                        var n0 = 0
                        if transposed, dx != nil {
                            // Stride 1: dx is a convolution of dy with the flipped, transposed kernel,
                            // dx[i] = Σ_a dy[i + padTop - a]·k[a] = Σ_a' dy[i + a' - (KH-1-padTop)]·k[KH-1-a'],
                            // run through the fused im2col + GEMM path (no col2im).
                            let flipped = workspace.buffer(g.patch * OC, slot: 2)
                            flippedTransposed(kb, g, oc: OC, into: flipped)
                            let gt = g.transposed(outputChannels: OC)
                            dx!.withUnsafeMutableElements { dxp in
                                fusedRows(dyb, gt, kernel: flipped, oc: g.c, beta: 0, y: dxp.baseAddress!, workspace: workspace)
                            }
                        }
                        while n0 < g.n {
                            let nb = min(per, g.n - n0)
                            let m = nb * g.outputPixels
                            let dyBlock = dyb + n0 * g.outputPixels * OC
                            Im2Col.im2col(xb + n0 * g.inputPixels * g.c, nImages: nb, g, cols)
                            // forward: y = cols · k   ⇒   dk += colsᵀ · dy   (M = KH·KW·C, N = OC, K = nb·OH·OW)
                            sgemm(
                                transA: true, m: g.patch, n: OC, k: m, a: cols, lda: g.patch, b: dyBlock, ldb: OC,
                                beta: 1, c: dkb, ldc: OC)
                            if dx != nil && !transposed {
                                // dcols = dy · kᵀ   (M = nb·OH·OW, N = KH·KW·C, K = OC)
                                sgemm(
                                    transB: true, m: m, n: g.patch, k: OC, a: dyBlock, lda: OC, b: kb, ldb: OC,
                                    beta: 0, c: dcols, ldc: g.patch)
                                dx!.withUnsafeMutableElements { dxp in
                                    Im2Col.col2im(dcols, nImages: nb, g, dxp.baseAddress! + n0 * g.inputPixels * g.c)
                                }
                            }
                            n0 += nb
                        }
                    }
                }
            }
        }
    }
}
