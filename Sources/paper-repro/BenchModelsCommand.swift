import Analysis
import ArgumentParser
import Foundation
import NeuralNet

/// `paper-repro bench models [--json] [--quick]`: inference and training speed and peak memory of
/// the three full-size networks, beside TensorFlow's times on this machine and the bar to meet.
struct BenchModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Benchmark the three networks: inference 512 px ×1 and 128 px ×8, FPN training 128 px ×14, peak memory."
    )

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Flag(help: "One timed run per measurement instead of the median of 3 (a smoke run).")
    var quick = false

    @OptionGroup var engine: EngineArguments

    @Flag(help: "Instead of the benchmark, print per-layer forward times of one model (see --model, --pixels, --batch).")
    var profile = false

    @Flag(help: "With --profile: profile a training step (forward and backward) instead of inference.")
    var training = false

    @Flag(help: "With --profile: inference without its fast paths (no layer fusion, no Winograd), for comparison.")
    var plain = false

    @Option(help: "With --profile: fpn, resnet50v2 or xception (or the display names; default fpn).")
    var model: ModelKind = .resnet50v2FPN

    @Option(help: "With --profile: input pixels (default 512).")
    var pixels: Int = 512

    @Option(help: "With --profile: batch size (default 1).")
    var batch: Int = 1

    @Option(help: "With --profile: backbone width multiplier (default 1).")
    var width: Double = 1

    @Option(help: "With --profile: FPN features (default 256).")
    var fpnFeatures: Int = 256

    @Option(help: "With --profile: layers to list, slowest first (default 40).")
    var top: Int = 40

    @Flag(
        help:
            "Instead of the benchmark, time the training step of the three networks at the default preset's scale (width 0.125, FPN features 32, batch 14) at --small-pixels."
    )
    var small = false

    @Option(parsing: .upToNextOption, help: "With --small: input sizes (default 96 72).")
    var smallPixels: [Int] = [96, 72]

    @Option(help: "With --small: timed steps per network and size (default 9; the median is reported).")
    var repeats: Int = 9

    func run() throws {
        engine.apply()
        if profile { return try printProfile() }
        if small { return try printSmallScale() }
        let report = try CLIErrors.mapped {
            try ModelBenchmark.run(.standard(quick: quick)) { step in
                if !json { Console.error("… \(step)\n") }
            }
        }
        if json {
            print(try JSONOutput.string(report))
            return
        }
        func f(_ v: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", v) }
        print("threads: \(report.threads); median of \(report.configuration.repeats) after one warm-up")
        print("sgemm ceiling: \(f(report.ceilingGFLOPs)) GFLOP/s")
        print("model            task       px   N   ms/batch   ms/image  TF ms/image  ratio  GMAC/img  GFLOP/s  ceiling  peak RSS MiB")
        for m in report.measurements {
            let anchor = m.anchorMsPerImage.map { String(format: "%11.0f", $0) } ?? String(repeating: " ", count: 10) + "—"
            let ratio = m.anchorMsPerImage.map { String(format: "%5.2f", m.msPerImage / $0) } ?? "    —"
            print(
                m.model.padding(toLength: 16, withPad: " ", startingAt: 0) + " "
                    + m.task.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(format: " %4d %3d %10.1f %10.1f ", m.pixels, m.batch, m.msPerBatch, m.msPerImage)
                    + anchor + "  " + ratio
                    + String(
                        format: " %9.3f %8.1f %7.0f%% %13.0f", Double(m.multiplyAddsPerImage) * 1e-9, m.gflops,
                        m.fractionOfCeiling * 100, m.peakRSSMiB))
        }
        print(
            "ratio = ours / TensorFlow 2.21 CPU (docs/performance-anchors.md); GFLOP/s from the forward multiply-adds (training: 3 × forward)."
        )
        print(
            report.peakMemoryIsPerMeasurement
                ? "peak RSS: the high-water mark reset before each measurement (includes the model's weights)."
                : "peak RSS: the process's peak up to each measurement (could not reset the mark).")
        let a = report.anchors
        if let met = report.fpnInferenceBarMet {
            print("bar: FPN inference at 512 px ≤ \(f(a.fpnInference512MsPerImage, 0)) ms: \(met ? "met" : "NOT met")")
        }
        if let met = report.fpnTrainingBarMet {
            print("bar: FPN training at 128 px ≤ \(f(a.fpnTraining128MsPerImage, 0)) ms/image: \(met ? "met" : "NOT met")")
        }
    }

    /// `--small`: the default-scale training step of each network beside TensorFlow's FPN.
    func printSmallScale() throws {
        guard repeats >= 1, !smallPixels.isEmpty, smallPixels.allSatisfy({ $0 >= 32 }) else {
            throw ValidationError("--repeats must be ≥ 1 and --small-pixels at least 32")
        }
        let report = try CLIErrors.mapped {
            try ModelBenchmark.smallScaleTraining(pixels: smallPixels, repeats: quick ? 1 : repeats) { step in
                if !json { Console.error("… \(step)\n") }
            }
        }
        if json {
            print(try JSONOutput.string(report))
            return
        }
        print(
            "threads: \(report.threads); training step (forward, backward, Nadam), width \(report.widthMultiplier), "
                + "FPN features \(report.fpnFeatures), batch \(report.batch); median of \(report.repeats) after one warm-up, "
                + "networks timed round-robin")
        print(String(format: "sgemm ceiling (same run): %.1f GFLOP/s", report.ceilingGFLOPs))
        print("model              px   ms/image  fastest  TF FPN ms/img  ratio  GMAC/img  GFLOP/s  ceiling")
        for m in report.measurements {
            let anchor = m.tensorFlowFPNMsPerImage.map { String(format: "%13.1f", $0) } ?? String(repeating: " ", count: 12) + "—"
            let ratio = m.ratioToTensorFlowFPN.map { String(format: "%6.2f", $0) } ?? "     —"
            print(
                m.model.padding(toLength: 17, withPad: " ", startingAt: 0)
                    + String(format: " %4d %10.2f %8.2f ", m.pixels, m.msPerImage, m.fastestMsPerImage) + anchor + " " + ratio
                    + String(format: " %9.4f %8.1f %7.1f%%", Double(m.multiplyAddsPerImage) * 1e-9, m.gflops, m.fractionOfCeiling * 100))
        }
        print("TF FPN = TensorFlow 2.21 CPU, ResNet50V2-FPN at this scale (docs/performance-anchors.md); ratio = ours / TF.")
        print(
            "Target of the small-scale work: ≥ 30% of the ceiling, i.e. ratio ≤ 0.3. The machine may be shared: compare runs of one sitting."
        )
    }

    /// `--profile`: per-layer and per-type forward (and backward) times of one model.
    func printProfile() throws {
        let kind = model
        let p = try CLIErrors.mapped {
            try ModelProfile.measure(
                kind, pixels: pixels, batch: batch, widthMultiplier: width, fpnFeatures: fpnFeatures,
                training: training, plain: plain, repeats: quick ? 1 : 3)
        }
        if json {
            print(try JSONOutput.string(p))
            return
        }
        let total = p.rows.reduce(0) { $0 + $1.milliseconds + $1.backwardMilliseconds }
        print(
            "\(p.model) \(training ? "training step" : plain ? "inference (plain)" : "inference") \(p.pixels) px batch \(p.batch), threads \(engine.threads): "
                + String(format: "median %.1f ms (un-profiled); profiled layers sum to %.1f ms", p.medianMilliseconds, total))
        print("type                      count   forward ms  backward ms    GMAC  GFLOP/s(fwd)")
        for t in p.byType {
            print(
                t.type.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(
                        format: " %6d %12.1f %12.1f %7.2f %9.1f", t.count, t.milliseconds, t.backwardMilliseconds,
                        Double(t.multiplyAdds) * 1e-9,
                        t.milliseconds > 0 ? 2 * Double(t.multiplyAdds) / t.milliseconds * 1e-6 : 0))
        }
        print("")
        print("layer                            type                 output           fwd ms   bwd ms    GMAC  GFLOP/s(fwd)")
        for r in p.rows.sorted(by: { $0.milliseconds + $0.backwardMilliseconds > $1.milliseconds + $1.backwardMilliseconds }).prefix(top) {
            print(
                r.name.padding(toLength: 32, withPad: " ", startingAt: 0) + " "
                    + r.type.padding(toLength: 20, withPad: " ", startingAt: 0) + " "
                    + r.outputShape.map(String.init).joined(separator: "×").padding(toLength: 14, withPad: " ", startingAt: 0)
                    + String(
                        format: " %8.2f %8.2f %7.3f %9.1f", r.milliseconds, r.backwardMilliseconds,
                        Double(r.multiplyAdds) * 1e-9, r.gflops))
        }
    }
}
