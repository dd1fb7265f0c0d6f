/// Data-movement ops on NHWC tensors: zero padding, channel concatenation, nearest-neighbour
/// resize. Each is linear, so backward is the adjoint data movement.
public enum SpatialOp {
    // MARK: - Zero padding

    /// `x [N, H, W, C]` → `[N, top + H + bottom, left + W + right, C]`, zeros around.
    public static func zeroPadForward(_ x: Tensor, top: Int, bottom: Int, left: Int, right: Int) -> Tensor {
        var y = Tensor.zeros([0])
        zeroPadForward(x, top: top, bottom: bottom, left: left, right: right, into: &y)
        return y
    }

    /// `zeroPadForward` writing into `y` (storage reused when the size allows).
    public static func zeroPadForward(_ x: Tensor, top: Int, bottom: Int, left: Int, right: Int, into y: inout Tensor) {
        let N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3]
        let PH = H + top + bottom, PW = W + left + right
        y.resize(to: Shape([N, PH, PW, C]), zero: true)
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                let xb = xp.baseAddress!, yb = yp.baseAddress!
                Parallel.forChunks(N * H, chunk: max(1, Chunk.elements / max(1, W * C)), work: 2 * N * H * W * C) { _, r in
                    for line in r {
                        let n = line / H, h = line % H
                        (yb + ((n * PH + h + top) * PW + left) * C).update(from: xb + line * W * C, count: W * C)
                    }
                }
            }
        }
    }

    /// forward: copies `x` into the interior ⇒ `dx` is the interior of `dy`.
    public static func zeroPadBackward(_ dy: Tensor, top: Int, bottom: Int, left: Int, right: Int) -> Tensor {
        var dx = Tensor.zeros([0])
        zeroPadBackward(dy, top: top, bottom: bottom, left: left, right: right, into: &dx)
        return dx
    }

    /// `zeroPadBackward` writing into `dx` (storage reused when the size allows).
    public static func zeroPadBackward(_ dy: Tensor, top: Int, bottom: Int, left: Int, right: Int, into dx: inout Tensor) {
        let N = dy.shape[0], PH = dy.shape[1], PW = dy.shape[2], C = dy.shape[3]
        let H = PH - top - bottom, W = PW - left - right
        dx.resize(to: Shape([N, H, W, C]))
        dy.data.withUnsafeBufferPointer { dp in
            dx.withUnsafeMutableElements { xp in
                let db = dp.baseAddress!, xb = xp.baseAddress!
                Parallel.forChunks(N * H, chunk: max(1, Chunk.elements / max(1, W * C)), work: 2 * N * H * W * C) { _, r in
                    for line in r {
                        let n = line / H, h = line % H
                        (xb + line * W * C).update(from: db + ((n * PH + h + top) * PW + left) * C, count: W * C)
                    }
                }
            }
        }
    }

    // MARK: - Concatenation along channels

    /// `[N, H, W, C_i]` for each input → `[N, H, W, Σ C_i]` (any rank; the last axis is joined).
    public static func concatForward(_ xs: [Tensor]) -> Tensor {
        var y = Tensor.zeros([0])
        concatForward(xs, into: &y)
        return y
    }

    /// `concatForward` writing into `y` (storage reused when the size allows).
    public static func concatForward(_ xs: [Tensor], into y: inout Tensor) {
        let lead = Array(xs[0].shape.dims.dropLast())
        precondition(xs.allSatisfy { Array($0.shape.dims.dropLast()) == lead }, "concat: shapes \(xs.map { $0.shape })")
        let widths = xs.map { $0.shape.dims.last! }
        let total = widths.reduce(0, +)
        let rows = lead.reduce(1, *)
        y.resize(to: Shape(lead + [total]))
        y.withUnsafeMutableElements { yp in
            let yb = yp.baseAddress!
            var offset = 0
            for (x, w) in zip(xs, widths) {
                x.data.withUnsafeBufferPointer { xp in
                    let xb = xp.baseAddress!
                    let o = offset
                    Parallel.forChunks(rows, chunk: max(1, Chunk.elements / max(1, total)), work: 2 * rows * total) { _, r in
                        for row in r { (yb + row * total + o).update(from: xb + row * w, count: w) }
                    }
                }
                offset += w
            }
        }
    }

    /// forward: channel blocks copied side by side ⇒ each input's gradient is its block of `dy`.
    public static func concatBackward(_ dy: Tensor, widths: [Int]) -> [Tensor] {
        var parts = [Tensor]()
        concatBackward(dy, widths: widths, into: &parts)
        return parts
    }

    /// `concatBackward` writing into `parts` (one tensor per width; storage reused when the
    /// sizes allow).
    public static func concatBackward(_ dy: Tensor, widths: [Int], into parts: inout [Tensor]) {
        let lead = Array(dy.shape.dims.dropLast())
        let total = dy.shape.dims.last!
        let rows = lead.reduce(1, *)
        var offset = 0
        if parts.count != widths.count { parts = widths.map { _ in Tensor.zeros([0]) } }
        for (i, w) in widths.enumerated() {
            parts[i].resize(to: Shape(lead + [w]))
            let o = offset
            dy.data.withUnsafeBufferPointer { dp in
                parts[i].withUnsafeMutableElements { xp in
                    let db = dp.baseAddress!, xb = xp.baseAddress!
                    Parallel.forChunks(rows, chunk: max(1, Chunk.elements / max(1, total)), work: 2 * rows * total) { _, r in
                        for row in r { (xb + row * w).update(from: db + row * total + o, count: w) }
                    }
                }
            }
            offset += w
        }
    }

    // MARK: - Nearest-neighbour resize

    /// Source index of output `dst` when resizing `input` → `output` with TensorFlow's legacy
    /// nearest rule (`half_pixel_centers=False`, `align_corners=False`):
    /// `src = min(floor(dst · (Float(in)/Float(out))), in - 1)`, computed in Float as TF does.
    @inline(__always) public static func nearestSource(_ dst: Int, input: Int, output: Int) -> Int {
        let scale = Float(input) / Float(output)
        return min(Int((Float(dst) * scale).rounded(.down)), input - 1)
    }

    /// `x [N, H, W, C]` → `[N, OH, OW, C]` by nearest neighbour (the FPN's UpsampleLike, §2.3).
    public static func resizeNearestForward(_ x: Tensor, height OH: Int, width OW: Int) -> Tensor {
        var y = Tensor.zeros([0])
        resizeNearestForward(x, height: OH, width: OW, into: &y)
        return y
    }

    /// `resizeNearestForward` writing into `y` (storage reused when the size allows).
    public static func resizeNearestForward(_ x: Tensor, height OH: Int, width OW: Int, into y: inout Tensor) {
        let N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3]
        let srcH = (0..<OH).map { nearestSource($0, input: H, output: OH) }
        let srcW = (0..<OW).map { nearestSource($0, input: W, output: OW) }
        y.resize(to: Shape([N, OH, OW, C]))
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                let xb = xp.baseAddress!, yb = yp.baseAddress!
                Parallel.forChunks(N * OH, chunk: max(1, Chunk.elements / max(1, OW * C)), work: 2 * N * OH * OW * C) { _, r in
                    for line in r {
                        let n = line / OH, oh = line % OH
                        let src = xb + (n * H + srcH[oh]) * W * C
                        for ow in 0..<OW { (yb + (line * OW + ow) * C).update(from: src + srcW[ow] * C, count: C) }
                    }
                }
            }
        }
    }

    /// forward: `y[oh, ow] = x[srcH[oh], srcW[ow]]` ⇒ `dx[ih, iw] = Σ dy[oh, ow]` over the outputs
    /// that copy it. Parallel over images (serial within an image, fixed order).
    public static func resizeNearestBackward(_ dy: Tensor, inputShape: Shape) -> Tensor {
        var dx = Tensor.zeros([0])
        resizeNearestBackward(dy, inputShape: inputShape, into: &dx)
        return dx
    }

    /// `resizeNearestBackward` writing into `dx` (resized and zeroed; storage reused when the
    /// size allows).
    public static func resizeNearestBackward(_ dy: Tensor, inputShape: Shape, into dx: inout Tensor) {
        let N = inputShape[0], H = inputShape[1], W = inputShape[2], C = inputShape[3]
        let OH = dy.shape[1], OW = dy.shape[2]
        let srcH = (0..<OH).map { nearestSource($0, input: H, output: OH) }
        let srcW = (0..<OW).map { nearestSource($0, input: W, output: OW) }
        dx.resize(to: inputShape, zero: true)
        dy.data.withUnsafeBufferPointer { dp in
            dx.withUnsafeMutableElements { xp in
                let db = dp.baseAddress!, xb = xp.baseAddress!
                Parallel.forChunks(N, chunk: 1, work: 4 * dy.count) { _, r in
                    for n in r {
                        for oh in 0..<OH {
                            let dst = xb + (n * H + srcH[oh]) * W * C
                            for ow in 0..<OW {
                                let s = db + ((n * OH + oh) * OW + ow) * C, d = dst + srcW[ow] * C
                                for c in 0..<C { d[c] += s[c] }
                            }
                        }
                    }
                }
            }
        }
    }
}
