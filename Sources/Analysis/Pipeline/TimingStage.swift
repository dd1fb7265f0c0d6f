import AtomicFiles
import Foundation
import NeuralNet

/// The patients chosen to time, one per Table 7 row: deterministic, so it is the stage's result
/// that downstream keys and the report's manifest can rely on.
public struct TimingPlan: Codable, Equatable, Sendable {
    /// One Table 7 row.
    public struct Entry: Codable, Equatable, Sendable {
        /// Table 7's slice count this row stands for.
        public let target: Int
        public let patient: String
        public let label: ClassLabel
        /// Slices of every series of the patient.
        public let slices: Int
        public let series: Int
        /// Slices the selection keeps (§2.2); nil until measured.
        public var selected: Int?
    }

    public let model: ModelKind
    public let fold: Int
    public let scale: ModelScale
    public let batchSize: Int
    /// Timed runs per path, after one untimed warm-up run.
    public let repeats: Int
    public let rule: PatientRule
    public var entries: [Entry]
}

/// The wall-clock measurement of the `timing` stage (`timing.json`): a timing record, kept out
/// of the stage's output hash.
public struct TimingRecord: Codable, Equatable, Sendable {
    /// One Table 7 row as measured here.
    public struct Entry: Codable, Equatable, Sendable {
        public let target: Int
        public let patient: String
        public let slices: Int
        public let selected: Int
        /// The system as the paper runs it (selection, then the selected slices classified).
        public let withSelection: SystemTiming.Measurement
        /// Every slice classified.
        public let withoutSelection: SystemTiming.Measurement
    }

    /// Where the numbers were measured.
    public struct Machine: Codable, Equatable, Sendable {
        /// Active processor cores.
        public let cores: Int
        /// `model name` of /proc/cpuinfo, nil where it cannot be read.
        public let cpuModel: String?
        public let operatingSystem: String

        /// This machine.
        public static func current() -> Machine {
            var model: String?
            if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
                let colon = line.firstIndex(of: ":")
            {
                model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return Machine(
                cores: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model,
                operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString)
        }
    }

    public let machine: Machine
    public let model: ModelKind
    public let fold: Int
    public let scale: ModelScale
    public let batchSize: Int
    public let repeats: Int
    public let entries: [Entry]
}

/// The `timing` stage (§3.2, Table 7): the paper times its whole automated system on patients
/// with 35, 52, 56, 65, 130, 198, 355 and 406 slices (a Tesla P100). For each of those counts
/// this stage takes fold 1's test patient whose total slice count is closest, and times the
/// ResNet50V2-FPN fold-1 best model on it at the preset's scale with `SystemTiming`: warm,
/// median of three, with and without the selection step.
///
/// Outputs `timing-plan.json` (`TimingPlan`: the chosen patients and their slice and selected
/// counts — deterministic, the stage's output hash) and `timing.json` (`TimingRecord`:
/// wall-clock seconds and machine facts — a timing record, left out of the hash).
public enum TimingStage: Stage {
    public static let name = "timing"
    public static let planFile = "timing-plan.json"
    public static let file = "timing.json"
    /// Table 7's slice counts.
    public static let paperTargets = [35, 52, 56, 65, 130, 198, 355, 406]
    /// The model and fold the paper times ("our model"; fold 1 here).
    public static let model = ModelKind.resnet50v2FPN
    public static let fold = 1

    /// The stage definition. `targets` and `repeats` default to the paper's rows and a median
    /// of three; tests pass fewer. Cost: every chosen patient's slices are classified
    /// `2 × (repeats + 1)` times over (with and without selection, warm-up included) — about half
    /// a minute for the eight rows at the default preset's scale in a release build, minutes in
    /// a debug build.
    /// What is timed and how: the network and fold, the slice-count targets, the repeats, the
    /// decision rule, and the network's input preparation, scale and batch size.
    public struct Config: Codable, Sendable, Equatable {
        var format = 1
        public var model: ModelKind, fold: Int, targets: [Int], repeats: Int, rule: PatientRule
        public var preparation: InputPreparation, scale: ModelScale, batchSize: Int
        public var selection = SelectionParameters.paper
    }

    public static func definition(
        preset: Preset, targets: [Int] = paperTargets, repeats: Int = 3,
        rule: PatientRule = .paperThreshold2
    ) -> StageDefinition {
        precondition(!targets.isEmpty && repeats >= 1, "need targets and at least one timed run")
        let training = TrainStage.config(model, preset: preset)
        var definition = StageDefinition(
            TimingStage.self, upstream: [IndexStage.name, FoldsStage.name, TrainStage.name],
            config: Config(
                model: model, fold: fold, targets: targets, repeats: repeats, rule: rule, preparation: training.preparation,
                scale: training.scale, batchSize: training.evaluationBatchSize))
        // The measured seconds differ on every run; the plan alone identifies the result.
        definition.isTimingRecord = { $0 == file }
        return definition
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let folds = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        guard let testFold = folds.folds.first(where: { $0.index == config.fold }) else { throw TimingError.noPatients(fold: config.fold) }
        let test = Set(testFold.testPatients)
        let candidates = dataset.patients.filter { test.contains($0.id) && $0.sliceCount > 0 }
        guard !candidates.isEmpty else { throw TimingError.noPatients(fold: config.fold) }
        var plan = TimingPlan(
            model: config.model, fold: config.fold, scale: config.scale, batchSize: config.batchSize,
            repeats: config.repeats, rule: config.rule, entries: choose(targets: config.targets, patients: candidates))

        let trained = try TrainStage.read(from: context.upstream(TrainStage.name))
        let training = try trained.require(config.model, fold: config.fold)
        guard training.scale == config.scale, training.preparation == config.preparation else {
            throw PipelineError.stageFailed(
                stage: name, reason: "the trained network's scale or input preparation differs from the timing plan's")
        }
        let graph = try TrainStage.bestModel(training, fold: config.fold, from: trained.directory)
        let classifier = SliceClassifier(graph: graph, preparation: config.preparation, batchSize: config.batchSize)
        let byID = Dictionary(candidates.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var entries: [TimingRecord.Entry] = []
        var measured: [String: SystemTiming.Result] = [:]  // a patient chosen twice is timed once
        for i in plan.entries.indices {
            let e = plan.entries[i]
            let r =
                try measured[e.patient]
                ?? SystemTiming.measure(
                    patient: e.patient, series: byID[e.patient]!.series,
                    classifier: classifier, rule: config.rule, repeats: config.repeats)
            measured[e.patient] = r
            plan.entries[i].selected = r.selectedSlices
            entries.append(
                TimingRecord.Entry(
                    target: e.target, patient: e.patient, slices: r.totalSlices,
                    selected: r.selectedSlices, withSelection: r.withSelection,
                    withoutSelection: r.withoutSelection))
        }
        let record = TimingRecord(
            machine: .current(), model: config.model, fold: config.fold, scale: config.scale,
            batchSize: config.batchSize, repeats: config.repeats, entries: entries)
        let out = context.outputDirectory
        try AtomicFile.write(CanonicalJSON.encodePretty(plan), to: out.appendingPathComponent(planFile))
        try AtomicFile.write(CanonicalJSON.encodePretty(record), to: out.appendingPathComponent(file))
    }

    /// One patient per target: the one whose total slice count is closest to it (ties: the
    /// lower patient ID in natural order). Targets are served in order; a patient already taken
    /// is taken again only when every candidate has been taken.
    public static func choose(targets: [Int], patients: [Patient]) -> [TimingPlan.Entry] {
        precondition(!patients.isEmpty, "need patients to choose from")
        let sorted = patients.sorted { naturalLess($0.id, $1.id) }
        var used: Set<String> = []
        return targets.map { target in
            let pool = sorted.filter { !used.contains($0.id) }
            var best: Patient?
            for p in pool.isEmpty ? sorted : pool where best == nil || abs(p.sliceCount - target) < abs(best!.sliceCount - target) {
                best = p
            }
            used.insert(best!.id)
            return TimingPlan.Entry(
                target: target, patient: best!.id, label: best!.label, slices: best!.sliceCount,
                series: best!.series.count, selected: nil)
        }
    }

    /// Reads the measurement (`timing.json`).
    public static func read(from directory: URL) throws -> TimingRecord {
        try IndexStage.read(TimingRecord.self, directory.appendingPathComponent(file))
    }

    /// Reads the chosen patients (`timing-plan.json`).
    public static func readPlan(from directory: URL) throws -> TimingPlan {
        try IndexStage.read(TimingPlan.self, directory.appendingPathComponent(planFile))
    }
}
