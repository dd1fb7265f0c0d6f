import Foundation
import NeuralNet

/// The training step of the three networks at the default preset's small scale
/// (`paper-repro bench models --small`; release builds only, never a timed test): input 96×96×1
/// (and 72), backbone width 0.125, FPN features 32, batch 14, Nadam — the step `Trainer` runs.
/// Reports ms per image, achieved GFLOP/s (training FLOPs = 3 × 2·MAC per image, as
/// `ModelBenchmark`) and its fraction of the sgemm ceiling measured in the same run, beside
/// TensorFlow's time for the FPN at that scale (docs/performance-anchors.md).
///
/// The networks are timed round-robin (one step of each in turn, `repeats` times, after one
/// warm-up step each), so a burst of load from other processes on a shared machine falls on all
/// of them alike; each network's median and fastest step are reported.
extension ModelBenchmark {
    /// TensorFlow 2.21 CPU training time per image of the reduced FPN (w 0.125, f 32, batch 14) on
    /// this machine (docs/performance-anchors.md), by input size.
    public static let smallFPNTrainingAnchors: [Int: Double] = [96: 6.1, 72: 3.9]

    /// One network's training step at one input size.
    public struct SmallScaleMeasurement: Codable, Equatable, Sendable {
        public var model: String
        public var pixels: Int, batch: Int
        /// Median and fastest wall time of one step, per image (ms).
        public var msPerImage: Double, fastestMsPerImage: Double
        /// Forward multiply-adds of one image.
        public var multiplyAddsPerImage: Int
        /// Achieved GFLOP/s of the median step and its fraction of the sgemm ceiling.
        public var gflops: Double, fractionOfCeiling: Double
        /// TensorFlow's time per image for the FPN at this size (nil for the other networks and
        /// sizes without an anchor), and our time as a fraction of it.
        public var tensorFlowFPNMsPerImage: Double?
        public var ratioToTensorFlowFPN: Double?
    }

    /// Everything `smallScaleTraining` measured.
    public struct SmallScaleReport: Codable, Equatable, Sendable {
        public var threads: Int
        public var widthMultiplier: Double, fpnFeatures: Int, batch: Int
        public var repeats: Int
        /// Best sgemm GFLOP/s, measured before and after the networks.
        public var ceilingGFLOPs: Double
        public var measurements: [SmallScaleMeasurement]
    }

    /// Times `Graph.trainStep` (softmax cross-entropy, Nadam lr 1e-4) of each network in `models`
    /// at each size in `pixels`.
    public static func smallScaleTraining(
        pixels: [Int] = [96, 72], widthMultiplier: Double = 0.125, fpnFeatures: Int = 32,
        batch: Int = 14, repeats: Int = 9,
        models: [ModelKind] = [.resnet50v2FPN, .resnet50v2, .xception],
        ceilingSizes: [Int] = [2048], progress: (String) -> Void = { _ in }
    ) throws -> SmallScaleReport {
        precondition(repeats >= 1)
        progress("sgemm ceiling")
        var ceiling = EngineBenchmark.sgemmCeiling(sizes: ceilingSizes, repeats: 3)
        var results: [SmallScaleMeasurement] = []
        for px in pixels {
            progress("training steps at \(px) px, batch \(batch), width \(widthMultiplier), FPN features \(fpnFeatures)")
            let scale = ModelScale(inputSize: px, widthMultiplier: widthMultiplier, fpnFeatures: fpnFeatures)
            let x = input(batch: batch, pixels: px)
            var labels = Tensor.zeros([batch, 2])
            for i in 0..<batch { labels.data[2 * i + i % 2] = 1 }
            let graphs = try models.map { try $0.build(scale: scale, seed: 1) }
            let optimizers = models.map { _ in Nadam(learningRate: 1e-4) }
            var times = [[Double]](repeating: [], count: models.count)
            for round in -1..<repeats {
                for (i, g) in graphs.enumerated() {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    g.trainStep(x, labels: labels, optimizer: optimizers[i])
                    let t = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                    if round >= 0 { times[i].append(t) }
                }
            }
            for (i, kind) in models.enumerated() {
                let sorted = times[i].sorted()
                let median = sorted[sorted.count / 2] / Double(batch)
                let macs = ModelSummary(graph: graphs[i], model: kind.rawValue).multiplyAddsPerImage
                let gflops = Double(macs) * 2 * 3 / median * 1e-9
                let anchor =
                    kind == .resnet50v2FPN && widthMultiplier == 0.125 && fpnFeatures == 32 && batch == 14
                    ? smallFPNTrainingAnchors[px] : nil
                results.append(
                    SmallScaleMeasurement(
                        model: kind.rawValue, pixels: px, batch: batch,
                        msPerImage: median * 1e3, fastestMsPerImage: sorted[0] / Double(batch) * 1e3,
                        multiplyAddsPerImage: macs, gflops: gflops, fractionOfCeiling: 0,
                        tensorFlowFPNMsPerImage: anchor,
                        ratioToTensorFlowFPN: anchor.map { median * 1e3 / $0 }))
            }
        }
        progress("sgemm ceiling, again")
        ceiling = max(ceiling, EngineBenchmark.sgemmCeiling(sizes: ceilingSizes, repeats: 3))
        for i in results.indices { results[i].fractionOfCeiling = results[i].gflops / ceiling }
        return SmallScaleReport(
            threads: Parallel.threads, widthMultiplier: widthMultiplier, fpnFeatures: fpnFeatures,
            batch: batch, repeats: repeats, ceilingGFLOPs: ceiling, measurements: results)
    }
}
