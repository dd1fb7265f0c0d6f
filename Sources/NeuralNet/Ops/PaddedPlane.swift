/// An NHWC batch with a window's padding written out as zeros, so that direct convolution loops
/// read every tap without a bounds test: `plane[n, r, q, c] = x[n, r - padTop, q - padLeft, c]`
/// (zero outside), with `rows = (OH - 1)·strideH + KH` and `columns = (OW - 1)·strideW + KW`.
/// Output `(oh, ow)` at tap `(kh, kw)` reads `plane[n, oh·strideH + kh, ow·strideW + kw, ·]`.
struct PaddedPlane {
    let rows: Int, columns: Int, channels: Int

    init(_ g: ConvGeometry) {
        rows = (g.h.output - 1) * g.h.stride + g.h.kernel
        columns = (g.w.output - 1) * g.w.stride + g.w.kernel
        channels = g.c
    }

    /// Floats of one padded image, and of one padded row.
    var floats: Int { rows * rowFloats }
    var rowFloats: Int { columns * channels }

    /// Fills `plane` (`n · floats`) from `x [N, H, W, C]`, in parallel over images (a copy: the
    /// same for any thread count).
    func fill(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into plane: UnsafeMutablePointer<Float>) {
        let H = g.h.input, W = g.w.input, C = channels, top = g.h.padBefore, left = g.w.padBefore
        let rows = rows, rowFloats = rowFloats, floats = floats
        // Input columns copied into each plane row: q - left in 0..<W.
        let q0 = max(0, left), q1 = min(columns, W + left)
        Parallel.forChunks(g.n, chunk: 1, work: g.n * floats) { _, images in
            for n in images {
                let xImage = x + n * H * W * C
                for r in 0..<rows {
                    let dst = plane + n * floats + r * rowFloats
                    let ih = r - top
                    guard ih >= 0 && ih < H && q0 < q1 else {
                        dst.update(repeating: 0, count: rowFloats)
                        continue
                    }
                    if q0 > 0 { dst.update(repeating: 0, count: q0 * C) }
                    (dst + q0 * C).update(from: xImage + (ih * W + q0 - left) * C, count: (q1 - q0) * C)
                    if q1 < columns { (dst + q1 * C).update(repeating: 0, count: rowFloats - q1 * C) }
                }
            }
        }
    }

    /// Runs `body` with a padded copy of `x` in freshly allocated memory.
    static func with<T>(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ body: (PaddedPlane, UnsafePointer<Float>) -> T) -> T {
        let pad = PaddedPlane(g)
        let plane = UnsafeMutablePointer<Float>.allocate(capacity: max(1, g.n * pad.floats))
        defer { plane.deallocate() }
        pad.fill(x, g, into: plane)
        return body(pad, plane)
    }
}
