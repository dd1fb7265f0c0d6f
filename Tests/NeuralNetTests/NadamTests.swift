import XCTest

@testable import NeuralNet

final class NadamTests: XCTestCase {
    /// Step 1 worked by hand (Keras 3 formulas), lr 0.1, g = 0.5, θ0 = 1:
    /// u1 = 0.9·(1 - 0.5·0.96) = 0.468, u2 = 0.9·(1 - 0.5·0.9216) = 0.48528, Π1 = 0.468,
    /// Π1·u2 = 0.22711104; m = 0.05, v = 0.00025;
    /// m̂ = 0.48528·0.05/0.77288896 + 0.532·0.5/0.532 = 0.031393908… + 0.5 = 0.531393908…;
    /// v̂ = 0.00025/0.001 = 0.25; θ1 = 1 - 0.1·0.531393908/(0.5 + 1e-7) = 0.893721229….
    func testNadamFirstStepByHand() {
        let p = Parameter(name: "w", value: Tensor([1], [1]))
        p.gradient = Tensor([1], [0.5])
        let opt = Nadam(learningRate: 0.1)
        opt.step([p])
        let mHat = 0.48528 * 0.05 / (1 - 0.468 * 0.48528) + 0.5
        XCTAssertEqual(mHat, 0.531393908, accuracy: 1e-8)
        XCTAssertEqual(Double(p.value.data[0]), 1 - 0.1 * mHat / (0.5 + 1e-7), accuracy: 1e-6)
        XCTAssertEqual(opt.uProduct, 0.468, accuracy: 1e-12)
    }

    /// Five steps with changing gradients against the Keras 3 update written out in Double.
    func testNadamSeveralSteps() {
        let grads: [[Double]] = [[0.5, -1.0, 2.0], [0.25, -0.5, -1.0], [-0.3, 0.1, 0.7], [1.0, 1.0, 1.0], [0.0, -2.0, 0.4]]
        let p = Parameter(name: "w", value: Tensor([3], [1, -2, 0.5]))
        let frozen = Parameter(name: "moving", value: Tensor([1], [7]), trainable: false)
        let opt = Nadam(learningRate: 0.01)
        var theta: [Double] = [1, -2, 0.5], m = [0.0, 0, 0], v = [0.0, 0, 0], prod = 1.0
        let (b1, b2, eps, lr) = (0.9, 0.999, 1e-7, 0.01)
        for (i, g) in grads.enumerated() {
            let t = Double(i + 1)
            let u = b1 * (1 - 0.5 * pow(0.96, t)), uNext = b1 * (1 - 0.5 * pow(0.96, t + 1))
            prod *= u
            for j in 0..<3 {
                m[j] = b1 * m[j] + (1 - b1) * g[j]
                v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
                let mHat = uNext * m[j] / (1 - prod * uNext) + (1 - u) * g[j] / (1 - prod)
                let vHat = v[j] / (1 - pow(b2, t))
                theta[j] -= lr * mHat / (vHat.squareRoot() + eps)
            }
            p.gradient = Tensor([3], g)
            frozen.gradient = Tensor([1], [1])
            opt.step([p, frozen])
        }
        assertClose(p.value.data, theta, tol: 1e-6, "nadam after 5 steps")
        XCTAssertEqual(frozen.value.data, [7], "non-trainable parameters are not updated")
        XCTAssertEqual(opt.iterations, 5)
        // The legacy schedule differs.
        XCTAssertNotEqual(Nadam(schedule: .legacy).momentumCache(1), Nadam().momentumCache(1))
    }

    /// Restoring the optimizer state continues the same trajectory.
    func testNadamStateRoundTrip() {
        let a = Parameter(name: "w", value: Tensor([2], [1, 2])), b = Parameter(name: "w", value: Tensor([2], [1, 2]))
        let oa = Nadam(learningRate: 0.05), ob = Nadam(learningRate: 0.05)
        for s in 0..<3 { a.gradient = Tensor([2], [Double(s) - 1, 0.5]); oa.step([a]) }
        b.value = a.value
        ob.restore(Dictionary(uniqueKeysWithValues: oa.state()))
        for p in [a, b] { p.gradient = Tensor([2], [0.3, -0.7]) }
        oa.step([a]); ob.step([b])
        assertClose(b.value.data, a.value.doubles, tol: 1e-7, "resumed nadam")
    }
}
