import Analysis
import ArgumentParser
import AtomicFiles
import Foundation

/// `paper-repro cluster …`: running a preset's work on a cluster.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a preset's trainings on a cluster.",
        subcommands: [SlurmCommand.self]
    )
}

/// `paper-repro cluster slurm --preset paper --out DIR [--submit]`: a Slurm job array with one
/// task per training stage of the preset, and a job that depends on it and runs `all`.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write (and with --submit, submit) a Slurm job array of a preset's trainings and a job that collects the report.",
        discussion: """
            Every training stage of the preset (train-<model>-fold<k>, and the dataset audit's \
            train-fpn-series-balanced-fold<k>) becomes one task of a job array; each task runs `paper-repro \
            train … --shared-cache` against the shared stage cache (--runs, on a filesystem every node sees), so \
            tasks that need the same upstream stage (the data, the folds) compute it once. A task whose stage \
            has finished exits at once; an interrupted task resumes from its last finished epoch when \
            resubmitted. The collect job starts when every task has succeeded (afterok) and runs `paper-repro \
            all`, which finds the trainings in the cache. Paths in the scripts are absolute.
            """
    )

    @Option(name: .long, help: "Preset name (a file <name>.json in --configs).")
    var preset = "paper"
    @Option(name: .long, help: "Folder of preset files.")
    var configs = "configs"
    @Option(name: .long, help: "Stage cache root, on a filesystem shared by the nodes.")
    var runs = "runs"
    @Option(name: .long, help: "Report folder the collect job writes.")
    var report = "report"
    @Option(name: .long, help: "Dataset root (as for `paper-repro all --data`); default: the preset's data source.")
    var data: String?
    @Option(name: .long, help: "Slurm partition (default: the cluster's default).")
    var partition: String?
    @Option(name: .long, help: "Time limit per training task, in Slurm's format (e.g. 2-00:00:00).")
    var time = "7-00:00:00"
    @Option(name: .long, help: "Time limit of the collect job.")
    var collectTime = "1-00:00:00"
    @Option(name: .long, help: "CPUs per task (the engine uses them all: SLURM_CPUS_PER_TASK).")
    var cpus = 8
    @Option(name: .long, help: "Memory per task, in Slurm's format (e.g. 16G).")
    var mem = "16G"
    @Option(name: .long, help: "The paper-repro executable the jobs run (default: this one).")
    var executable: String?
    @Option(name: .long, help: "Folder for the job scripts and their logs.")
    var out: String
    @Flag(name: .long, help: "Submit the array and the collect job with sbatch, and print their job ids.")
    var submit = false

    func validate() throws {
        guard cpus >= 1 else { throw ValidationError("--cpus must be at least 1") }
        for (name, value) in [("--time", time), ("--collect-time", collectTime), ("--mem", mem)]
        where value.isEmpty || value.contains(where: \.isWhitespace) {
            throw ValidationError("\(name) '\(value)' is not a Slurm value")
        }
    }

    /// The training stages of `preset`, as (model slug, fold, slices argument or nil).
    static func trainings(_ preset: Preset) -> [(stage: String, arguments: [String])] {
        var out: [(String, [String])] = []
        for m in ModelKind.allCases {
            for k in 1...max(preset.folds, 1) {
                out.append((TrainStage.stageName(m, fold: k), ["--model", m.slug, "--fold", "\(k)"]))
            }
        }
        let audit = SeriesBalanceStage.auditSlices(preset)
        for k in 1...max(preset.folds, 1) {
            out.append(
                (
                    TrainStage.stageName(SeriesBalanceStage.model, fold: k, slices: audit),
                    ["--model", SeriesBalanceStage.model.slug, "--fold", "\(k)", "--slices", audit.rawValue]
                ))
        }
        return out
    }

    /// A word for bash: single-quoted unless it is plain.
    static func quote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-:=+,@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String {
            URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path
        }
        let configsPath = CheckoutFolder.configs(configs).path
        let loaded: Preset
        do { loaded = try Preset.load(name: preset, directory: CheckoutFolder.configs(configs)) } catch {
            throw ValidationError("\(error)")
        }
        let invoked = CommandLine.arguments[0]
        let exe = absolute(executable ?? (invoked.contains("/") ? invoked : (Self.which(invoked) ?? invoked)))
        let outDir = URL(fileURLWithPath: absolute(out))
        let logs = outDir.appendingPathComponent("logs")
        try CLIErrors.mapped {
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            var common = ["--preset", loaded.name, "--configs", configsPath, "--runs", absolute(runs)]
            if let data { common += ["--data", absolute(data)] }
            let tasks = Self.trainings(loaded)
            func header(_ name: String, _ time: String, array: String?) -> [String] {
                var h = [
                    "#!/bin/bash", "# Written by `paper-repro cluster slurm` for preset \(loaded.name).",
                    "#SBATCH --job-name=\(name)", "#SBATCH --cpus-per-task=\(cpus)", "#SBATCH --mem=\(mem)",
                    "#SBATCH --time=\(time)", "#SBATCH --chdir=\(Self.quote(cwd))"
                ]
                if let partition { h.append("#SBATCH --partition=\(partition)") }
                if let array {
                    h += ["#SBATCH --array=\(array)", "#SBATCH --output=\(logs.path)/%x-%A_%a.out"]
                } else {
                    h.append("#SBATCH --output=\(logs.path)/%x-%j.out")
                }
                return h + ["set -euo pipefail", ""]
            }
            var train = header("paper-repro-\(loaded.name)-train", time, array: "0-\(tasks.count - 1)")
            train.append("# One training stage per array task (index: stage).")
            train.append("tasks=(")
            for (i, t) in tasks.enumerated() {
                train.append("  \(Self.quote(t.arguments.joined(separator: " ")))   # \(i): \(t.stage)")
            }
            train += [
                ")", "read -r -a task <<< \"${tasks[$SLURM_ARRAY_TASK_ID]}\"",
                "exec \(Self.quote(exe)) train \"${task[@]}\" \(common.map(Self.quote).joined(separator: " ")) --shared-cache --threads \"${SLURM_CPUS_PER_TASK:-1}\""
            ]
            var collect = header("paper-repro-\(loaded.name)-collect", collectTime, array: nil)
            collect.append(
                "exec \(Self.quote(exe)) all \(common.map(Self.quote).joined(separator: " ")) --report \(Self.quote(absolute(report))) --threads \"${SLURM_CPUS_PER_TASK:-1}\""
            )
            let trainFile = outDir.appendingPathComponent("train.sbatch"), collectFile = outDir.appendingPathComponent("collect.sbatch")
            try AtomicFile.write(Data((train.joined(separator: "\n") + "\n").utf8), to: trainFile)
            try AtomicFile.write(Data((collect.joined(separator: "\n") + "\n").utf8), to: collectFile)
            let commands = [
                "train=$(sbatch --parsable \(Self.quote(trainFile.path)))",
                "sbatch --dependency=afterok:${train%%;*} \(Self.quote(collectFile.path))"
            ]
            try AtomicFile.write(
                (["#!/bin/bash", "set -euo pipefail"] + commands).joined(separator: "\n") + "\n",
                to: outDir.appendingPathComponent("submit.sh"))
            chmod(outDir.appendingPathComponent("submit.sh").path, 0o755)
            print("\(tasks.count) training tasks (\(tasks.first!.stage) … \(tasks.last!.stage)) in \(trainFile.path)")
            print("collect job (paper-repro all) in \(collectFile.path)")
            if !submit {
                print("submit with:")
                for c in commands { print("  \(c)") }
                return
            }
            let arrayID = try Self.sbatch(["--parsable", trainFile.path])
            print("submitted job array \(arrayID)")
            let collectID = try Self.sbatch(["--parsable", "--dependency=afterok:\(arrayID)", collectFile.path])
            print("submitted collect job \(collectID) (after \(arrayID))")
        }
    }

    /// Runs sbatch and returns the job id it prints (`--parsable`: `id[;cluster]`).
    static func sbatch(_ arguments: [String]) throws -> String {
        guard let tool = which("sbatch") else { throw ValidationError("--submit: sbatch is not on PATH") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe; p.standardError = err
        try p.run(); p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard p.terminationStatus == 0,
            let id = out.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }),
            !id.isEmpty
        else {
            throw ValidationError(
                "sbatch \(arguments.joined(separator: " ")) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return id
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
