/// Fully connected layer: `x [N, C]`, `kernel [C, OC]`, `bias [OC]?` → `y = x·kernel + bias [N, OC]`.
public enum DenseOp {
    public static func forward(_ x: Tensor, kernel: Tensor, bias: Tensor?) -> Tensor {
        var y = Tensor.zeros([0])
        forward(x, kernel: kernel, bias: bias, into: &y)
        return y
    }

    /// `forward` writing into `y` (storage reused when the size allows).
    public static func forward(_ x: Tensor, kernel: Tensor, bias: Tensor?, into y: inout Tensor) {
        let N = x.shape[0], C = x.shape[1], OC = kernel.shape[1]
        precondition(kernel.shape[0] == C, "dense: input \(x.shape) vs kernel \(kernel.shape)")
        y.resize(to: Shape([N, OC]), zero: bias == nil)
        if let bias = bias { for n in 0..<N { for o in 0..<OC { y.data[n * OC + o] = bias.data[o] } } }
        x.data.withUnsafeBufferPointer { xp in
            kernel.data.withUnsafeBufferPointer { kp in
                y.withUnsafeMutableElements { yp in
                    // M = N, N = OC, K = C
                    sgemm(
                        m: N, n: OC, k: C, a: xp.baseAddress!, lda: C, b: kp.baseAddress!, ldb: OC,
                        beta: bias == nil ? 0 : 1, c: yp.baseAddress!, ldc: OC)
                }
            }
        }
    }

    /// forward: `y = x·k + b` ⇒ `dk += xᵀ·dy`, `db += Σ_n dy`, `dx = dy·kᵀ`.
    public static func backward(
        _ dy: Tensor, x: Tensor, kernel: Tensor, dKernel: inout Tensor,
        dBias: inout Tensor?, needDx: Bool
    ) -> Tensor? {
        var dx: Tensor? = needDx ? Tensor.zeros([0]) : nil
        backward(dy, x: x, kernel: kernel, dKernel: &dKernel, dBias: &dBias, dx: &dx)
        return dx
    }

    /// `backward` that, if `dx` is non-nil, overwrites it with `dy·kᵀ` (resized; storage reused
    /// when the size allows).
    public static func backward(
        _ dy: Tensor, x: Tensor, kernel: Tensor, dKernel: inout Tensor,
        dBias: inout Tensor?, dx: inout Tensor?
    ) {
        let N = x.shape[0], C = x.shape[1], OC = kernel.shape[1]
        if dBias != nil {
            for o in 0..<OC {
                var s = 0.0
                for n in 0..<N { s += Double(dy.data[n * OC + o]) }
                dBias!.data[o] += Float(s)
            }
        }
        dy.data.withUnsafeBufferPointer { dp in
            x.data.withUnsafeBufferPointer { xp in
                dKernel.withUnsafeMutableElements { kp in
                    // M = C, N = OC, K = N
                    sgemm(
                        transA: true, m: C, n: OC, k: N, a: xp.baseAddress!, lda: C, b: dp.baseAddress!, ldb: OC,
                        beta: 1, c: kp.baseAddress!, ldc: OC)
                }
            }
        }
        guard dx != nil else { return }
        dx!.resize(to: Shape([N, C]))
        dy.data.withUnsafeBufferPointer { dp in
            kernel.data.withUnsafeBufferPointer { kp in
                dx!.withUnsafeMutableElements { xp in
                    // M = N, N = C, K = OC
                    sgemm(
                        transB: true, m: N, n: C, k: OC, a: dp.baseAddress!, lda: OC, b: kp.baseAddress!, ldb: OC,
                        beta: 0, c: xp.baseAddress!, ldc: C)
                }
            }
        }
    }
}
