import Analysis
import ArgumentParser
import Foundation
import NeuralNet

/// `paper-repro estimate [--preset paper]`: measures a few training steps of each network at
/// the preset's scale and projects how long the preset's 15 trainings would take here.
struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Time a few training steps at a preset's scale and project its training time on this machine (release build).")

    @Option(help: "Preset name (a file <name>.json in the configs folder).") var preset = "paper"
    @Option(help: "Folder of preset files.") var configs = "configs"
    @Option(help: "Timed steps per network, after one warm-up step.") var steps = 2
    @Option(help: "Batch size (default: the preset's).") var batch: Int?
    @Flag(help: "Print the result as JSON.") var json = false
    @OptionGroup var engine: EngineArguments

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        engine.apply()
        try CLIErrors.mapped {
            let p = try Preset.load(name: preset, directory: CheckoutFolder.configs(configs))
            let result = try TrainingEstimate.run(preset: p, steps: steps, batchSize: batch) { line in
                if !json { Console.error("… \(line)\n") }
            }
            if json { print(try JSONOutput.string(result)); return }
            func duration(_ s: Double) -> String {
                s >= 86_400
                    ? String(format: "%.1f days", s / 86_400)
                    : s >= 3_600
                        ? String(format: "%.1f h", s / 3_600)
                        : String(format: "%.1f min", s / 60)
            }
            print(
                "preset \(p.name): \(result.scale.inputSize) px, width ×\(result.scale.widthMultiplier), batch \(result.batchSize), "
                    + "\(result.epochs) epochs × \(result.folds) folds, \(TrainingEstimate.paperTrainingImagesPerFold) training images per fold"
            )
            for m in result.models {
                print(
                    "  \(m.model.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(String(format: "%.3f", m.secondsPerTrainingImage)) s per training image "
                        + "(median of \(result.stepsMeasured) steps; last loss \(String(format: "%.4f", m.lastLoss)))  → \(duration(m.projectedSeconds))"
                )
            }
            print(
                "training all \(result.models.count * result.folds) networks: about \(duration(result.projectedSeconds)) on \(Parallel.threads) threads "
                    + "(plus the twin, evaluation and identification; validation assumed as large as the training set, at a third of the cost per image)"
            )
        }
    }
}
