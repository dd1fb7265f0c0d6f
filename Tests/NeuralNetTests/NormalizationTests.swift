import XCTest

@testable import NeuralNet

final class NormalizationTests: XCTestCase {
    let shape = [2, 3, 4, 3]  // R = 24 rows, C = 3
    let eps = 1e-3

    /// Batch-statistics normalisation in Double.
    func referenceBN(_ x: [Double], gamma: [Double], beta: [Double], C: Int) -> [Double] {
        let R = x.count / C
        var y = x
        for c in 0..<C {
            var m = 0.0
            for r in 0..<R { m += x[r * C + c] }
            m /= Double(R)
            var v = 0.0
            for r in 0..<R { v += (x[r * C + c] - m) * (x[r * C + c] - m) }
            v /= Double(R)
            for r in 0..<R { y[r * C + c] = gamma[c] * (x[r * C + c] - m) / (v + eps).squareRoot() + beta[c] }
        }
        return y
    }

    func inputs() -> (Tensor, Tensor, Tensor) {
        let x = Tensor(shape, randomValues(shape.reduce(1, *), seed: 5).map { 2 * $0 + 0.5 })
        return (x, Tensor([3], [1.5, 0.5, -1]), Tensor([3], [0.1, -0.2, 0.3]))
    }

    func testBatchNormTraining() {
        let (x, g, b) = inputs()
        var mm = Tensor([3], [0.2, 0.0, -0.1]), mv = Tensor([3], [1, 2, 0.5])
        var cache = BatchNormOp.Cache(), y = Tensor.zeros([0])
        BatchNormOp.forward(
            x, gamma: g, beta: b, movingMean: &mm, movingVariance: &mv, momentum: 0.99,
            epsilon: Float(eps), training: true, cache: &cache, into: &y)
        assertClose(y.data, referenceBN(x.doubles, gamma: g.doubles, beta: b.doubles, C: 3), tol: 1e-5, "bn training")
        // moving = moving·0.99 + batch·0.01 (biased batch variance)
        let R = 24
        for c in 0..<3 {
            let col = (0..<R).map { x.doubles[$0 * 3 + c] }
            let m = col.reduce(0, +) / Double(R)
            let v = col.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(R)
            XCTAssertEqual(Double(mm.data[c]), [0.2, 0.0, -0.1][c] * 0.99 + m * 0.01, accuracy: 1e-6)
            XCTAssertEqual(Double(mv.data[c]), [1, 2, 0.5][c] * 0.99 + v * 0.01, accuracy: 1e-6)
        }
    }

    func testBatchNormTrainingGradient() {
        let (x, g, b) = inputs()
        var mm = Tensor([3], [0, 0, 0]), mv = Tensor([3], [1, 1, 1])
        var cache = BatchNormOp.Cache(), y = Tensor.zeros([0])
        BatchNormOp.forward(
            x, gamma: g, beta: b, movingMean: &mm, movingVariance: &mv, momentum: 0.99,
            epsilon: Float(eps), training: true, cache: &cache, into: &y)
        let r = randomValues(x.count, seed: 17)
        var dg = Tensor(shape: g.shape), db = Tensor(shape: b.shape)
        let dx = BatchNormOp.backward(Tensor(shape, r), x: x, gamma: g, cache: cache, training: true, dGamma: &dg, dBeta: &db)!
        assertClose(
            dx.data, numericGradient(x.doubles) { dot(r, self.referenceBN($0, gamma: g.doubles, beta: b.doubles, C: 3)) },
            tol: 1e-4, "bn training dx")
        assertClose(
            dg.data, numericGradient(g.doubles) { dot(r, self.referenceBN(x.doubles, gamma: $0, beta: b.doubles, C: 3)) },
            tol: 1e-4, "bn dgamma")
        assertClose(
            db.data, numericGradient(b.doubles) { dot(r, self.referenceBN(x.doubles, gamma: g.doubles, beta: $0, C: 3)) },
            tol: 1e-4, "bn dbeta")
    }

    func referenceInference(_ x: [Double], gamma: [Double], beta: [Double], mean: [Double], variance: [Double]) -> [Double] {
        x.enumerated().map { i, v in
            let c = i % 3
            return gamma[c] * (v - mean[c]) / (variance[c] + eps).squareRoot() + beta[c]
        }
    }

    func testBatchNormInference() {
        let (x, g, b) = inputs()
        var mm = Tensor([3], [0.2, 0.0, -0.1]), mv = Tensor([3], [1, 2, 0.5])
        var cache = BatchNormOp.Cache(), y = Tensor.zeros([0])
        BatchNormOp.forward(
            x, gamma: g, beta: b, movingMean: &mm, movingVariance: &mv, momentum: 0.99,
            epsilon: Float(eps), training: false, cache: &cache, into: &y)
        assertClose(
            y.data, referenceInference(x.doubles, gamma: g.doubles, beta: b.doubles, mean: [0.2, 0, -0.1], variance: [1, 2, 0.5]),
            tol: 1e-5, "bn inference")
        XCTAssertEqual(mm.data, [0.2, 0.0, -0.1], "inference must not update moving statistics")
    }

    func testBatchNormInferenceGradient() {
        let (x, g, b) = inputs()
        var mm = Tensor([3], [0.2, 0.0, -0.1]), mv = Tensor([3], [1, 2, 0.5])
        var cache = BatchNormOp.Cache(), y = Tensor.zeros([0])
        BatchNormOp.forward(
            x, gamma: g, beta: b, movingMean: &mm, movingVariance: &mv, momentum: 0.99,
            epsilon: Float(eps), training: false, cache: &cache, into: &y)
        let r = randomValues(x.count, seed: 18)
        var dg = Tensor(shape: g.shape), db = Tensor(shape: b.shape)
        let dx = BatchNormOp.backward(Tensor(shape, r), x: x, gamma: g, cache: cache, training: false, dGamma: &dg, dBeta: &db)!
        let f: ([Double], [Double]) -> Double = { xv, gv in
            dot(r, self.referenceInference(xv, gamma: gv, beta: b.doubles, mean: [0.2, 0, -0.1], variance: [1, 2, 0.5]))
        }
        assertClose(dx.data, numericGradient(x.doubles) { f($0, g.doubles) }, tol: 1e-4, "bn inference dx")
        assertClose(dg.data, numericGradient(g.doubles) { f(x.doubles, $0) }, tol: 1e-4, "bn inference dgamma")
    }
}
