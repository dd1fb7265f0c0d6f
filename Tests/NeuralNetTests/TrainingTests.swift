import Foundation
import XCTest

@testable import NeuralNet

final class TrainingTests: XCTestCase {
    /// Two-class images `[S, S, 1]`: class 0 holds a vertical bar, class 1 a horizontal bar, at a
    /// random position, over uniform noise. Labels are one-hot `[N, 2]`.
    static func batch(_ n: Int, size S: Int, rng: inout RNG) -> (Tensor, Tensor) {
        var x = Tensor.zeros([n, S, S, 1]), y = Tensor.zeros([n, 2])
        for i in 0..<n {
            let cls = Int(rng.next() % 2)
            y.data[i * 2 + cls] = 1
            for p in 0..<(S * S) { x.data[i * S * S + p] = Float(rng.uniform(0, 0.5)) }
            let at = Int(rng.next() % UInt64(S - 2)) + 1
            for j in 0..<S {
                let (h, w) = cls == 0 ? (j, at) : (at, j)
                x.data[i * S * S + h * S + w] += 1
            }
        }
        return (x, y)
    }

    static func cnn(seed: UInt64, size: Int, width: Int) -> Graph {
        let g = Graph(seed: seed)
        let x = g.input("input_1", shape: [size, size, 1])
        var h = g.add(Conv2D("conv1", filters: width, kernelSize: 3, padding: .same, useBias: false), x)
        h = g.add(BatchNormalization("bn1"), h)
        h = g.add(ReLU("relu1"), h)
        h = g.add(MaxPooling2D("pool1", poolSize: 2), h)
        h = g.add(Conv2D("conv2", filters: width, kernelSize: 3, strides: 2, padding: .same), h)
        h = g.add(ReLU("relu2"), h)
        h = g.add(GlobalAveragePooling2D("gap"), h)
        h = g.add(Dropout("drop", rate: 0.1, seed: seed), h)
        g.outputs = [g.add(Dense("fc", units: 2), h)]
        return g
    }

    /// One training step; returns the batch loss.
    static func step(_ g: Graph, _ opt: Nadam, _ x: Tensor, _ y: Tensor) -> Double {
        g.trainStep(x, labels: y, optimizer: opt).loss
    }

    func testSmallCNNLearns() {
        let g = Self.cnn(seed: 42, size: 8, width: 4)
        let opt = Nadam(learningRate: 0.02)
        var rng = RNG(seed: 7)
        var losses: [Double] = []
        for _ in 0..<150 {
            let (x, y) = Self.batch(16, size: 8, rng: &rng)
            losses.append(Self.step(g, opt, x, y))
        }
        let first = losses.prefix(10).reduce(0, +) / 10, last = losses.suffix(10).reduce(0, +) / 10
        XCTAssertLessThan(last, 0.5 * first, "loss should fall: first \(first), last \(last)")
        var test = RNG(seed: 999)
        let (x, y) = Self.batch(200, size: 8, rng: &test)
        let p = g.predict(x)
        var correct = 0
        for i in 0..<200 where (p.data[2 * i + 1] > p.data[2 * i]) == (y.data[2 * i + 1] == 1) { correct += 1 }
        XCTAssertGreaterThan(Double(correct) / 200, 0.95, "held-out accuracy \(correct)/200")
    }

    /// Same seed ⇒ bit-identical weights after several steps with 1, 2 and 3 threads. Sizes are
    /// chosen so every kernel runs several chunks.
    func testDeterministicAcrossThreadCounts() {
        let saved = Parallel.threads
        defer { Parallel.setThreads(saved) }
        func run(threads: Int) -> [[Float]] {
            Parallel.setThreads(threads)
            let g = Self.cnn(seed: 5, size: 24, width: 32)
            let opt = Nadam(learningRate: 0.01)
            var rng = RNG(seed: 6)
            for _ in 0..<3 {
                let (x, y) = Self.batch(10, size: 24, rng: &rng)
                _ = Self.step(g, opt, x, y)
            }
            return g.parameters.map(\.value.data)
        }
        let one = run(threads: 1)
        for n in [2, 3] {
            let other = run(threads: n)
            XCTAssertEqual(one.count, other.count)
            for (i, (a, b)) in zip(one, other).enumerated() {
                XCTAssert(
                    a == b, "parameter \(i) differs between 1 and \(n) threads (max diff \(zip(a, b).map { abs($0 - $1) }.max() ?? 0))")
            }
        }
    }

    /// The default thread count: Slurm's grant when `SLURM_CPUS_PER_TASK` is a positive integer,
    /// otherwise the available cores.
    func testDefaultThreadsFromEnvironment() {
        XCTAssertEqual(Parallel.defaultThreads(environment: [:], availableCores: 8), 8)
        XCTAssertEqual(Parallel.defaultThreads(environment: ["SLURM_CPUS_PER_TASK": "3"], availableCores: 8), 3)
        XCTAssertEqual(Parallel.defaultThreads(environment: ["SLURM_CPUS_PER_TASK": "16"], availableCores: 8), 16, "Slurm's value wins")
        XCTAssertEqual(Parallel.defaultThreads(environment: ["SLURM_CPUS_PER_TASK": " 4 "], availableCores: 2), 4)
        for bad in ["0", "-2", "", "two", "2.5"] {
            XCTAssertEqual(Parallel.defaultThreads(environment: ["SLURM_CPUS_PER_TASK": bad], availableCores: 6), 6, "'\(bad)' is ignored")
        }
        XCTAssertEqual(Parallel.defaultThreads(environment: ["OTHER": "5"], availableCores: 0), 1)
        XCTAssertEqual(
            Parallel.defaultThreads(environment: [:]),
            Parallel.defaultThreads(environment: [:], availableCores: ProcessInfo.processInfo.activeProcessorCount))
    }

    func testInitializersAndRNG() {
        var a = RNG(seed: 1), b = RNG(seed: 1)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var rng = RNG(seed: 2)
        let k = Initializer.glorotUniform.make([3, 3, 16, 32], rng: &rng)
        let limit = (6.0 / Double(9 * 16 + 9 * 32)).squareRoot()
        XCTAssert(k.data.allSatisfy { abs(Double($0)) <= limit })
        XCTAssertGreaterThan(Double(k.data.map(abs).max()!), 0.9 * limit)
        let n = Initializer.randomNormal(mean: 0, stddev: 0.001).make([20000], rng: &rng)
        let mean = n.sum() / 20000, sd = (n.data.map { Double($0) * Double($0) }.reduce(0, +) / 20000 - mean * mean).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 5e-5); XCTAssertEqual(sd, 0.001, accuracy: 5e-5)
        XCTAssertEqual(Initializer.ones.make([3], rng: &rng).data, [1, 1, 1])
        XCTAssertEqual(Initializer.zeros.make([2], rng: &rng).data, [0, 0])
    }
}
