/// Element-wise kernels: ReLU and addition, parallel over fixed chunks.
public enum ElementwiseOp {
    /// `y = max(x, 0)`, any shape.
    public static func reluForward(_ x: Tensor, into y: inout Tensor) {
        y.resize(to: x.shape)
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                let xb = xp.baseAddress!, yb = yp.baseAddress!
                Parallel.forChunks(x.count, chunk: Chunk.elements, work: 2 * x.count) { _, r in
                    var i = r.lowerBound
                    while i + 8 <= r.upperBound {
                        let v = loadVector(xb + i)
                        storeVector(v.replacing(with: 0, where: v .<= 0), yb + i)
                        i += 8
                    }
                    while i < r.upperBound { yb[i] = xb[i] > 0 ? xb[i] : 0; i += 1 }
                }
            }
        }
    }

    /// forward: `y = max(x, 0)` ⇒ `dx = dy · [y > 0]` (the subgradient at 0 is 0, as TensorFlow).
    public static func reluBackward(_ dy: Tensor, output y: Tensor) -> Tensor {
        var dx = Tensor.zeros([0])
        reluBackward(dy, output: y, into: &dx)
        return dx
    }

    /// `reluBackward` writing into `dx` (resized, storage reused when the size allows).
    public static func reluBackward(_ dy: Tensor, output y: Tensor, into dx: inout Tensor) {
        precondition(dy.shape == y.shape)
        dx.resize(to: dy.shape)
        dy.data.withUnsafeBufferPointer { dp in
            y.data.withUnsafeBufferPointer { yp in
                dx.withUnsafeMutableElements { op in
                    let db = dp.baseAddress!, yb = yp.baseAddress!, ob = op.baseAddress!
                    Parallel.forChunks(dy.count, chunk: Chunk.elements, work: 3 * dy.count) { _, r in
                        var i = r.lowerBound
                        while i + 8 <= r.upperBound {
                            let d = loadVector(db + i)
                            storeVector(d.replacing(with: 0, where: loadVector(yb + i) .<= 0), ob + i)
                            i += 8
                        }
                        while i < r.upperBound { ob[i] = yb[i] > 0 ? db[i] : 0; i += 1 }
                    }
                }
            }
        }
    }

    /// `y = Σ inputs` (all of the same shape). Backward: every input receives `dy` unchanged.
    public static func addForward(_ xs: [Tensor], into y: inout Tensor) {
        precondition(!xs.isEmpty)
        let shape = xs[0].shape
        precondition(xs.allSatisfy { $0.shape == shape }, "add: shapes differ \(xs.map { $0.shape })")
        y.resize(to: shape)
        y.withUnsafeMutableElements { yp in
            let yb = yp.baseAddress!
            xs[0].data.withUnsafeBufferPointer { yb.update(from: $0.baseAddress!, count: shape.count) }
            for x in xs.dropFirst() {
                x.data.withUnsafeBufferPointer { xp in
                    let xb = xp.baseAddress!
                    Parallel.forChunks(shape.count, chunk: Chunk.elements, work: 2 * shape.count) { _, r in
                        var i = r.lowerBound
                        while i + 8 <= r.upperBound { storeVector(loadVector(yb + i) + loadVector(xb + i), yb + i); i += 8 }
                        while i < r.upperBound { yb[i] += xb[i]; i += 1 }
                    }
                }
            }
        }
    }

    /// `y = a + b` element-wise (resizes `y`; its storage is reused when the size allows).
    public static func sum(_ a: Tensor, _ b: Tensor, into y: inout Tensor) {
        precondition(a.shape == b.shape, "sum: \(a.shape) vs \(b.shape)")
        y.resize(to: a.shape)
        let count = a.count
        y.withUnsafeMutableElements { yp in
            a.data.withUnsafeBufferPointer { ap in
                b.data.withUnsafeBufferPointer { bp in
                    let yb = yp.baseAddress!, ab = ap.baseAddress!, bb = bp.baseAddress!
                    Parallel.forChunks(count, chunk: Chunk.elements, work: 3 * count) { _, r in
                        var i = r.lowerBound
                        while i + 8 <= r.upperBound { storeVector(loadVector(ab + i) + loadVector(bb + i), yb + i); i += 8 }
                        while i < r.upperBound { yb[i] = ab[i] + bb[i]; i += 1 }
                    }
                }
            }
        }
    }

    /// `a += b` element-wise (gradient accumulation), parallel.
    public static func accumulate(_ a: inout Tensor, _ b: Tensor) {
        precondition(a.shape == b.shape, "accumulate: \(a.shape) vs \(b.shape)")
        let count = a.count
        a.withUnsafeMutableElements { ap in
            b.data.withUnsafeBufferPointer { bp in
                let ab = ap.baseAddress!, bb = bp.baseAddress!
                Parallel.forChunks(count, chunk: Chunk.elements, work: 3 * count) { _, r in
                    var i = r.lowerBound
                    while i + 8 <= r.upperBound { storeVector(loadVector(ab + i) + loadVector(bb + i), ab + i); i += 8 }
                    while i < r.upperBound { ab[i] += bb[i]; i += 1 }
                }
            }
        }
    }
}

/// Eight floats from `p` (any alignment).
@inline(__always) func loadVector(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Stores eight floats at `p` (any alignment).
@inline(__always) func storeVector(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
