import Analysis
import ArgumentParser
import Foundation

/// `paper-repro data …`: dataset commands.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Index, inspect and generate datasets.",
        subcommands: [DataIndexCommand.self, SynthCommand.self, DataConvertCommand.self]
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

    @Flag(
        name: .long,
        help:
            "Make any data problem fatal (an unreadable slice, a series of mixed sizes or sample types); by default such series and files are left out, listed, and the index goes on."
    )
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

/// DICOM trees given as `--data`: read through their COVID-CTset-layout copy.
enum DICOMInput {
    /// `data` itself for a TIFF tree; for a DICOM tree, its converted copy under
    /// `<runs>/<preset>/dicom-import/` (converted on first use, reused after).
    static func datasetPath(_ data: String, runs: URL, preset: String) throws -> String {
        let path = URL(fileURLWithPath: data).standardizedFileURL.path
        guard DICOMImport.isDICOMTree(path) else { return path }
        let cache = runs.appendingPathComponent(preset).appendingPathComponent("dicom-import").standardizedFileURL
        do {
            let (dataset, converted) = try DICOMImport.cachedDataset(of: path, cache: cache)
            if let converted {
                Console.error("DICOM: \(path) converted to COVID-CTset's layout at \(dataset)\n")
                for line in DICOMImport.summary(converted) { Console.error("  \(line)\n") }
            }
            return dataset
        } catch {
            throw ValidationError("--data \(data): \(error)")
        }
    }
}

/// `paper-repro data convert --from DICOM_DIR --to TIFF_DIR`: DICOM CT series written in
/// COVID-CTset's layout.
struct DataConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert DICOM CT series to COVID-CTset's layout (<batch>/<patient>/SR_k/IM#####.tif, stored value = HU + 1024).",
        discussion: """
            Patients are found as COVID-CTset arranges them: <batch>/<patient>/… when the top folders are batch \
            folders (137covid, normal1, …), else every top folder holding DICOM files is a patient, else --from is \
            one patient. Files may have any names and be nested at any depth; series are grouped by \
            SeriesInstanceUID, named SR_<SeriesNumber> and ordered head first by ImagePositionPatient \
            (InstanceNumber as fallback). JPEG, JPEG-LS and RLE compressed files are decoded; a series that cannot \
            be read is left out with its reason and the rest is written (exit 1 if anything was left out). CSV files \
            at --from's root are copied; without a Patients_metadata.csv one is written with each series' pixel \
            spacing and slice thickness. No patient-identifying header value is written.
            """
    )

    @Option(name: .long, help: "Folder of DICOM files (a dataset of patients, or one patient).")
    var from: String
    @Option(name: .long, help: "Output folder (must not exist or be empty).")
    var to: String

    func run() throws {
        try CLIErrors.mapped {
            let result = try DICOMConverter.convertDataset(from: from, to: to)
            for line in DICOMImport.summary(result) { print(line) }
            let series = result.patients.reduce(0) { $0 + $1.result.written.count }
            let slices = result.patients.reduce(0) { $0 + $1.result.written.reduce(0) { $0 + $1.slices } }
            print("\(result.patients.count) patients, \(series) series, \(slices) slices written to \(to)")
            if !result.failed.isEmpty || result.patients.contains(where: { !$0.result.excluded.isEmpty }) {
                Console.error("error: some series or patients were left out (listed above)\n")
                throw ExitCode(1)
            }
        }
    }
}
