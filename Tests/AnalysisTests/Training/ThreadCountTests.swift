import NeuralNet
import XCTest

@testable import Analysis

/// Any `--threads` gives the same training: the engine splits work into fixed chunks, so a few
/// training steps of a small ResNet50V2 (§2.3) end with bit-identical parameters on 1, 2 and 3
/// threads.
final class ThreadCountTests: XCTestCase {
    func testResNet50V2TrainingStepsAreBitIdenticalForOneTwoAndThreeThreads() throws {
        let saved = Parallel.threads
        defer { Parallel.setThreads(saved) }
        // 96 px, width ×0.125, batches of 4: large enough that the element-wise kernels run several
        // chunks and the big GEMMs split into blocks.
        let scale = ModelScale(inputSize: 96, widthMultiplier: 0.125, fpnFeatures: 4)
        let set = FoldTraining.syntheticSet(count: 8, size: scale.inputSize, seed: 11)
        func train(threads: Int) throws -> (losses: [Double], parameters: [[Float]]) {
            Parallel.setThreads(threads)
            let graph = try ModelKind.resnet50v2.build(scale: scale, seed: 5)
            let optimizer = Nadam(learningRate: 1e-3)
            var losses: [Double] = []
            for step in 0..<2 {
                let (x, y) = set.batch(step == 0 ? [0, 1, 2, 3] : [4, 5, 6, 7])
                losses.append(graph.trainStep(x, labels: y, optimizer: optimizer).loss)
            }
            return (losses, graph.parameters.map(\.value.data))
        }
        let one = try train(threads: 1)
        XCTAssertTrue(one.losses.allSatisfy(\.isFinite), "\(one.losses)")
        for n in [2, 3] {
            let other = try train(threads: n)
            XCTAssertEqual(other.losses, one.losses, "losses with \(n) threads")
            XCTAssertEqual(other.parameters.count, one.parameters.count)
            for (i, (a, b)) in zip(one.parameters, other.parameters).enumerated() where a != b {
                XCTFail("parameter \(i) differs between 1 and \(n) threads (max diff \(zip(a, b).map { abs($0 - $1) }.max() ?? 0))")
            }
        }
    }

    /// The three networks at the default preset's width (0.125, FPN features 32) with every loop
    /// eligible to run in parallel (`Parallel.minimumParallelWork = 0`; by default loops this small
    /// run serially): the blocked convolution backward, the direct first layer, the fused BN + ReLU
    /// and the depthwise kernels give bit-identical training on 1, 2 and 3 threads.
    func testAllNetworksTrainBitIdenticallyWithParallelSmallLoops() throws {
        let savedThreads = Parallel.threads, savedWork = Engine.options.minimumParallelWork
        defer { Parallel.setThreads(savedThreads); Engine.options.minimumParallelWork = savedWork }
        Engine.options.minimumParallelWork = 0
        let scale = ModelScale(inputSize: 72, widthMultiplier: 0.125, fpnFeatures: 32)
        let set = FoldTraining.syntheticSet(count: 4, size: scale.inputSize, seed: 12)
        for kind in ModelKind.allCases {
            func train(threads: Int) throws -> (losses: [Double], parameters: [[Float]]) {
                Parallel.setThreads(threads)
                let graph = try kind.build(scale: scale, seed: 6)
                let optimizer = Nadam(learningRate: 1e-3)
                var losses: [Double] = []
                for _ in 0..<2 {
                    let (x, y) = set.batch([0, 1, 2, 3])
                    losses.append(graph.trainStep(x, labels: y, optimizer: optimizer).loss)
                }
                return (losses, graph.parameters.map(\.value.data))
            }
            let one = try train(threads: 1)
            XCTAssertTrue(one.losses.allSatisfy(\.isFinite), "\(kind) \(one.losses)")
            for n in [2, 3] {
                let other = try train(threads: n)
                XCTAssertEqual(other.losses, one.losses, "\(kind) losses with \(n) threads")
                for (i, (a, b)) in zip(one.parameters, other.parameters).enumerated() where a != b {
                    XCTFail("\(kind) parameter \(i) differs between 1 and \(n) threads")
                }
            }
        }
    }
}
