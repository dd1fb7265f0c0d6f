import Analysis
import ArgumentParser
import Foundation
import Report

// MARK: - Shared options

/// Options every report command takes.
struct RunOptions: ParsableArguments {
    @Option(help: "Preset name: a file <name>.json in the configs folder (see `paper-repro presets`).")
    var preset: String = "default"

    @Option(help: "Use the real COVID-CTset at this path instead of the preset's data source.")
    var data: String?

    @Flag(help: "Rebuild every needed stage even when a cached result exists.")
    var force = false

    @Flag(
        help:
            "Make any data problem fatal (an unreadable slice, a series of mixed sizes or sample types); by default such series and files are left out and listed in Table 1's notes."
    )
    var strict = false

    @Option(help: "Folder of preset files.")
    var configs: String = "configs"

    @Option(help: "Stage cache root; stages are kept under <runs>/<preset>/<stage>/<key>/.")
    var runs: String = "runs"

    @Option(help: "Report folder.")
    var report: String = "report"

    @Option(help: "Folder of the report's Mustache templates and stylesheet.")
    var templates: String = "report-templates"

    /// The preset with `--data` applied.
    func loadPreset() throws -> Preset {
        try PresetInput.load(preset, configs: configs, data: data, runs: runs)
    }

    func builder() throws -> ReportBuilder {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let preset = try loadPreset()
        let options = ReportOptions(
            preset: preset, runsDirectory: URL(fileURLWithPath: runs),
            reportDirectory: URL(fileURLWithPath: report), templatesDirectory: CheckoutFolder.templates(templates),
            force: force, facts: RunFacts.current(directory: cwd), strictData: strict)
        let progress = StageProgress()
        let builder = ReportBuilder(options: options, onEvent: progress.show)
        builder.replacing = TrainingDisplay.trainingStages(preset: preset)
        return builder
    }
}

/// The preset a command runs: `configs/<name>.json`, with `--data` applied (a DICOM tree is
/// converted once into the stage cache).
enum PresetInput {
    static func load(_ name: String, configs: String, data: String?, runs: String) throws -> Preset {
        var preset: Preset
        do { preset = try Preset.load(name: name, directory: CheckoutFolder.configs(configs)) } catch {
            throw ValidationError("\(error)")
        }
        if let data {
            guard FileManager.default.fileExists(atPath: data) else { throw ValidationError("--data: no folder at \(data)") }
            preset.data.source = .real
            preset.data.realPath = try DICOMInput.datasetPath(data, runs: URL(fileURLWithPath: runs), preset: preset.name)
        }
        return preset
    }
}

/// A progress line per stage on stderr: rewritten in place on a terminal, plain lines otherwise.
final class StageProgress {
    let isTerminal = isatty(STDERR_FILENO) != 0

    func show(_ event: StageEvent) {
        switch event {
        case let .started(stage, index, total):
            if isTerminal { write("\r\u{1B}[2K[\(index)/\(total)] \(stage) …") }
        case let .finished(stage, index, total, seconds, reused):
            let how = reused ? "cached" : String(format: "%.2f s", seconds)
            write(
                isTerminal
                    ? "\r\u{1B}[2K[\(index)/\(total)] \(stage) done (\(how))\n"
                    : "stage \(index)/\(total) \(stage): done (\(how))\n")
        case let .computing(stage, reason):
            write(isTerminal ? "\r\u{1B}[2K\(stage): computing (\(reason))\n" : "\(stage): computing (\(reason))\n")
        }
    }

    private func write(_ text: String) {
        Console.error(text)
    }
}

/// Turns library errors into a message and exit code 1; lets argument errors through.
func runReporting(_ body: () throws -> Void) throws {
    do { try body() } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        Console.error("error: \(error)\n")
        throw ExitCode.failure
    }
}

// MARK: - Commands

/// `paper-repro all`: every figure and table, the audit, index.md/html and manifest.json.
struct AllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Build every figure and table and write the report.")

    @OptionGroup var options: RunOptions
    @OptionGroup var engine: EngineArguments

    func run() throws {
        engine.apply()
        try runReporting {
            let outcome = try options.builder().writeReport()
            let report = options.report
            let built = outcome.document.entries.filter { $0.built != nil }.count
            print(
                "wrote \(report)/index.md, \(report)/index.html, \(report)/manifest.json (\(built) of \(outcome.document.entries.count) entries reproduced)"
            )
            for failure in outcome.failures { Console.error("error: \(failure)\n") }
            if !outcome.failures.isEmpty { throw ExitCode.failure }
        }
    }
}

/// Shared body of `figure N` and `table N`.
func buildOne(_ id: EntryID, _ options: RunOptions) throws {
    try runReporting {
        let (record, files) = try options.builder().writeEntry(id)
        if let reason = record.pendingReason {
            print("\(id.label): not yet reproduced — \(reason)")
            throw ExitCode(2)
        }
        for file in files { print("wrote \(file.relativePath)") }
        for c in record.built?.comparisons ?? [] {
            print("  \(c.quantity): paper \(c.paper), this run \(c.ours), \(c.verdict.text)")
        }
        if let missing = record.built?.missingImage { print("  image not yet drawn — \(missing)") }
    }
}

/// The entry `number` names: one of the paper's `kind`s 1...`paperCount`, or the report's own
/// S1, S2, …; a usage error otherwise.
func entryID(_ number: String, _ kind: EntryKind, paperCount: Int) throws -> EntryID {
    guard let id = EntryID.parse(number, kind: kind), id.supplementary || (1...paperCount).contains(id.number) else {
        throw ValidationError("the paper has \(kind.rawValue)s 1-\(paperCount); the report's own are S1, S2, …; got '\(number)'")
    }
    return id
}

/// `paper-repro figure N`.
struct FigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figure", abstract: "Build one figure (the paper's 1-12 or the report's S1, …), running only the stages it needs.")

    @Argument(help: "Figure number: 1-12 (the paper's) or S1, S2, … (the report's own).") var number: String
    @OptionGroup var options: RunOptions
    @OptionGroup var engine: EngineArguments

    func validate() throws { _ = try entryID(number, .figure, paperCount: 12) }
    func run() throws {
        engine.apply()
        try buildOne(try entryID(number, .figure, paperCount: 12), options)
    }
}

/// `paper-repro table N`.
struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table", abstract: "Build one table (the paper's 1-8 or the report's S1, …), running only the stages it needs.")

    @Argument(help: "Table number: 1-8 (the paper's) or S1, S2, … (the report's own).") var number: String
    @OptionGroup var options: RunOptions
    @OptionGroup var engine: EngineArguments

    func validate() throws { _ = try entryID(number, .table, paperCount: 8) }
    func run() throws {
        engine.apply()
        try buildOne(try entryID(number, .table, paperCount: 8), options)
    }
}

/// `paper-repro verify --baseline OLD/manifest.json`: compare manifests, fail on drift.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare a report's manifest with a baseline; exit 1 and list what moved on drift.")

    @Option(help: "The baseline manifest.json.") var baseline: String
    @Option(help: "The fresh manifest.json to check.") var current: String = "report/manifest.json"
    @Option(help: "How far a number may move (absolute) before it counts as drift.") var tolerance: Double = 0

    func validate() throws {
        guard tolerance >= 0 else { throw ValidationError("--tolerance must be ≥ 0") }
    }

    func run() throws {
        try runReporting {
            let drift = ManifestDrift.compare(
                baseline: try Manifest.read(URL(fileURLWithPath: baseline)),
                current: try Manifest.read(URL(fileURLWithPath: current)), tolerance: tolerance)
            if drift.isClean {
                print("no drift: \(current) matches \(baseline)")
                return
            }
            print("drift: \(drift.changes.count) changes between \(baseline) and \(current)")
            for change in drift.changes { print("  \(change)") }
            throw ExitCode.failure
        }
    }
}

/// `paper-repro presets`: list the presets.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "presets", abstract: "List the presets in the configs folder.")

    @Option(help: "Folder of preset files.") var configs: String = "configs"

    func run() throws {
        try runReporting {
            for p in try Preset.loadAll(directory: CheckoutFolder.configs(configs)) {
                print("\(p.name): \(p.description)")
                print(
                    "    data \(p.data.source) (\(p.data.syntheticCovidPatients)+\(p.data.syntheticNormalPatients) patients, \(p.data.syntheticImageSize) px); model \(p.model.inputSize) px, width \(p.model.widthMultiplier), FPN \(p.model.fpnFeatures); \(p.training.epochs) epochs, batch \(p.training.batchSize), lr \(p.training.learningRate); \(p.folds) folds; seed \(p.seed)"
                )
            }
        }
    }
}

/// `paper-repro stages`: the stage graph of a preset, as names or as a Mermaid flowchart.
struct StagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages", abstract: "List the pipeline's stages for a preset, with what each reads.",
        discussion: "With --mermaid, print the graph as a Mermaid flowchart (the one in ARCHITECTURE.md).")

    @Option(help: "Preset name: a file <name>.json in the configs folder.") var preset: String = "default"
    @Option(help: "Folder of preset files.") var configs: String = "configs"
    @Flag(help: "Print a Mermaid flowchart instead of one line per stage.") var mermaid = false

    func run() throws {
        try runReporting {
            let loaded = try PresetInput.load(preset, configs: configs, data: nil, runs: "runs")
            let source = try DataSourceIdentity.of(loaded)
            if mermaid {
                print(try PipelineStages.mermaid(preset: loaded, dataSource: source), terminator: "")
                return
            }
            for stage in try PipelineStages.definitions(preset: loaded, dataSource: source) {
                print(stage.upstream.isEmpty ? stage.name : "\(stage.name) <- \(stage.upstream.joined(separator: ", "))")
            }
        }
    }
}
