import ArgumentParser
import Foundation
import NeuralNet

/// `paper-repro bench …`: performance measurements (release builds).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed: the slice selection and the NeuralNet engine (build with -c release).",
        subcommands: [BenchSelectionCommand.self, BenchEngineCommand.self, BenchModelsCommand.self]
    )
}

/// `paper-repro bench engine [--json]`: sgemm ceiling, ResNet50V2 convolution GFLOP/s, a
/// ResNet-style stack's images per second and the peak memory of a training step.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Benchmark the NeuralNet engine against the machine's sgemm ceiling."
    )

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Flag(help: "Fewer repeats and smaller squares (a smoke run, not a measurement).")
    var quick = false

    @OptionGroup var engine: EngineArguments

    func run() throws {
        engine.apply()
        let report = EngineBenchmark.run(quick: quick) { step in
            if !json { Console.error("… \(step)\n") }
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
            return
        }
        func f(_ v: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", v) }
        print("threads: \(report.threads)")
        print("sgemm (GFLOP/s):")
        for g in report.gemm { print("  \(g.size)^3  \(f(g.gflops))  \(g.variant)") }
        print("ceiling: \(f(report.ceilingGFLOPs)) GFLOP/s = \(f(report.ceilingVsAnchor, 2)) x anchor midpoint 155 (anchor 140-170)")
        print("convolutions (GFLOP/s, fraction of ceiling):")
        print("  px   N  shape                  HxW     fwd ms  fwd GF/s  frac   bwd ms  bwd GF/s  frac   gemm GF/s  fwd/gemm")
        for c in report.convolutions {
            let name = c.name.padding(toLength: 22, withPad: " ", startingAt: 0)
            print(
                "  \(c.inputPixels) \(String(format: "%2d", c.batch))  \(name) \(String(format: "%3dx%-3d", c.height, c.height))  "
                    + "\(String(format: "%7.2f", c.forwardMilliseconds))  \(String(format: "%7.1f", c.forwardGFLOPs))  \(f(c.forwardFractionOfCeiling, 2))  "
                    + "\(String(format: "%7.2f", c.backwardMilliseconds))  \(String(format: "%7.1f", c.backwardGFLOPs))  \(f(c.backwardFractionOfCeiling, 2))   \(String(format: "%7.1f", c.sameShapeGemmGFLOPs))   \(f(c.forwardFractionOfSameShapeGemm, 2))"
            )
        }
        let s = report.stack
        print("stack: \(s.description)")
        print("  \(s.parameters) parameters, \(f(s.forwardGMACPerImage, 3)) GMAC/image at \(s.inputPixels) px")
        print(
            "  inference batch 1: \(f(s.inferenceBatch1ImagesPerSecond)) images/s; batch 14: \(f(s.inferenceBatch14ImagesPerSecond)) images/s"
        )
        print("  training batch 14: \(f(s.trainingBatch14ImagesPerSecond)) images/s (\(f(s.trainingBatch14GFLOPs)) GFLOP/s)")
        print("  slowest layers (forward + backward, one step): " + s.slowestLayers.joined(separator: "; "))
        print("peak RSS after batch-14 training steps at 128 px: \(f(report.peakRSSMiBTrainingStep128)) MiB")
        print(
            "bar 3x3 @512 px: forward >= 70%: \(report.bar3x3Forward512Met ? "met" : "NOT met"); backward >= 50%: \(report.bar3x3Backward512Met ? "met" : "NOT met")"
        )
    }
}
