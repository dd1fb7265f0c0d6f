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

    @Option(help: "Cores to use (default 2).")
    var threads: Int = 2

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        Parallel.setThreads(threads)
        let report = try CLIErrors.mapped {
            try ModelBenchmark.run(.standard(quick: quick)) { step in
                if !json { FileHandle.standardError.write(Data("… \(step)\n".utf8)) }
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
            print(m.model.padding(toLength: 16, withPad: " ", startingAt: 0) + " "
                  + m.task.padding(toLength: 9, withPad: " ", startingAt: 0)
                  + String(format: " %4d %3d %10.1f %10.1f ", m.pixels, m.batch, m.msPerBatch, m.msPerImage)
                  + anchor + "  " + ratio
                  + String(format: " %9.3f %8.1f %7.0f%% %13.0f", Double(m.multiplyAddsPerImage) * 1e-9, m.gflops,
                           m.fractionOfCeiling * 100, m.peakRSSMiB))
        }
        print("ratio = ours / TensorFlow 2.21 CPU (anchors.md); GFLOP/s from the forward multiply-adds (training: 3 × forward).")
        print(report.peakMemoryIsPerMeasurement ? "peak RSS: the high-water mark reset before each measurement (includes the model's weights)."
                                                : "peak RSS: the process's peak up to each measurement (could not reset the mark).")
        let a = report.anchors
        if let met = report.fpnInferenceBarMet {
            print("bar: FPN inference at 512 px ≤ \(f(a.fpnInference512MsPerImage, 0)) ms: \(met ? "met" : "NOT met")")
        }
        if let met = report.fpnTrainingBarMet {
            print("bar: FPN training at 128 px ≤ \(f(a.fpnTraining128MsPerImage, 0)) ms/image: \(met ? "met" : "NOT met")")
        }
    }
}
