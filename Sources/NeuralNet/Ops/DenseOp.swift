/// Fully connected layer: `x [N, C]`, `kernel [C, OC]`, `bias [OC]?` → `y = x·kernel + bias [N, OC]`.
public enum DenseOp {
    public static func forward(_ x: Tensor, kernel: Tensor, bias: Tensor?) -> Tensor {
        let N = x.shape[0], C = x.shape[1], OC = kernel.shape[1]
        precondition(kernel.shape[0] == C, "dense: input \(x.shape) vs kernel \(kernel.shape)")
        var y = Tensor.zeros([N, OC])
        if let bias = bias { for n in 0..<N { for o in 0..<OC { y.data[n * OC + o] = bias.data[o] } } }
        x.data.withUnsafeBufferPointer { xp in
            kernel.data.withUnsafeBufferPointer { kp in
                y.data.withUnsafeMutableBufferPointer { yp in
                    // M = N, N = OC, K = C
                    sgemm(m: N, n: OC, k: C, a: xp.baseAddress!, lda: C, b: kp.baseAddress!, ldb: OC,
                          beta: bias == nil ? 0 : 1, c: yp.baseAddress!, ldc: OC)
                }
            }
        }
        return y
    }

    /// forward: `y = x·k + b` ⇒ `dk += xᵀ·dy`, `db += Σ_n dy`, `dx = dy·kᵀ`.
    public static func backward(_ dy: Tensor, x: Tensor, kernel: Tensor, dKernel: inout Tensor,
                                dBias: inout Tensor?, needDx: Bool) -> Tensor? {
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
                dKernel.data.withUnsafeMutableBufferPointer { kp in
                    // M = C, N = OC, K = N
                    sgemm(transA: true, m: C, n: OC, k: N, a: xp.baseAddress!, lda: C, b: dp.baseAddress!, ldb: OC,
                          beta: 1, c: kp.baseAddress!, ldc: OC)
                }
            }
        }
        guard needDx else { return nil }
        var dx = Tensor.zeros([N, C])
        dy.data.withUnsafeBufferPointer { dp in
            kernel.data.withUnsafeBufferPointer { kp in
                dx.data.withUnsafeMutableBufferPointer { xp in
                    // M = N, N = C, K = OC
                    sgemm(transB: true, m: N, n: C, k: OC, a: dp.baseAddress!, lda: OC, b: kp.baseAddress!, ldb: OC,
                          beta: 0, c: xp.baseAddress!, ldc: C)
                }
            }
        }
        return dx
    }
}
