import XCTest

@testable import NeuralNet

final class ElementwiseTests: XCTestCase {
    func testReLU() {
        let x = Tensor([2, 3, 3, 2], randomValues(36, seed: 1))
        var y = Tensor.zeros([0])
        ElementwiseOp.reluForward(x, into: &y)
        assertClose(y.data, x.doubles.map { max($0, 0) }, tol: 0, "relu")
    }

    func testReLUGradient() {
        let x = Tensor([2, 3, 3, 2], randomValues(36, seed: 2))
        var y = Tensor.zeros([0])
        ElementwiseOp.reluForward(x, into: &y)
        let r = randomValues(36, seed: 3)
        let dx = ElementwiseOp.reluBackward(Tensor([2, 3, 3, 2], r), output: y)
        assertClose(dx.data, numericGradient(x.doubles) { dot(r, $0.map { max($0, 0) }) }, tol: 1e-6, "relu dx")
    }

    func testAdd() {
        let a = Tensor([2, 5], randomValues(10, seed: 4)), b = Tensor([2, 5], randomValues(10, seed: 5))
        var y = Tensor.zeros([0])
        ElementwiseOp.addForward([a, b, a], into: &y)
        assertClose(y.data, zip(a.doubles, b.doubles).map { 2 * $0 + $1 }, tol: 1e-6, "add")
    }

    func testAddGradient() {
        let layer = Add("add")
        var rng = RNG(seed: 0)
        _ = layer.build(inputShapes: [[5], [5]], rng: &rng)
        let dy = Tensor([2, 5], randomValues(10, seed: 6))
        let grads = layer.backward(
            dy, inputs: [dy, dy], output: dy, needInputGradients: [true, false],
            mode: .training, context: ExecutionContext())
        XCTAssertEqual(grads[0]?.data, dy.data)
        XCTAssertNil(grads[1])
    }

    func testDense() {
        let x = Tensor([3, 4], randomValues(12, seed: 7)), k = Tensor([4, 2], randomValues(8, seed: 8)), b = Tensor([2], [0.5, -0.25])
        let y = DenseOp.forward(x, kernel: k, bias: b)
        var ref = [Double](repeating: 0, count: 6)
        for n in 0..<3 {
            for o in 0..<2 { ref[n * 2 + o] = b.doubles[o] + (0..<4).reduce(0) { $0 + x.doubles[n * 4 + $1] * k.doubles[$1 * 2 + o] } }
        }
        assertClose(y.data, ref, tol: 1e-6, "dense")
    }

    func testDenseGradient() {
        let x = Tensor([3, 4], randomValues(12, seed: 9)), k = Tensor([4, 2], randomValues(8, seed: 10)), b = Tensor([2], [0.5, -0.25])
        func f(_ xv: [Double], _ kv: [Double], _ bv: [Double]) -> [Double] {
            (0..<6).map { i in
                let n = i / 2, o = i % 2
                return bv[o] + (0..<4).reduce(0) { $0 + xv[n * 4 + $1] * kv[$1 * 2 + o] }
            }
        }
        let r = randomValues(6, seed: 11)
        var dk = Tensor(shape: k.shape)
        var db: Tensor? = Tensor(shape: b.shape)
        let dx = DenseOp.backward(Tensor([3, 2], r), x: x, kernel: k, dKernel: &dk, dBias: &db, needDx: true)!
        assertClose(dx.data, numericGradient(x.doubles) { dot(r, f($0, k.doubles, b.doubles)) }, tol: 1e-5, "dense dx")
        assertClose(dk.data, numericGradient(k.doubles) { dot(r, f(x.doubles, $0, b.doubles)) }, tol: 1e-5, "dense dk")
        assertClose(db!.data, numericGradient(b.doubles) { dot(r, f(x.doubles, k.doubles, $0)) }, tol: 1e-5, "dense db")
    }

    func testDropout() {
        var rng = RNG(seed: 3)
        var mask: [Float] = []
        let x = Tensor(shape: [4000], repeating: 1)
        let y = LossOp.dropoutForward(x, rate: 0.25, rng: &rng, mask: &mask)
        let kept = y.data.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 4000, 0.75, accuracy: 0.03)
        XCTAssert(kept.allSatisfy { abs($0 - 4.0 / 3.0) < 1e-6 }, "kept values are scaled by 1/(1-rate)")
        // Same seed, same mask.
        var rng2 = RNG(seed: 3), mask2: [Float] = []
        _ = LossOp.dropoutForward(x, rate: 0.25, rng: &rng2, mask: &mask2)
        XCTAssertEqual(mask, mask2)
        // Inference is the identity.
        let layer = Dropout("drop", rate: 0.5, seed: 1)
        XCTAssertEqual(layer.forward([x], mode: .inference, context: ExecutionContext()).data, x.data)
    }

    func testDropoutGradient() {
        var rng = RNG(seed: 4)
        var mask: [Float] = []
        let xv = randomValues(50, seed: 12)
        _ = LossOp.dropoutForward(Tensor([50], xv), rate: 0.5, rng: &rng, mask: &mask)
        let r = randomValues(50, seed: 13)
        let dx = LossOp.dropoutBackward(Tensor([50], r), mask: mask)
        let g = numericGradient(xv) { x in dot(r, zip(x, mask).map { $0 * Double($1) }) }
        assertClose(dx.data, g, tol: 1e-6, "dropout dx")
    }

    func referenceCE(_ z: [Double], _ y: [Double], K: Int) -> Double {
        let N = z.count / K
        var total = 0.0
        for n in 0..<N {
            let row = Array(z[(n * K)..<(n * K + K)])
            let p = row.map { exp($0) }, s = p.reduce(0, +)
            for k in 0..<K { total -= y[n * K + k] * log(p[k] / s) }
        }
        return total / Double(N)
    }

    func testSoftmaxCrossEntropy() {
        let z = randomValues(8, seed: 14, scale: 3), y: [Double] = [1, 0, 0, 1, 0, 1, 1, 0]
        let (loss, _) = LossOp.softmaxCrossEntropy(logits: Tensor([4, 2], z), labels: Tensor([4, 2], y))
        XCTAssertEqual(loss, referenceCE(z, y, K: 2), accuracy: 1e-6)
        // Stable for huge logits.
        let (big, g) = LossOp.softmaxCrossEntropy(logits: Tensor([1, 2], [1000, -1000]), labels: Tensor([1, 2], [0, 1]))
        XCTAssertEqual(big, 2000, accuracy: 1e-3)
        XCTAssert(g.data.allSatisfy { $0.isFinite })
        let p = LossOp.softmax(Tensor([1, 3], [1, 2, 3]))
        let e = [1.0, 2, 3].map { exp($0) }, s = e.reduce(0, +)
        assertClose(p.data, e.map { $0 / s }, tol: 1e-6, "softmax")
    }

    func testSoftmaxCrossEntropyGradient() {
        let z = randomValues(9, seed: 15, scale: 2), y: [Double] = [0, 1, 0, 0.2, 0.3, 0.5, 1, 0, 0]
        let (_, g) = LossOp.softmaxCrossEntropy(logits: Tensor([3, 3], z), labels: Tensor([3, 3], y))
        assertClose(g.data, numericGradient(z) { self.referenceCE($0, y, K: 3) }, tol: 1e-5, "cross-entropy dlogits")
    }
}
