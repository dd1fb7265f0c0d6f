/// Nadam exactly as Keras 3 (`keras/src/optimizers/nadam.py`) defines it.
///
/// At step `t` (1-based), with `u_t = β1·(1 - 0.5·0.96^t)` and the cached product
/// `Π_t = u_1·…·u_t`:
/// ```
/// m = m + (g - m)(1 - β1);   v = v + (g² - v)(1 - β2)
/// m̂ = u_{t+1}·m / (1 - Π_t·u_{t+1}) + (1 - u_t)·g / (1 - Π_t)
/// v̂ = v / (1 - β2^t)
/// θ = θ - lr·m̂ / (sqrt(v̂) + ε)
/// ```
/// (Keras 2 and `tf.keras` 2.x legacy used `0.96^(0.004·t)` instead; `MomentumSchedule.legacy`
/// selects that variant.) Only trainable parameters are updated. Element updates are Float, the
/// step coefficients Double; the update is element-wise, so it is parallel and deterministic.
public final class Nadam {
    /// Which exponent the momentum schedule uses.
    public enum MomentumSchedule: Sendable { case keras3, legacy }

    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double
    public let schedule: MomentumSchedule
    /// Number of completed steps (Keras `iterations`).
    public private(set) var iterations: Int = 0
    /// Π u_1..u_t (Keras `_u_product`).
    public private(set) var uProduct: Double = 1
    /// First and second moments of one parameter, boxed so the update writes them in place.
    final class Moments {
        var m: Tensor, v: Tensor
        init(m: [Float], v: [Float]) { self.m = Tensor(shape: [m.count], data: m); self.v = Tensor(shape: [v.count], data: v) }
    }
    private var moments: [String: Moments] = [:]

    public init(
        learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-7,
        schedule: MomentumSchedule = .keras3
    ) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.schedule = schedule
    }

    /// `u_t` of the momentum schedule.
    public func momentumCache(_ t: Int) -> Double {
        let e = schedule == .keras3 ? Double(t) : 0.004 * Double(t)
        return beta1 * (1 - 0.5 * pow(0.96, e))
    }

    /// Applies one update to every trainable parameter from its `gradient`.
    public func step(_ parameters: [Parameter]) {
        let t = iterations + 1
        uProduct *= momentumCache(t)  // Keras: _u_product *= u_t, before update_step
        let uT = momentumCache(t), uNext = momentumCache(t + 1)
        let uProductNext = uProduct * uNext
        let b2Power = pow(beta2, Double(t))
        // θ -= lr·(cM·m + cG·g) / (sqrt(v/(1-β2^t)) + ε)
        let cM = Float(uNext / (1 - uProductNext)), cG = Float((1 - uT) / (1 - uProduct))
        let lr = Float(learningRate), b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        let invB2 = Float(1 / (1 - b2Power))
        for p in parameters where p.trainable {
            let state: Moments
            if let s = moments[p.name] {
                state = s
            } else {
                state = Moments(m: [Float](repeating: 0, count: p.value.count), v: [Float](repeating: 0, count: p.value.count))
                moments[p.name] = state
                BufferStatistics.created(p.value.count); BufferStatistics.created(p.value.count)
            }
            precondition(state.m.count == p.value.count, "Nadam: \(p.name) changed size")
            let count = p.value.count
            state.m.withUnsafeMutableElements { mp in
                state.v.withUnsafeMutableElements { vp in
                    p.value.withUnsafeMutableElements { wp in
                        p.gradient.data.withUnsafeBufferPointer { gp in
                            let m = mp.baseAddress!, v = vp.baseAddress!, w = wp.baseAddress!, g = gp.baseAddress!
                            Parallel.forChunks(count, chunk: Chunk.elements) { _, r in
                                Self.update(r, m: m, v: v, w: w, g: g, coefficients: (b1, b2, cM, cG, invB2, lr, eps))
                            }
                        }
                    }
                }
            }
        }
        iterations = t
    }

    /// The element update over `range`, eight lanes at a time (the same operations in the same
    /// order as the scalar tail, so each element's result does not depend on its lane):
    /// `m += (g - m)(1 - β1)`, `v += (g² - v)(1 - β2)`, `w -= lr·(cM·m + cG·g) / (sqrt(v·invB2) + ε)`.
    @inline(__always)
    static func update(
        _ range: Range<Int>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
        w: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
        coefficients k: (b1: Float, b2: Float, cM: Float, cG: Float, invB2: Float, lr: Float, eps: Float)
    ) {
        let oneMinusB1 = 1 - k.b1, oneMinusB2 = 1 - k.b2
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let gi = loadVector(g + i)
            var mi = loadVector(m + i), vi = loadVector(v + i)
            mi += (gi - mi) * oneMinusB1
            vi += (gi * gi - vi) * oneMinusB2
            let mHat = k.cM * mi + k.cG * gi
            let vHat = vi * k.invB2
            storeVector(mi, m + i); storeVector(vi, v + i)
            storeVector(loadVector(w + i) - k.lr * mHat / (vHat.squareRoot() + k.eps), w + i)
            i += 8
        }
        while i < range.upperBound {
            let gi = g[i]
            m[i] += (gi - m[i]) * oneMinusB1
            v[i] += (gi * gi - v[i]) * oneMinusB2
            let mHat = k.cM * m[i] + k.cG * gi
            let vHat = v[i] * k.invB2
            w[i] -= k.lr * mHat / (vHat.squareRoot() + k.eps)
            i += 1
        }
    }

    // MARK: - State (for resumable checkpoints)

    /// The optimizer's variables as named tensors: `optimizer/iterations`, `optimizer/u_product`,
    /// `<param>/momentum`, `<param>/velocity` (prefixed with `optimizer/`).
    public func state() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = [
            ("optimizer/iterations", Tensor(shape: [1], data: [Float(iterations)])),
            ("optimizer/u_product", Tensor(shape: [1], data: [Float(uProduct)]))
        ]
        for name in moments.keys.sorted() {
            let s = moments[name]!
            out.append(("optimizer/\(name)/momentum", s.m))
            out.append(("optimizer/\(name)/velocity", s.v))
        }
        return out
    }

    /// Restores `state()` output. `uProduct` is recomputed in Double from `iterations`.
    public func restore(_ tensors: [String: Tensor]) {
        iterations = Int(tensors["optimizer/iterations"]?.data[0] ?? 0)
        uProduct = 1
        if iterations > 0 { for t in 1...iterations { uProduct *= momentumCache(t) } }
        moments = [:]
        for (k, m) in tensors where k.hasPrefix("optimizer/") && k.hasSuffix("/momentum") {
            let name = String(k.dropFirst("optimizer/".count).dropLast("/momentum".count))
            if let v = tensors["optimizer/\(name)/velocity"] { moments[name] = Moments(m: m.data, v: v.data) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
