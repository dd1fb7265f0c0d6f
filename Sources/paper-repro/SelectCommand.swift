import Analysis
import ArgumentParser
import Foundation

/// `paper-repro select --data PATH [--json]`: the slice-selection algorithm (§2.2) on a dataset.
struct SelectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "Run the paper's dark-pixel slice selection (§2.2) on every series of a dataset."
    )

    @Option(name: .long, help: "Dataset root (see `paper-repro data index`).")
    var data: String?

    @Option(name: .long, help: "Dark value: a pixel counts when its stored value is below it (paper: 300).")
    var darkValue = 300

    @Option(name: .long, help: "Divisor of the count range (paper: 1.5).")
    var divisor = 1.5

    @Option(name: .long, help: "Threshold rule: range ((max-min)/divisor, the paper's) or minPlusRange (min + (max-min)/divisor).")
    var rule: SelectionParameters.ThresholdRule = .range

    @Flag(name: .long, help: "Print JSON (per series: counts, threshold, selected image numbers).")
    var json = false

    func validate() throws {
        guard divisor > 0 else { throw ValidationError("--divisor must be positive") }
        guard (1...65535).contains(darkValue) else { throw ValidationError("--dark-value must be in 1...65535") }
    }

    func run() throws {
        let root = try DataLocation.resolve(data)
        try CLIErrors.mapped {
            let dataset = try DatasetReader.read(root: root, options: .init(checkSlices: false))
            let parameters = SelectionParameters(darkValue: darkValue, divisor: divisor, rule: rule)
            let start = Date()
            let result = SliceSelector.select(dataset: dataset, parameters: parameters)
            let seconds = Date().timeIntervalSince(start)
            if json {
                print(try JSONOutput.string(result))
            } else {
                for s in result.series {
                    let scaled = s.regionScaled ? " (region scaled to \(s.width)x\(s.height))" : ""
                    print(
                        "\(s.patientID)/\(s.series): \(s.keptCount) of \(s.imageNumbers.count) kept, threshold \(String(format: "%.1f", s.threshold))\(scaled): \(s.selectedImageNumbers.map(String.init).joined(separator: " "))"
                    )
                    for w in s.warnings { print("  warning: \(w)") }
                }
                print(
                    String(
                        format: "kept %d of %d slices (%.1f%%) in %d series; %.0f slices/s",
                        result.keptSlices, result.totalSlices, 100 * result.keptFraction, result.series.count,
                        Double(result.totalSlices) / max(seconds, 1e-9)))
            }
            if !json, let v = try SelectionValidation.validate(result, dataset: dataset) {
                print(
                    String(
                        format:
                            "against the twin's ground truth (lung open): precision %.3f, recall %.3f; labelled slices kept %.3f; lung-closed slices dropped %.3f",
                        v.precision, v.recall, v.labelledKept, v.closedDropped))
            }
            if !result.failures.isEmpty {
                for f in result.failures {
                    Console.error("error: \(f.patientID)/\(f.series): \(f.reason)\n")
                }
                throw ExitCode(2)
            }
        }
    }
}

extension SelectionParameters.ThresholdRule: ExpressibleByArgument {}
