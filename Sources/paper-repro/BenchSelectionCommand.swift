import Analysis
import ArgumentParser
import Foundation

/// `paper-repro bench selection [--json]`: slices per second of the selection algorithm.
struct BenchSelectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selection",
        abstract: "Slices per second of the slice selection on 512 px uncompressed 16-bit TIFFs from the page cache."
    )

    @Option(name: .long, help: "Number of slices to generate and select.")
    var slices = 2000

    @Option(name: .long, help: "Rows per strip of the generated TIFFs.")
    var rowsPerStrip = 8

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        try CLIErrors.mapped {
            let r = try SelectionBenchmark.run(slices: slices, rowsPerStrip: rowsPerStrip)
            if json {
                print(try JSONOutput.string(r))
            } else {
                print(
                    String(
                        format: "selection: %d slices of %dx%d (%d rows per strip), median of %d runs", r.slices, r.size, r.size,
                        r.rowsPerStrip, r.repeats))
                print(
                    String(
                        format: "  all %d cores: %8.0f slices/s  (%.1fx cv2+numpy's %.0f, %.0fx the per-pixel Python loop's %.0f)",
                        r.cores, r.slicesPerSecond, r.slicesPerSecond / r.anchorCV2Numpy, r.anchorCV2Numpy,
                        r.slicesPerSecond / r.anchorPythonLoop, r.anchorPythonLoop))
                print(String(format: "  one core:    %8.0f slices/s", r.slicesPerSecondOneCore))
            }
        }
    }
}
