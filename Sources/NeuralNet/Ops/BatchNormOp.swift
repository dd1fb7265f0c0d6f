/// Batch normalisation over the last axis of an NHWC (or `[N, C]`) tensor, viewed as `[R, C]`
/// with `R = N·H·W` rows.
///
/// Training: `mean`, `var` are the batch statistics over rows (biased variance, as Keras 3's
/// `ops.moments`), and the moving statistics are updated
/// `moving = moving·momentum + batch·(1 - momentum)`. Inference: the moving statistics are used.
/// `y = gamma·(x - mean)/sqrt(var + epsilon) + beta`. Statistics are accumulated in Double with
/// fixed row chunks (deterministic for any thread count).
public enum BatchNormOp {
    /// What the backward pass needs from the forward pass: per-channel mean and 1/sqrt(var+eps).
    public struct Cache: Sendable {
        public var mean: [Float] = []
        public var invStd: [Float] = []
        public init() {}
    }

    static let rowChunk = 512

    /// Forward. `training` selects batch vs moving statistics; in training the moving
    /// statistics are updated in place.
    public static func forward(_ x: Tensor, gamma: Tensor, beta: Tensor,
                               movingMean: inout Tensor, movingVariance: inout Tensor,
                               momentum: Float, epsilon: Float, training: Bool,
                               cache: inout Cache, into y: inout Tensor) {
        let C = x.shape.dims.last!
        let R = x.count / C
        precondition(gamma.count == C && beta.count == C && movingMean.count == C && movingVariance.count == C)
        var mean = [Float](repeating: 0, count: C)
        var invStd = [Float](repeating: 0, count: C)
        if training {
            let (m, v) = x.data.withUnsafeBufferPointer { xp -> ([Double], [Double]) in
                let xb = xp.baseAddress!
                let sums = Parallel.columnSums(rows: R, cols: C, chunk: rowChunk) { r, acc in
                    let row = xb + r * C
                    for c in 0..<C { acc[c] += Double(row[c]) }
                }
                let m = sums.map { $0 / Double(max(R, 1)) }
                let sq = m.withUnsafeBufferPointer { mp in
                    let mb = mp.baseAddress!
                    return Parallel.columnSums(rows: R, cols: C, chunk: rowChunk) { r, acc in
                        let row = xb + r * C
                        for c in 0..<C { let d = Double(row[c]) - mb[c]; acc[c] += d * d }
                    }
                }
                return (m, sq.map { $0 / Double(max(R, 1)) })
            }
            for c in 0..<C {
                mean[c] = Float(m[c])
                invStd[c] = Float(1 / (v[c] + Double(epsilon)).squareRoot())
                movingMean.data[c] = movingMean.data[c] * momentum + Float(m[c]) * (1 - momentum)
                movingVariance.data[c] = movingVariance.data[c] * momentum + Float(v[c]) * (1 - momentum)
            }
        } else {
            for c in 0..<C {
                mean[c] = movingMean.data[c]
                invStd[c] = Float(1 / (Double(movingVariance.data[c]) + Double(epsilon)).squareRoot())
            }
        }
        cache.mean = mean
        cache.invStd = invStd
        // y = gamma·(x - mean)·invStd + beta  =  x·scale + shift
        var scale = [Float](repeating: 0, count: C), shift = [Float](repeating: 0, count: C)
        for c in 0..<C {
            scale[c] = gamma.data[c] * invStd[c]
            shift[c] = beta.data[c] - mean[c] * scale[c]
        }
        y.resize(to: x.shape)
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                scale.withUnsafeBufferPointer { sp in
                    shift.withUnsafeBufferPointer { hp in
                        let xb = xp.baseAddress!, yb = yp.baseAddress!, s = sp.baseAddress!, h = hp.baseAddress!
                        Parallel.forChunks(R, chunk: rowChunk) { _, rows in
                            for r in rows {
                                let xr = xb + r * C, yr = yb + r * C
                                for c in 0..<C { yr[c] = xr[c] * s[c] + h[c] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Backward. Accumulates `dGamma += Σ dy·xhat`, `dBeta += Σ dy`; returns `dx`.
    /// Training: `dx = gamma·invStd/R · (R·dy - Σdy - xhat·Σ(dy·xhat))`;
    /// inference (statistics are constants): `dx = gamma·invStd·dy`.
    public static func backward(_ dy: Tensor, x: Tensor, gamma: Tensor, cache: Cache, training: Bool,
                                dGamma: inout Tensor, dBeta: inout Tensor, needDx: Bool = true) -> Tensor? {
        var dx: Tensor? = needDx ? Tensor.zeros([0]) : nil
        backward(dy, x: x, gamma: gamma, cache: cache, training: training, dGamma: &dGamma, dBeta: &dBeta, dx: &dx)
        return dx
    }

    /// `backward` that, if `dx` is non-nil, overwrites it with the input gradient (resized; its
    /// storage is reused when the size allows).
    public static func backward(_ dy: Tensor, x: Tensor, gamma: Tensor, cache: Cache, training: Bool,
                                dGamma: inout Tensor, dBeta: inout Tensor, dx: inout Tensor?) {
        let C = x.shape.dims.last!
        let R = x.count / C
        let mean = cache.mean, invStd = cache.invStd
        let (sumDy, sumDyXhat) = x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dp -> ([Double], [Double]) in
                let xb = xp.baseAddress!, db = dp.baseAddress!
                let both = mean.withUnsafeBufferPointer { mp in
                    invStd.withUnsafeBufferPointer { ip in
                        let mb = mp.baseAddress!, ib = ip.baseAddress!
                        return Parallel.columnSums(rows: R, cols: 2 * C, chunk: rowChunk) { r, acc in
                            let xr = xb + r * C, dr = db + r * C
                            for c in 0..<C {
                                let d = Double(dr[c])
                                acc[c] += d
                                acc[C + c] += d * Double((xr[c] - mb[c]) * ib[c])
                            }
                        }
                    }
                }
                return (Array(both[0..<C]), Array(both[C...]))
            }
        }
        for c in 0..<C {
            dBeta.data[c] += Float(sumDy[c])
            dGamma.data[c] += Float(sumDyXhat[c])
        }
        guard dx != nil else { return }
        // forward: yr[c] = xr[c] * s[c] + h[c], with s, h functions of the batch mean/var in training
        var a = [Float](repeating: 0, count: C), b = [Float](repeating: 0, count: C), k = [Float](repeating: 0, count: C)
        for c in 0..<C {
            let g = gamma.data[c] * invStd[c]
            if training {
                // dx = g·dy - g/R·Σdy - g/R·xhat·Σ(dy·xhat)
                a[c] = g
                b[c] = Float(-Double(g) * sumDy[c] / Double(R))
                k[c] = Float(-Double(g) * sumDyXhat[c] / Double(R))
            } else {
                a[c] = g
            }
        }
        dx!.resize(to: x.shape)
        x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dp in
                dx!.withUnsafeMutableElements { op in
                    let xb = xp.baseAddress!, db = dp.baseAddress!, ob = op.baseAddress!
                    Parallel.forChunks(R, chunk: rowChunk) { _, rows in
                        for r in rows {
                            let xr = xb + r * C, dr = db + r * C, orow = ob + r * C
                            for c in 0..<C {
                                let xhat = (xr[c] - mean[c]) * invStd[c]
                                orow[c] = a[c] * dr[c] + b[c] + k[c] * xhat
                            }
                        }
                    }
                }
            }
        }
    }

    /// `y = max(x·scale[c] + shift[c], 0)` over the last axis, in one pass (inference BN + ReLU).
    static func affineReLU(_ x: Tensor, scale: [Float], shift: [Float], into y: inout Tensor) {
        let C = x.shape.dims.last!
        let R = x.count / C
        precondition(scale.count == C && shift.count == C)
        y.resize(to: x.shape)
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                scale.withUnsafeBufferPointer { sp in
                    shift.withUnsafeBufferPointer { hp in
                        let xb = xp.baseAddress!, yb = yp.baseAddress!, s = sp.baseAddress!, h = hp.baseAddress!
                        Parallel.forChunks(R, chunk: max(1, Chunk.elements / C)) { _, rows in
                            for r in rows {
                                let xr = xb + r * C, yr = yb + r * C
                                var c = 0
                                while c + 8 <= C {
                                    var v = loadVector(xr + c) * loadVector(s + c) + loadVector(h + c)
                                    v.replace(with: 0, where: v .<= 0)
                                    storeVector(v, yr + c)
                                    c += 8
                                }
                                while c < C { let v = xr[c] * s[c] + h[c]; yr[c] = v > 0 ? v : 0; c += 1 }
                            }
                        }
                    }
                }
            }
        }
    }
}
