/// Batch normalisation over the last axis of an NHWC (or `[N, C]`) tensor, viewed as `[R, C]`
/// with `R = N·H·W` rows.
///
/// Training: `mean`, `var` are the batch statistics over rows (biased variance, as Keras 3's
/// `ops.moments`), and the moving statistics are updated
/// `moving = moving·momentum + batch·(1 - momentum)`. Inference: the moving statistics are used.
/// `y = gamma·(x - mean)/sqrt(var + epsilon) + beta`. Statistics are accumulated in fixed row
/// chunks (Float within runs of 64 rows, Double across runs and chunks; deterministic for any
/// thread count).
public enum BatchNormOp {
    /// What the backward pass needs from the forward pass: per-channel mean and 1/sqrt(var+eps).
    public struct Cache: Sendable {
        public var mean: [Float] = []
        public var invStd: [Float] = []
        public init() {}
    }

    static let rowChunk = 512

    /// Forward. `training` selects batch vs moving statistics; in training the moving
    /// statistics are updated in place. With `relu`, `y = max(BN(x), 0)` in the same pass
    /// (a batch normalisation whose only consumer is a ReLU; `backward` then takes that `y`).
    public static func forward(
        _ x: Tensor, gamma: Tensor, beta: Tensor,
        movingMean: inout Tensor, movingVariance: inout Tensor,
        momentum: Float, epsilon: Float, training: Bool, relu: Bool = false,
        cache: inout Cache, into y: inout Tensor
    ) {
        let C = x.shape.dims.last!
        let R = x.count / C
        precondition(gamma.count == C && beta.count == C && movingMean.count == C && movingVariance.count == C)
        var mean = [Float](repeating: 0, count: C)
        var invStd = [Float](repeating: 0, count: C)
        if training {
            // Two passes (mean, then the mean squared deviation), as Keras's `ops.moments`.
            let m = x.data.withUnsafeBufferPointer { xp in
                channelSums(rows: R, cols: C) { r0, r1, facc in
                    sumRows(xp.baseAddress!, r0, r1, C, facc)
                }
            }.map { $0 / Double(max(R, 1)) }
            let mf = m.map { Float($0) }
            let v = x.data.withUnsafeBufferPointer { xp in
                mf.withUnsafeBufferPointer { mp in
                    channelSums(rows: R, cols: C) { r0, r1, facc in
                        sumSquaredDeviations(xp.baseAddress!, mp.baseAddress!, r0, r1, C, facc)
                    }
                }
            }.map { $0 / Double(max(R, 1)) }
            for c in 0..<C {
                mean[c] = mf[c]
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
        if relu {
            affineReLU(x, scale: scale, shift: shift, into: &y)
            return
        }
        y.resize(to: x.shape)
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableElements { yp in
                scale.withUnsafeBufferPointer { sp in
                    shift.withUnsafeBufferPointer { hp in
                        let xb = xp.baseAddress!, yb = yp.baseAddress!, s = sp.baseAddress!, h = hp.baseAddress!
                        Parallel.forChunks(R, chunk: rowChunk, work: 2 * R * C) { _, rows in
                            for r in rows {
                                let xr = xb + r * C, yr = yb + r * C
                                var c = 0
                                while c + 8 <= C {
                                    storeVector(loadVector(xr + c) * loadVector(s + c) + loadVector(h + c), yr + c)
                                    c += 8
                                }
                                while c < C { yr[c] = xr[c] * s[c] + h[c]; c += 1 }
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
    public static func backward(
        _ dy: Tensor, x: Tensor, gamma: Tensor, cache: Cache, training: Bool,
        dGamma: inout Tensor, dBeta: inout Tensor, needDx: Bool = true
    ) -> Tensor? {
        var dx: Tensor? = needDx ? Tensor.zeros([0]) : nil
        backward(dy, x: x, gamma: gamma, cache: cache, training: training, dGamma: &dGamma, dBeta: &dBeta, dx: &dx)
        return dx
    }

    /// `backward` that, if `dx` is non-nil, overwrites it with the input gradient (resized; its
    /// storage is reused when the size allows). With `reluOutput` (the `y` of a forward with
    /// `relu`), `dy` is the gradient of `max(BN(x), 0)` and is first masked by `y > 0`.
    public static func backward(
        _ dy: Tensor, x: Tensor, gamma: Tensor, cache: Cache, training: Bool,
        reluOutput: Tensor? = nil,
        dGamma: inout Tensor, dBeta: inout Tensor, dx: inout Tensor?
    ) {
        let C = x.shape.dims.last!
        let R = x.count / C
        precondition(dy.shape == x.shape, "dy \(dy.shape) ≠ x \(x.shape)")
        if let reluOutput { precondition(reluOutput.shape == x.shape) }
        let mean = cache.mean, invStd = cache.invStd
        let mask = reluOutput?.data ?? []
        // forward (relu): out = max(y, 0)   ⇒   dy' = dy·[out > 0] (the subgradient at 0 is 0)
        let both = x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dp in
                mask.withUnsafeBufferPointer { yp in
                    mean.withUnsafeBufferPointer { mp in
                        invStd.withUnsafeBufferPointer { ip in
                            channelSums(rows: R, cols: 2 * C) { r0, r1, facc in
                                sumGradientTerms(
                                    xp.baseAddress!, dp.baseAddress!, reluOutput == nil ? nil : yp.baseAddress!,
                                    mp.baseAddress!, ip.baseAddress!, r0, r1, C, facc)
                            }
                        }
                    }
                }
            }
        }
        let sumDy = Array(both[0..<C]), sumDyXhat = Array(both[C...])
        for c in 0..<C {
            dBeta.data[c] += Float(sumDy[c])
            dGamma.data[c] += Float(sumDyXhat[c])
        }
        guard dx != nil else { return }
        // forward: yr[c] = xr[c] * s[c] + h[c], with s, h functions of the batch mean/var in training
        // dx = a·dy' + b + k·xhat,  xhat = (x - mean)·invStd
        var a = [Float](repeating: 0, count: C), b = [Float](repeating: 0, count: C), k = [Float](repeating: 0, count: C)
        for c in 0..<C {
            let g = gamma.data[c] * invStd[c]
            a[c] = g
            if training {
                // dx = g·dy - g/R·Σdy - g/R·xhat·Σ(dy·xhat)
                b[c] = Float(-Double(g) * sumDy[c] / Double(R))
                k[c] = Float(-Double(g) * sumDyXhat[c] / Double(R))
            }
        }
        // Per-channel coefficients side by side: a, b, k, mean, invStd.
        let coefficients = a + b + k + mean + invStd
        dx!.resize(to: x.shape)
        x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dp in
                mask.withUnsafeBufferPointer { yp in
                    coefficients.withUnsafeBufferPointer { cp in
                        dx!.withUnsafeMutableElements { op in
                            let xb = xp.baseAddress!, db = dp.baseAddress!, ob = op.baseAddress!
                            let yb: UnsafePointer<Float>? = reluOutput == nil ? nil : yp.baseAddress!
                            let a = cp.baseAddress!, b = a + C, k = a + 2 * C, m = a + 3 * C, inv = a + 4 * C
                            Parallel.forChunks(R, chunk: rowChunk, work: 3 * R * C) { _, rows in
                                for r in rows {
                                    let xr = xb + r * C, dr = db + r * C, orow = ob + r * C
                                    var c = 0
                                    while c + 8 <= C {
                                        var d = loadVector(dr + c)
                                        if let yb { d.replace(with: 0, where: loadVector(yb + r * C + c) .<= 0) }
                                        let xhat = (loadVector(xr + c) - loadVector(m + c)) * loadVector(inv + c)
                                        storeVector(loadVector(a + c) * d + loadVector(b + c) + loadVector(k + c) * xhat, orow + c)
                                        c += 8
                                    }
                                    while c < C {
                                        var d = dr[c]
                                        if let yb, yb[r * C + c] <= 0 { d = 0 }
                                        let xhat = (xr[c] - m[c]) * inv[c]
                                        orow[c] = a[c] * d + b[c] + k[c] * xhat
                                        c += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Per-channel sums

    /// Rows summed in Float before the running Float sums are added into the chunk's Double sums.
    static let floatRun = 64

    /// Per-channel sums over `rows` rows: one Double partial per fixed chunk of `rowChunk` rows
    /// (within a chunk, runs of `floatRun` rows are summed in Float, 8 channels at a time), the
    /// partials added in chunk order, so the result does not depend on the thread count.
    /// `accumulate(r0, r1, facc)` adds the terms of rows `r0..<r1` into `facc` (`cols` floats).
    static func channelSums(
        rows R: Int, cols: Int,
        _ accumulate: (Int, Int, UnsafeMutablePointer<Float>) -> Void
    ) -> [Double] {
        let nChunks = max(Parallel.chunkCount(R, chunk: rowChunk), 1)
        var partials = [Double](repeating: 0, count: nChunks * cols)
        partials.withUnsafeMutableBufferPointer { pp in
            let base = pp.baseAddress!
            Parallel.forChunks(R, chunk: rowChunk, work: R * cols) { ci, range in
                let dacc = base + ci * cols
                withUnsafeTemporaryAllocation(of: Float.self, capacity: cols) { fp in
                    let facc = fp.baseAddress!
                    var r0 = range.lowerBound
                    while r0 < range.upperBound {
                        let r1 = min(r0 + floatRun, range.upperBound)
                        facc.update(repeating: 0, count: cols)
                        accumulate(r0, r1, facc)
                        for c in 0..<cols { dacc[c] += Double(facc[c]) }
                        r0 = r1
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: cols)
        for ci in 0..<nChunks { for c in 0..<cols { total[c] += partials[ci * cols + c] } }
        return total
    }

    /// `facc[c] += Σ_{r0 ≤ r < r1} x[r, c]`.
    @inline(__always)
    static func sumRows(_ x: UnsafePointer<Float>, _ r0: Int, _ r1: Int, _ C: Int, _ facc: UnsafeMutablePointer<Float>) {
        for r in r0..<r1 {
            let xr = x + r * C
            var c = 0
            while c + 8 <= C { storeVector(loadVector(facc + c) + loadVector(xr + c), facc + c); c += 8 }
            while c < C { facc[c] += xr[c]; c += 1 }
        }
    }

    /// `facc[c] += Σ_r (x[r, c] - mean[c])²`.
    @inline(__always)
    static func sumSquaredDeviations(
        _ x: UnsafePointer<Float>, _ mean: UnsafePointer<Float>, _ r0: Int, _ r1: Int, _ C: Int,
        _ facc: UnsafeMutablePointer<Float>
    ) {
        for r in r0..<r1 {
            let xr = x + r * C
            var c = 0
            while c + 8 <= C {
                let d = loadVector(xr + c) - loadVector(mean + c)
                storeVector(loadVector(facc + c) + d * d, facc + c)
                c += 8
            }
            while c < C { let d = xr[c] - mean[c]; facc[c] += d * d; c += 1 }
        }
    }

    /// `facc[c] += Σ_r dy'[r, c]`, `facc[C + c] += Σ_r dy'[r, c]·xhat[r, c]`, with
    /// `xhat = (x - mean)·invStd` and `dy' = dy·[y > 0]` when `y` is given (else `dy`).
    @inline(__always)
    static func sumGradientTerms(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>?,
        _ mean: UnsafePointer<Float>, _ invStd: UnsafePointer<Float>,
        _ r0: Int, _ r1: Int, _ C: Int, _ facc: UnsafeMutablePointer<Float>
    ) {
        for r in r0..<r1 {
            let xr = x + r * C, dr = dy + r * C
            var c = 0
            while c + 8 <= C {
                var d = loadVector(dr + c)
                if let y { d.replace(with: 0, where: loadVector(y + r * C + c) .<= 0) }
                let xhat = (loadVector(xr + c) - loadVector(mean + c)) * loadVector(invStd + c)
                storeVector(loadVector(facc + c) + d, facc + c)
                storeVector(loadVector(facc + C + c) + d * xhat, facc + C + c)
                c += 8
            }
            while c < C {
                var d = dr[c]
                if let y, y[r * C + c] <= 0 { d = 0 }
                facc[c] += d
                facc[C + c] += d * ((xr[c] - mean[c]) * invStd[c])
                c += 1
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
                        Parallel.forChunks(R, chunk: max(1, Chunk.elements / C), work: 2 * R * C) { _, rows in
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
