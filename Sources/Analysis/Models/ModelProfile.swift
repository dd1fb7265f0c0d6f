import Foundation
import NeuralNet

/// Per-layer wall time of one model's forward pass (`paper-repro bench models --profile`; release
/// builds only, never a timed test): the graph's `profiling` times summed over `repeats` runs
/// after one warm-up, per layer and per layer type, with GFLOP/s for the layers that count
/// multiply-adds (`ModelSummary`).
public struct ModelProfile: Codable, Equatable, Sendable {
    /// One layer's time.
    public struct Row: Codable, Equatable, Sendable {
        public var name: String
        public var type: String
        /// Mean forward wall time per run (ms).
        public var milliseconds: Double
        /// Mean backward wall time per run (ms; 0 in inference).
        public var backwardMilliseconds: Double
        /// Forward multiply-adds of the whole batch (0 for layers without arithmetic).
        public var multiplyAdds: Int
        /// `2·multiplyAdds / time` (0 when `multiplyAdds` is 0).
        public var gflops: Double
        /// Output shape of one sample.
        public var outputShape: [Int]
    }

    public var model: String
    public var pixels: Int, batch: Int
    public var repeats: Int
    /// Median wall time of one un-profiled forward pass (ms).
    public var medianMilliseconds: Double
    /// Layers in graph order.
    public var rows: [Row]

    /// Times the inference forward pass of `kind` at `pixels`, batch `batch`, or with `training`
    /// a whole training step (forward and backward times per layer; Nadam lr 1e-4). With
    /// `plain`, inference runs without its fast paths (`Graph.inferenceFastPaths` off).
    public static func measure(
        _ kind: ModelKind, pixels: Int, batch: Int, widthMultiplier: Double = 1, fpnFeatures: Int = 256,
        training: Bool = false, plain: Bool = false, repeats: Int
    ) throws -> ModelProfile {
        let saved = Engine.options.inferenceFastPaths
        Engine.options.inferenceFastPaths = !plain
        defer { Engine.options.inferenceFastPaths = saved }
        let graph = try kind.build(
            scale: ModelScale(inputSize: pixels, widthMultiplier: widthMultiplier, fpnFeatures: fpnFeatures),
            seed: 1)
        let summary = ModelSummary(graph: graph, model: kind.rawValue)
        let x = ModelBenchmark.input(batch: batch, pixels: pixels)
        var labels = Tensor.zeros([batch, 2])
        for i in 0..<batch { labels.data[2 * i + i % 2] = 1 }
        let optimizer = Nadam(learningRate: 1e-4)
        let run: () -> Void = {
            if training { _ = graph.trainStep(x, labels: labels, optimizer: optimizer) } else { _ = graph.forward([x], mode: .inference) }
        }
        let median = EngineBenchmark.medianSeconds(repeats: repeats, run)
        graph.profiling = true
        graph.layerTimes = [:]
        for _ in 0..<repeats { run() }
        graph.profiling = false
        let rows = summary.rows.compactMap { r -> Row? in
            guard let t = graph.layerTimes[r.name] else { return nil }
            let ms = t.forward / Double(repeats) * 1e3
            let macs = r.multiplyAdds * batch
            return Row(
                name: r.name, type: r.type, milliseconds: ms, backwardMilliseconds: t.backward / Double(repeats) * 1e3,
                multiplyAdds: macs,
                gflops: ms > 0 ? 2 * Double(macs) / (ms * 1e-3) * 1e-9 : 0, outputShape: r.outputShape)
        }
        return ModelProfile(
            model: kind.rawValue, pixels: pixels, batch: batch, repeats: repeats,
            medianMilliseconds: median * 1e3, rows: rows)
    }

    /// Total time and count per layer type, slowest first.
    public var byType: [(type: String, milliseconds: Double, backwardMilliseconds: Double, count: Int, multiplyAdds: Int)] {
        var acc: [String: (Double, Double, Int, Int)] = [:]
        for r in rows {
            let a = acc[r.type] ?? (0, 0, 0, 0)
            acc[r.type] = (a.0 + r.milliseconds, a.1 + r.backwardMilliseconds, a.2 + 1, a.3 + r.multiplyAdds)
        }
        return acc.map { ($0.key, $0.value.0, $0.value.1, $0.value.2, $0.value.3) }
            .sorted { $0.milliseconds + $0.backwardMilliseconds > $1.milliseconds + $1.backwardMilliseconds }
    }
}
