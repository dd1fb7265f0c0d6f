import Analysis
import ArgumentParser
import Foundation

/// `paper-repro data …`: dataset commands.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Index, inspect and generate datasets.",
        subcommands: [DataIndexCommand.self, SynthCommand.self]
    )
}

/// `paper-repro data index [--data PATH] [--json]`: Table 1's counts and per-series statistics.
struct DataIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Count patients, series and images of a COVID-CTset tree (Table 1)."
    )

    @Option(name: .long, help: "Dataset root (raw <batch>/<patientN>/<SR_k>/IM#####.tif layout, or the flat training layout).")
    var data: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Do not open every slice header (faster; no size or TIFF checks).")
    var noCheck = false

    @Flag(name: .long, help: "Make any data problem fatal (an unreadable slice, a series of mixed sizes or sample types); by default such series and files are left out, listed, and the index goes on.")
    var strict = false

    func run() throws {
        let root = try DataLocation.resolve(data)
        try CLIErrors.mapped {
            let dataset = try DatasetReader.read(root: root, options: .init(checkSlices: !noCheck, strict: strict))
            let summary = DatasetSummary(dataset)
            if json {
                print(try JSONOutput.string(summary))
            } else {
                print(summary.text, terminator: "")
            }
        }
    }
}

/// Where the data comes from when `--data` is not given.
enum DataLocation {
    /// `--data`, else `$PAPER_REPRO_DATA`; a clear validation error otherwise.
    static func resolve(_ option: String?) throws -> String {
        if let option { return option }
        if let env = ProcessInfo.processInfo.environment["PAPER_REPRO_DATA"], !env.isEmpty { return env }
        throw ValidationError("no dataset given: pass --data PATH (a COVID-CTset tree) or set PAPER_REPRO_DATA")
    }
}
