import Analysis
import ArgumentParser
import Foundation

/// `paper-repro model …`: inspect the three networks (§2.3).
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect the networks: layers, shapes, parameters, multiply-adds.",
        subcommands: [ModelSummaryCommand.self]
    )
}

/// `paper-repro model summary --model resnet50v2|xception|fpn [--size N] [--width W]
/// [--features F] [--json]`: a Keras-style layer table with totals and multiply-adds per image.
struct ModelSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a Keras-style summary of a network (layers, output shapes, parameters, multiply-adds)."
    )

    @Option(help: "Network: resnet50v2, xception or fpn (ResNet50V2-FPN, the paper's).")
    var model: ModelKind

    @Option(help: "Input size in pixels (the paper: 512).")
    var size = 512

    @Option(help: "Backbone width multiplier (1 = Keras's).")
    var width = 1.0

    @Option(help: "FPN features (the authors' code: 256).")
    var features = 256

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard size >= 1, width > 0, features >= 1 else { throw ValidationError("--size, --width and --features must be positive") }
    }

    func run() throws {
        let scale = ModelScale(inputSize: size, widthMultiplier: width, fpnFeatures: features)
        let summary = try CLIErrors.mapped {
            ModelSummary(graph: try model.build(scale: scale, seed: 1), model: model.rawValue)
        }
        if json {
            print(try JSONOutput.string(summary))
        } else {
            print(Self.table(summary), terminator: "")
        }
    }

    /// The Keras-style text table. "Connected to" is shown for a layer whose inputs are not just
    /// the row above (merges, shortcuts, branches).
    static func table(_ s: ModelSummary) -> String {
        func shape(_ d: [Int]) -> String { "(None, " + d.map(String.init).joined(separator: ", ") + ")" }
        func grouped(_ n: Int) -> String {
            let f = NumberFormatter(); f.numberStyle = .decimal; f.groupingSeparator = ","; f.usesGroupingSeparator = true
            return f.string(from: NSNumber(value: n)) ?? "\(n)"
        }
        func pad(_ t: String, _ w: Int) -> String { t.count >= w ? t + " " : t + String(repeating: " ", count: w - t.count) }
        let nameWidth = max(28, (s.rows.map { $0.name.count + $0.type.count + 3 }.max() ?? 0) + 1)
        let header = pad("Layer (type)", nameWidth) + pad("Output Shape", 24) + pad("Param #", 13) + pad("MACs", 16) + "Connected to"
        let rule = String(repeating: "=", count: header.count)
        var out = "Model: \"\(s.model)\" (input \(shape(s.inputShape)))\n" + rule + "\n" + header + "\n" + rule + "\n"
        var previous: String?
        for r in s.rows {
            let connected = r.inputs == [previous].compactMap { $0 } || r.inputs.isEmpty ? "" : r.inputs.joined(separator: ", ")
            out +=
                pad("\(r.name) (\(r.type))", nameWidth) + pad(shape(r.outputShape), 24) + pad(grouped(r.parameters), 13)
                + pad(r.multiplyAdds > 0 ? grouped(r.multiplyAdds) : "", 16) + connected
            out = out.trimmingTrailingSpaces() + "\n"
            previous = r.name
        }
        out += rule + "\n"
        out += "Total params: \(grouped(s.totalParameters))\n"
        out += "Trainable params: \(grouped(s.trainableParameters))\n"
        out += "Non-trainable params: \(grouped(s.nonTrainableParameters)) (batch-normalisation moving mean and variance)\n"
        out +=
            "Multiply-adds per image: \(grouped(s.multiplyAddsPerImage)) (\(String(format: "%.2f", Double(s.multiplyAddsPerImage) * 1e-9)) GMAC)\n"
        out += "Counted: \(s.multiplyAddsCounted).\n"
        return out
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
