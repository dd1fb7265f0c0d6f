/// im2col / col2im for NHWC convolution.
///
/// The column matrix of `nImages` images has shape `[nImages·OH·OW, KH·KW·C]`; row
/// `(n, oh, ow)` holds the receptive field in `(kh, kw, c)` order, which matches a kernel
/// `[KH, KW, C, OC]` read as a `[KH·KW·C, OC]` matrix. Padding reads as zero.
enum Im2Col {
    /// Output lines `(n, oh)` per parallel chunk, so a chunk moves ≈ 16K floats or more.
    static func linesPerChunk(_ g: ConvGeometry) -> Int { max(1, 16384 / max(1, g.w.output * g.patch)) }

    /// Fills `cols` (`[nImages·OH·OW, KH·KW·C]`) from `x` (`[nImages, H, W, C]`), in parallel.
    static func im2col(_ x: UnsafePointer<Float>, nImages: Int, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>) {
        let rowsPerChunk = linesPerChunk(g) * g.w.output
        Parallel.forChunks(nImages * g.outputPixels, chunk: rowsPerChunk, work: nImages * g.outputPixels * g.patch) { _, rows in
            fillRows(x, g, rows: rows, cols + rows.lowerBound * g.patch)
        }
    }

    /// Serially fills the im2col rows `rows` (global row index `(n·OH + oh)·OW + ow`) into
    /// `dst` (`[rows.count, KH·KW·C]`).
    static func fillRows(_ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, _ out: UnsafeMutablePointer<Float>) {
        let H = g.h.input, W = g.w.input, C = g.c
        let OW = g.w.output, KH = g.h.kernel, KW = g.w.kernel
        let perImage = g.outputPixels
        var dst = out
        for row in rows {
            let n = row / perImage, rem = row % perImage
            let oh = rem / OW, ow = rem % OW
            let xImage = x + n * H * W * C
            for kh in 0..<KH {
                let ih = g.h.source(oh, kh)
                if ih < 0 || ih >= H {
                    dst.update(repeating: 0, count: KW * C)
                    dst += KW * C
                    continue
                }
                let xRow = xImage + ih * W * C
                let iw0 = g.w.source(ow, 0)
                if iw0 >= 0 && iw0 + KW <= W {
                    // The whole kernel row is inside: one contiguous copy of KW·C floats.
                    dst.update(from: xRow + iw0 * C, count: KW * C)
                    dst += KW * C
                    continue
                }
                for kw in 0..<KW {
                    let iw = iw0 + kw
                    if iw < 0 || iw >= W {
                        dst.update(repeating: 0, count: C)
                    } else {
                        dst.update(from: xRow + iw * C, count: C)
                    }
                    dst += C
                }
            }
        }
    }

    /// The adjoint of `im2col`: `dx[n, ih, iw, c] = Σ dcols[(n, oh, ow), (kh, kw, c)]` over every
    /// window position that reads `(ih, iw)`. Written as a gather (each input pixel sums its
    /// contributions in a fixed order), so it is parallel and deterministic. Overwrites `dx`.
    static func col2im(_ cols: UnsafePointer<Float>, nImages: Int, _ g: ConvGeometry, _ dx: UnsafeMutablePointer<Float>) {
        let H = g.h.input, W = g.w.input, C = g.c
        let linesPerChunk = max(1, 16384 / max(1, W * C * g.h.kernel * g.w.kernel))
        Parallel.forChunks(nImages * H, chunk: linesPerChunk, work: nImages * g.outputPixels * g.patch) { _, lines in
            col2imLines(cols, g, lines: lines, dx)
        }
    }

    /// `col2im` of the input lines `lines` (global line index `n·H + ih`), serially; `cols` and
    /// `dx` start at the same image.
    static func col2imLines(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, lines: Range<Int>, _ dx: UnsafeMutablePointer<Float>) {
        let H = g.h.input, W = g.w.input, C = g.c
        let OW = g.w.output, KW = g.w.kernel, OH = g.h.output
        let patch = g.patch
        for line in lines {
            let n = line / H, ih = line % H
            let dxRow = dx + line * W * C
            dxRow.update(repeating: 0, count: W * C)
            guard let ohs = g.h.outputs(covering: ih) else { continue }
            for iw in 0..<W {
                guard let ows = g.w.outputs(covering: iw) else { continue }
                let d = dxRow + iw * C
                for oh in ohs {
                    let kh = ih + g.h.padBefore - oh * g.h.stride
                    let rowBase = (n * OH + oh) * OW
                    for ow in ows {
                        let kw = iw + g.w.padBefore - ow * g.w.stride
                        let s = cols + (rowBase + ow) * patch + (kh * KW + kw) * C
                        for c in 0..<C { d[c] += s[c] }
                    }
                }
            }
        }
    }
}
