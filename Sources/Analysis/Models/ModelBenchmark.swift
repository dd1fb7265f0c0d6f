import Foundation
import NeuralNet

/// The three networks' speed and memory (`paper-repro bench models`; release builds only, never a
/// timed test): inference ms per image at 512 px batch 1 and at 128 px batch 8 for each model,
/// training ms per image of the FPN at 128 px batch 14 (forward, backward, Nadam step), the peak
/// resident memory of each measurement, achieved GFLOP/s from `ModelSummary`'s multiply-adds and
/// their fraction of the machine's sgemm ceiling, beside TensorFlow's anchors (docs/performance-anchors.md).
///
/// Times are medians of `repeats` runs after one warm-up run. Inference runs in `.inference` mode
/// without keeping activations; training uses `Graph.trainStep` (softmax cross-entropy, Nadam
/// lr 1e-4, Table 3). FLOPs: inference 2·MAC per image; training 3 × 2·MAC per image (the
/// backward pass taken as twice the forward), the convention of `EngineBenchmark`.
public enum ModelBenchmark {
    /// TensorFlow 2.21 CPU on this machine (docs/performance-anchors.md): the bar to meet.
    public struct Anchors: Codable, Equatable, Sendable {
        public var fpnInference512MsPerImage = 387.0
        public var resnet50v2Inference512MsPerImage = 382.0
        public var fpnTraining128MsPerImage = 158.0
        public init() {}
    }

    /// What to measure. `standard` is the benchmark; tests use a tiny configuration.
    public struct Configuration: Codable, Equatable, Sendable {
        /// (input pixels, batch) of each inference measurement.
        public var inference: [Sizing]
        /// (input pixels, batch) of the FPN training measurement.
        public var training: Sizing
        public var widthMultiplier: Double
        public var fpnFeatures: Int
        /// Timed runs per measurement (after one warm-up).
        public var repeats: Int
        /// Square sizes of the sgemm ceiling.
        public var ceilingSizes: [Int]

        public struct Sizing: Codable, Equatable, Sendable {
            public var pixels: Int, batch: Int
            public init(pixels: Int, batch: Int) { self.pixels = pixels; self.batch = batch }
        }

        public init(
            inference: [Sizing], training: Sizing, widthMultiplier: Double = 1, fpnFeatures: Int = 256,
            repeats: Int, ceilingSizes: [Int]
        ) {
            self.inference = inference; self.training = training; self.widthMultiplier = widthMultiplier
            self.fpnFeatures = fpnFeatures; self.repeats = repeats; self.ceilingSizes = ceilingSizes
        }

        /// Full-width models: inference 512 px × 1 and 128 px × 8, training 128 px × 14; median of
        /// 3 (`quick`: 1).
        public static func standard(quick: Bool) -> Configuration {
            Configuration(
                inference: [Sizing(pixels: 512, batch: 1), Sizing(pixels: 128, batch: 8)],
                training: Sizing(pixels: 128, batch: 14), repeats: quick ? 1 : 3,
                ceilingSizes: quick ? [1024] : [2048, 3072])
        }
    }

    /// One timed measurement.
    public struct Measurement: Codable, Equatable, Sendable {
        public var model: String
        /// `inference` or `training`.
        public var task: String
        public var pixels: Int, batch: Int
        /// Median wall time of one batch, and per image (ms).
        public var msPerBatch: Double, msPerImage: Double
        /// Forward multiply-adds of one image at this size.
        public var multiplyAddsPerImage: Int
        /// Achieved GFLOP/s and its fraction of the sgemm ceiling.
        public var gflops: Double, fractionOfCeiling: Double
        /// Peak resident memory during the measurement (MiB); see `peakMemoryIsPerMeasurement`.
        public var peakRSSMiB: Double
        /// TensorFlow's time per image for the same measurement, when docs/performance-anchors.md has one.
        public var anchorMsPerImage: Double?
    }

    /// Everything measured.
    public struct Report: Codable, Equatable, Sendable {
        public var threads: Int
        public var configuration: Configuration
        /// Best sgemm GFLOP/s, measured before and after the models.
        public var ceilingGFLOPs: Double
        public var measurements: [Measurement]
        public var anchors: Anchors
        /// True when the peak-memory mark could be reset before each measurement (Linux);
        /// otherwise each peak covers the process up to that measurement.
        public var peakMemoryIsPerMeasurement: Bool
        /// FPN inference at 512 px batch 1 ≤ 387 ms, and FPN training at 128 px ≤ 158 ms/image
        /// (nil when the configuration does not measure them).
        public var fpnInferenceBarMet: Bool?, fpnTrainingBarMet: Bool?
    }

    /// A deterministic input `[N, S, S, 1]`: `x = 0.5 + 0.5·sin(0.37·y + 0.23·x + 0.71·n)` (no RNG).
    public static func input(batch: Int, pixels: Int) -> Tensor {
        var data = [Float](repeating: 0, count: batch * pixels * pixels)
        for n in 0..<batch {
            for y in 0..<pixels {
                for x in 0..<pixels {
                    data[(n * pixels + y) * pixels + x] = Float(0.5 + 0.5 * sin(0.37 * Double(y) + 0.23 * Double(x) + 0.71 * Double(n)))
                }
            }
        }
        return Tensor(shape: [batch, pixels, pixels, 1], data: data)
    }

    /// Runs the benchmark; `progress` receives a line before each step.
    public static func run(_ config: Configuration, progress: (String) -> Void = { _ in }) throws -> Report {
        progress("sgemm ceiling")
        var ceiling = EngineBenchmark.sgemmCeiling(sizes: config.ceilingSizes, repeats: config.repeats)
        let anchors = Anchors()
        var perMeasurement = true
        var results: [Measurement] = []

        func measure(
            _ kind: ModelKind, task: String, _ sizing: Configuration.Sizing, anchor: Double?,
            _ body: (Graph, Tensor) -> (() -> Void)
        ) throws {
            progress("\(kind.rawValue) \(task) \(sizing.pixels) px, batch \(sizing.batch)")
            let scale = ModelScale(inputSize: sizing.pixels, widthMultiplier: config.widthMultiplier, fpnFeatures: config.fpnFeatures)
            let x = input(batch: sizing.batch, pixels: sizing.pixels)
            perMeasurement = EngineBenchmark.resetPeakResident() && perMeasurement
            let graph = try kind.build(scale: scale, seed: 1)
            let macs = ModelSummary(graph: graph, model: kind.rawValue).multiplyAddsPerImage
            let seconds = EngineBenchmark.medianSeconds(repeats: config.repeats, body(graph, x))
            let rss = EngineBenchmark.peakResidentMiB()
            let perImage = seconds / Double(sizing.batch)
            let flopsPerImage = Double(macs) * 2 * (task == "training" ? 3 : 1)
            let gflops = flopsPerImage / perImage * 1e-9
            results.append(
                Measurement(
                    model: kind.rawValue, task: task, pixels: sizing.pixels, batch: sizing.batch,
                    msPerBatch: seconds * 1e3, msPerImage: perImage * 1e3, multiplyAddsPerImage: macs,
                    gflops: gflops, fractionOfCeiling: 0, peakRSSMiB: rss, anchorMsPerImage: anchor))
        }

        let fullSize = config.widthMultiplier == 1 && config.fpnFeatures == 256
        for kind in [ModelKind.resnet50v2FPN, .resnet50v2, .xception] {
            for sizing in config.inference {
                var anchor: Double?
                if fullSize && sizing.pixels == 512 && sizing.batch == 1 {
                    anchor =
                        kind == .resnet50v2FPN
                        ? anchors.fpnInference512MsPerImage
                        : kind == .resnet50v2 ? anchors.resnet50v2Inference512MsPerImage : nil
                }
                try measure(kind, task: "inference", sizing, anchor: anchor) { g, x in { _ = g.forward([x], mode: .inference) } }
            }
        }
        let t = config.training
        try measure(
            .resnet50v2FPN, task: "training", t,
            anchor: fullSize && t.pixels == 128 && t.batch == 14 ? anchors.fpnTraining128MsPerImage : nil
        ) { g, x in
            var labels = Tensor.zeros([t.batch, 2])
            for i in 0..<t.batch { labels.data[2 * i + i % 2] = 1 }
            let optimizer = Nadam(learningRate: 1e-4)
            return { g.trainStep(x, labels: labels, optimizer: optimizer) }
        }

        // The machine may be shared: measure the ceiling again and keep the best.
        progress("sgemm ceiling, again")
        ceiling = max(ceiling, EngineBenchmark.sgemmCeiling(sizes: config.ceilingSizes, repeats: config.repeats))
        for i in results.indices { results[i].fractionOfCeiling = results[i].gflops / ceiling }

        func find(_ kind: ModelKind, _ task: String, _ pixels: Int, _ batch: Int) -> Measurement? {
            results.first { $0.model == kind.rawValue && $0.task == task && $0.pixels == pixels && $0.batch == batch }
        }
        let fpnInference = fullSize ? find(.resnet50v2FPN, "inference", 512, 1) : nil
        let fpnTraining = fullSize && t.pixels == 128 ? find(.resnet50v2FPN, "training", 128, t.batch) : nil
        return Report(
            threads: Parallel.threads, configuration: config, ceilingGFLOPs: ceiling, measurements: results,
            anchors: anchors, peakMemoryIsPerMeasurement: perMeasurement,
            fpnInferenceBarMet: fpnInference.map { $0.msPerImage <= anchors.fpnInference512MsPerImage },
            fpnTrainingBarMet: fpnTraining.map { $0.msPerImage <= anchors.fpnTraining128MsPerImage })
    }
}
