import XCTest

@testable import NeuralNet

/// Asserts `actual ≈ expected` element-wise within `tol·max(1, max|expected|)`; prints the
/// largest difference on failure.
func assertClose(
    _ actual: [Float], _ expected: [Double], tol: Double = 1e-4, _ what: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(what): count", file: file, line: line)
    guard actual.count == expected.count else { return }
    let scale = max(1, expected.map(abs).max() ?? 0)
    var worst = 0.0, at = 0
    for i in 0..<actual.count {
        let d = abs(Double(actual[i]) - expected[i])
        if !(d <= worst) { worst = d; at = i }  // NaN-safe
    }
    XCTAssert(
        worst <= tol * scale,
        "\(what): largest difference \(worst) at \(at) (got \(actual.isEmpty ? 0 : actual[at]), expected \(expected.isEmpty ? 0 : expected[at])), tolerance \(tol * scale)",
        file: file, line: line)
}

/// Central finite differences in Double: `∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / 2h`.
func numericGradient(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var x = x
    return (0..<x.count).map { i in
        let v = x[i]
        x[i] = v + h; let fp = f(x)
        x[i] = v - h; let fm = f(x)
        x[i] = v
        return (fp - fm) / (2 * h)
    }
}

/// `Σ r_i · y_i`, the scalar whose gradient with respect to `y` is `r`.
func dot(_ r: [Double], _ y: [Double]) -> Double { zip(r, y).reduce(0) { $0 + $1.0 * $1.1 } }

extension Tensor {
    /// The elements in Double.
    var doubles: [Double] { data.map(Double.init) }
    /// A tensor from Double values.
    init(_ dims: [Int], _ values: [Double]) { self.init(shape: Shape(dims), data: values.map(Float.init)) }
}

/// Seeded uniform values in [-1, 1), rounded to Float so engine and reference see the same inputs.
func randomValues(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
    var rng = RNG(seed: seed)
    return (0..<count).map { _ in Double(Float(rng.uniform(-scale, scale))) }
}

// MARK: - Independent references in Double

/// TensorFlow's padding arithmetic, restated independently of the engine.
func referencePadding(_ size: Int, kernel: Int, stride: Int, same: Bool) -> (out: Int, before: Int) {
    if !same { return ((size - kernel) / stride + 1, 0) }
    let out = Int((Double(size) / Double(stride)).rounded(.up))
    let total = max((out - 1) * stride + kernel - size, 0)
    return (out, total / 2)
}

/// Naive NHWC convolution in Double; kernel `[KH, KW, C, OC]`.
func referenceConv(
    _ x: [Double], _ xs: [Int], _ k: [Double], _ ks: [Int], bias: [Double]?,
    stride: Int, same: Bool
) -> (y: [Double], shape: [Int]) {
    let (N, H, W, C) = (xs[0], xs[1], xs[2], xs[3])
    let (KH, KW, OC) = (ks[0], ks[1], ks[3])
    let (OH, pt) = referencePadding(H, kernel: KH, stride: stride, same: same)
    let (OW, pl) = referencePadding(W, kernel: KW, stride: stride, same: same)
    var y = [Double](repeating: 0, count: N * OH * OW * OC)
    for n in 0..<N {
        for oh in 0..<OH {
            for ow in 0..<OW {
                for oc in 0..<OC {
                    var s = bias?[oc] ?? 0
                    for kh in 0..<KH {
                        for kw in 0..<KW {
                            let ih = oh * stride + kh - pt, iw = ow * stride + kw - pl
                            if ih < 0 || ih >= H || iw < 0 || iw >= W { continue }
                            for c in 0..<C { s += x[((n * H + ih) * W + iw) * C + c] * k[((kh * KW + kw) * C + c) * OC + oc] }
                        }
                    }
                    y[((n * OH + oh) * OW + ow) * OC + oc] = s
                }
            }
        }
    }
    return (y, [N, OH, OW, OC])
}

/// Naive depthwise convolution in Double; kernel `[KH, KW, C, 1]`.
func referenceDepthwise(_ x: [Double], _ xs: [Int], _ k: [Double], kernel: Int, stride: Int, same: Bool) -> (y: [Double], shape: [Int]) {
    let (N, H, W, C) = (xs[0], xs[1], xs[2], xs[3])
    let (OH, pt) = referencePadding(H, kernel: kernel, stride: stride, same: same)
    let (OW, pl) = referencePadding(W, kernel: kernel, stride: stride, same: same)
    var y = [Double](repeating: 0, count: N * OH * OW * C)
    for n in 0..<N {
        for oh in 0..<OH {
            for ow in 0..<OW {
                for c in 0..<C {
                    var s = 0.0
                    for kh in 0..<kernel {
                        for kw in 0..<kernel {
                            let ih = oh * stride + kh - pt, iw = ow * stride + kw - pl
                            if ih < 0 || ih >= H || iw < 0 || iw >= W { continue }
                            s += x[((n * H + ih) * W + iw) * C + c] * k[(kh * kernel + kw) * C + c]
                        }
                    }
                    y[((n * OH + oh) * OW + ow) * C + c] = s
                }
            }
        }
    }
    return (y, [N, OH, OW, C])
}
