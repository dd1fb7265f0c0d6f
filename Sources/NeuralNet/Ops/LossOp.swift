#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dropout and the fused softmax + categorical cross-entropy loss.
public enum LossOp {
    // MARK: - Dropout

    /// Inverted dropout (Keras): in training each element is kept with probability `1 - rate`
    /// and scaled by `1/(1 - rate)`; `mask` receives the per-element multiplier (0 or the scale).
    /// The mask is drawn serially from `rng`, so it depends only on the seed.
    public static func dropoutForward(_ x: Tensor, rate: Double, rng: inout RNG, mask: inout [Float]) -> Tensor {
        var y = Tensor.zeros([0])
        dropoutForward(x, rate: rate, rng: &rng, mask: &mask, into: &y)
        return y
    }

    /// `dropoutForward` writing into `y` and `mask` (storage reused when the size allows).
    public static func dropoutForward(_ x: Tensor, rate: Double, rng: inout RNG, mask: inout [Float], into y: inout Tensor) {
        precondition(rate >= 0 && rate < 1)
        let scale = Float(1 / (1 - rate))
        if mask.count != x.count { mask = [Float](repeating: 0, count: x.count); BufferStatistics.created(x.count) }
        for i in 0..<x.count { mask[i] = rng.uniform() >= rate ? scale : 0 }
        y.resize(to: x.shape)
        for i in 0..<x.count { y.data[i] = x.data[i] * mask[i] }
    }

    /// forward: `y = x · mask` ⇒ `dx = dy · mask`.
    public static func dropoutBackward(_ dy: Tensor, mask: [Float]) -> Tensor {
        var dx = Tensor.zeros([0])
        dropoutBackward(dy, mask: mask, into: &dx)
        return dx
    }

    /// `dropoutBackward` writing into `dx` (storage reused when the size allows).
    public static func dropoutBackward(_ dy: Tensor, mask: [Float], into dx: inout Tensor) {
        dx.resize(to: dy.shape)
        for i in 0..<dy.count { dx.data[i] = dy.data[i] * mask[i] }
    }

    // MARK: - Softmax + categorical cross-entropy

    /// Row-wise softmax of `logits [N, K]`, computed stably (max subtracted, Double sums).
    public static func softmax(_ logits: Tensor) -> Tensor {
        let N = logits.shape[0], K = logits.shape[1]
        var p = logits
        for n in 0..<N {
            var m = -Float.infinity
            for k in 0..<K { m = max(m, logits.data[n * K + k]) }
            var s = 0.0
            for k in 0..<K { s += exp(Double(logits.data[n * K + k] - m)) }
            for k in 0..<K { p.data[n * K + k] = Float(exp(Double(logits.data[n * K + k] - m)) / s) }
        }
        return p
    }

    /// Mean over the batch of `-Σ_k labels[n, k] · log softmax(logits)[n, k]` (Keras
    /// `categorical_crossentropy`, reduction "sum over batch size") and its gradient with
    /// respect to the logits, `(softmax - labels) / N`. `labels [N, K]` are one-hot or soft.
    /// Uses log-sum-exp, so it never overflows (Keras clips probabilities at 1e-7 instead; the
    /// two agree unless a probability falls below 1e-7).
    public static func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> (loss: Double, dLogits: Tensor) {
        precondition(logits.shape == labels.shape && logits.shape.rank == 2, "logits \(logits.shape) vs labels \(labels.shape)")
        let N = logits.shape[0], K = logits.shape[1]
        var grad = Tensor(shape: logits.shape)
        var total = 0.0
        for n in 0..<N {
            var m = -Double.infinity
            for k in 0..<K { m = max(m, Double(logits.data[n * K + k])) }
            var s = 0.0
            for k in 0..<K { s += exp(Double(logits.data[n * K + k]) - m) }
            let lse = m + log(s)
            var labelSum = 0.0
            for k in 0..<K {
                let z = Double(logits.data[n * K + k]), y = Double(labels.data[n * K + k])
                total -= y * (z - lse)
                labelSum += y
            }
            for k in 0..<K {
                let z = Double(logits.data[n * K + k]), y = Double(labels.data[n * K + k])
                // loss_n = -Σ y_k (z_k - lse) ⇒ ∂/∂z_k = p_k·Σy - y_k
                grad.data[n * K + k] = Float((exp(z - lse) * labelSum - y) / Double(N))
            }
        }
        return (total / Double(N), grad)
    }
}
