import Analysis
import ArgumentParser
import Foundation
import NeuralNet

/// `paper-repro diagnose PATIENT_DIR --weights W`: the paper's whole automated system on one
/// patient (§3.2, Fig. 1) — every slice of every series, the selection (§2.2), the selected
/// slices classified by a trained network, and the patient decision (Tables 5, 6).
struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Diagnose one patient with the whole automated system: selection, classification, decision (§3.2).",
        discussion: """
            PATIENT_DIR holds the patient's series as COVID-CTset stores them (<patient>/SR_k/IM#####.tif), \
            or is a folder of one series. The model scale must be the one the weights were trained at: it is \
            taken from --preset (default: default) unless --size, --width and --features give it.
            """
    )

    @Argument(help: "Patient folder (<patient>/SR_k/IM#####.tif), or a folder of one series.")
    var patientDir: String
    @Option(name: .long, help: "Trained weights (a best.safetensors of `paper-repro train` or the train stage).")
    var weights: String
    @Option(name: .long, help: "Network: fpn (ResNet50V2-FPN, the paper's), resnet50v2 or xception.")
    var model: ModelKind = .resnet50v2FPN
    @Option(name: .long, help: "Preset whose model scale the weights were trained at (default: default).")
    var preset: String?
    @Option(name: .long, help: "Folder of preset files.")
    var configs = "configs"
    @Option(name: .long, help: "Input size in pixels (overrides the preset's).")
    var size: Int?
    @Option(name: .long, help: "Backbone width multiplier (overrides the preset's).")
    var width: Double?
    @Option(name: .long, help: "FPN features (overrides the preset's).")
    var features: Int?
    @Option(name: .long, help: "Input scaling the weights were trained with: raw (the paper's), fixed or per-image-max.")
    var inputScaling: InputScaling = .raw
    @Option(
        name: .long,
        help: "Patient rule: 1 (COVID slices > 0), 2 (COVID slices ≥ 0.1 × selected, the default), fraction:F, mean:P or topk:K:P.")
    var threshold = "2"
    @Option(name: .long, help: "Slices per network pass (default: the preset's evaluation batch, 32).")
    var batch: Int?
    @Flag(name: .long, help: "Print JSON: counts per series and every slice (series, image number, dark count, selected, P(COVID)).")
    var json = false
    @Flag(name: .long, help: "Also time the system (Table 7): each step, warm, median of --repeats runs, with and without the selection.")
    var timing = false
    @Option(name: .long, help: "Timed runs per path with --timing (after one untimed warm-up run).")
    var repeats = 3
    @OptionGroup var engine: EngineArguments

    func validate() throws {
        _ = try Self.rule(threshold)
        if let size, size < 1 { throw ValidationError("--size must be positive") }
        if let width, width <= 0 { throw ValidationError("--width must be positive") }
        if let features, features < 1 { throw ValidationError("--features must be positive") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
    }

    /// The patient rule `text` names (`--threshold`).
    static func rule(_ text: String) throws -> PatientRule {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func number(_ s: String) throws -> Double {
            guard let v = Double(s), v.isFinite, v >= 0 else {
                throw ValidationError("--threshold \(text): '\(s)' is not a non-negative number")
            }
            return v
        }
        switch (parts[0], parts.count) {
        case ("1", 1): return .paperThreshold1
        case ("2", 1): return .paperThreshold2
        case ("fraction", 2): return .atLeastFraction(try number(parts[1]))
        case ("mean", 2): return .meanProbability(try number(parts[1]))
        case ("topk", 3):
            guard let k = Int(parts[1]), k >= 1 else { throw ValidationError("--threshold \(text): K must be a positive integer") }
            return .topKMean(k: k, p: try number(parts[2]))
        default:
            throw ValidationError("--threshold must be 1, 2, fraction:F, mean:P or topk:K:P (got '\(text)')")
        }
    }

    /// The training configuration the weights belong to: the preset's, with explicit options applied.
    func trainingConfig() throws -> TrainingConfig {
        var config: TrainingConfig
        if preset == nil, let size, let width, let features {
            config = TrainingConfig(model: model, scale: ModelScale(inputSize: size, widthMultiplier: width, fpnFeatures: features))
        } else {
            let name = preset ?? "default"
            let p: Preset
            do { p = try Preset.load(name: name, directory: CheckoutFolder.configs(configs)) } catch {
                throw ValidationError("\(error) (or give the model scale with --size, --width and --features)")
            }
            config = TrainStage.config(model, preset: p)
            if let size { config.scale.inputSize = size }
            if let width { config.scale.widthMultiplier = width }
            if let features { config.scale.fpnFeatures = features }
        }
        config.inputScaling = inputScaling
        if let batch { config.evaluationBatchSize = batch }
        return config
    }

    func run() throws {
        engine.apply()
        let config = try trainingConfig()
        if model == .resnet50v2FPN, config.scale.inputSize < ResNet50V2FPN.minimumInput {
            throw ValidationError("the FPN needs an input size ≥ \(ResNet50V2FPN.minimumInput) (got \(config.scale.inputSize))")
        }
        let rule = try Self.rule(threshold)
        try CLIErrors.mapped {
            // A DICOM patient is read through a temporary COVID-CTset-layout copy.
            var folder = patientDir
            var temporary: URL?
            defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
            if DICOMImport.isDICOMTree(patientDir) {
                let tmp = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "paper-repro-dicom-\(getpid())-\(UUID().uuidString.prefix(8))")
                temporary = tmp
                let name = URL(fileURLWithPath: patientDir).standardizedFileURL.lastPathComponent
                let converted = try DICOMConverter.convertPatient(from: patientDir, to: tmp.appendingPathComponent(name).path)
                for e in converted.excluded { Console.error("warning: left out: \(e)\n") }
                folder = tmp.appendingPathComponent(name).path
            }
            let series: [Series]
            do { series = try PatientDiagnosis.series(inPatientFolder: folder) } catch DatasetError.noPatients {
                throw DiagnoseError.noSlices(path: patientDir)
            }
            let graph = try config.model.build(scale: config.scale, seed: 0)
            do { try graph.loadWeights(from: URL(fileURLWithPath: weights)) } catch let error as WeightsError {
                switch error {
                case .missingTensor, .unexpectedTensor, .shapeMismatch:
                    throw DiagnoseError.weights(error, model: config.model, scale: config.scale)
                default: throw error
                }
            }
            let classifier = SliceClassifier(graph: graph, preparation: config.preparation, batchSize: config.evaluationBatchSize)
            let patient = URL(fileURLWithPath: patientDir).standardizedFileURL.lastPathComponent
            let result = try PatientDiagnosis.run(patient: patient, series: series, rule: rule) { try classifier.classify($0) }
            if !result.failures.isEmpty {
                for f in result.failures { Console.error("error: \(f.patientID)/\(f.series): \(f.reason)\n") }
                throw ExitCode(1)
            }
            var report = DiagnosisReport(result, folder: patientDir, weights: weights, config: config)
            if timing {
                report.timing = try SystemTiming.measure(
                    patient: patient, series: series, classifier: classifier,
                    rule: rule, repeats: repeats)
            }
            print(json ? try JSONOutput.string(report) : report.text())
        }
    }
}

/// What `diagnose` prints: the decision, counts per series and in total, and every slice.
struct DiagnosisReport: Codable {
    struct SeriesCounts: Codable, Equatable {
        let series: String
        let slices: Int
        let selected: Int
        /// Selected slices classified COVID (P(COVID) > 0.5).
        let covid: Int
    }

    let patient: String
    let folder: String
    let model: ModelKind
    let weights: String
    let scale: ModelScale
    let rule: PatientRule
    let ruleDescription: String
    let decision: PatientDecision
    let totalSlices: Int
    let selectedSlices: Int
    let covidSlices: Int
    let series: [SeriesCounts]
    /// Every slice of every series, in series then image-number order.
    let slices: [PatientDiagnosis.SliceOutcome]
    let selectionSeconds: Double
    let classificationSeconds: Double
    /// With `--timing`: the system timed step by step (Table 7).
    var timing: SystemTiming.Result?

    init(_ r: PatientDiagnosis.Result, folder: String, weights: String, config: TrainingConfig) {
        patient = r.patient; self.folder = folder; model = config.model; self.weights = weights; scale = config.scale
        rule = r.rule; ruleDescription = r.rule.description; decision = r.decision
        totalSlices = r.totalSlices; selectedSlices = r.selectedSlices; covidSlices = r.covidSlices
        var order: [String] = []
        var bySeries: [String: [PatientDiagnosis.SliceOutcome]] = [:]
        for s in r.slices {
            if bySeries[s.series] == nil { order.append(s.series) }
            bySeries[s.series, default: []].append(s)
        }
        series = order.map { name in
            let s = bySeries[name]!
            return SeriesCounts(
                series: name, slices: s.count, selected: s.filter(\.selected).count,
                covid: s.filter { ClassDecision.isCovid($0.covidProbability ?? 0) }.count)
        }
        slices = r.slices
        selectionSeconds = r.selectionSeconds; classificationSeconds = r.classificationSeconds
    }

    /// A compact table per series, the selected slices' probabilities, and a summary line.
    func text() -> String {
        var lines = ["\(patient): \(model.rawValue) at \(scale.inputSize) px, weights \(weights)", ""]
        let w = max(6, series.map(\.series.count).max() ?? 0)
        func row(_ name: String, _ a: Int, _ b: Int, _ c: Int) -> String {
            name.padding(toLength: w, withPad: " ", startingAt: 0) + String(format: " %8d %9d %7d", a, b, c)
        }
        lines.append("series".padding(toLength: w, withPad: " ", startingAt: 0) + "   slices  selected   COVID")
        for s in series { lines.append(row(s.series, s.slices, s.selected, s.covid)) }
        lines.append(row("total", totalSlices, selectedSlices, covidSlices))
        if selectedSlices > 0 {
            lines.append("")
            lines.append("P(COVID) of the selected slices (* = classified COVID):")
            for s in series where s.selected > 0 {
                let items = slices.filter { $0.series == s.series && $0.selected }.map { o -> String in
                    let p = o.covidProbability ?? 0
                    return String(format: "%d:%.3f%@", o.imageNumber, p, ClassDecision.isCovid(p) ? "*" : "")
                }
                var line = "  \(s.series):"
                for item in items {
                    if line.count + item.count + 1 > 100 {
                        lines.append(line); line = "  " + String(repeating: " ", count: s.series.count + 1)
                    }
                    line += " " + item
                }
                lines.append(line)
            }
        }
        lines.append("")
        let seconds = String(format: "%.2f s", selectionSeconds + classificationSeconds)
        switch decision {
        case .undetermined:
            lines.append("\(patient): UNDETERMINED — no slice of \(totalSlices) was selected (\(seconds))")
        case .covid, .normal:
            lines.append(
                "\(patient): \(decision == .covid ? "COVID-19" : "normal") — \(covidSlices) of \(selectedSlices) selected slices (of \(totalSlices)) classified COVID; rule: \(rule) (\(seconds))"
            )
        }
        if let t = timing { lines += [""] + Self.timingLines(t) }
        return lines.joined(separator: "\n")
    }

    /// The timing table: median run of each path, by step.
    static func timingLines(_ t: SystemTiming.Result) -> [String] {
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func row(_ name: String, _ m: SystemTiming.Measurement, selection: Bool) -> String {
            let s = m.median
            let cells = [
                String(m.classified), selection ? String(format: "%.3f", s.readSelect) : "—",
                String(format: "%.3f", s.readPrepare), String(format: "%.3f", s.inference),
                String(format: "%.4f", s.decision), String(format: "%.3f", s.total)
            ]
            return name.padding(toLength: 18, withPad: " ", startingAt: 0)
                + zip(cells, [10, 12, 13, 10, 9, 8]).map { right($0, $1) }.joined()
        }
        return [
            "timing (seconds; warm, the median of \(t.repeats) runs; \(t.inputSize) px, batch \(t.batchSize), \(ProcessInfo.processInfo.activeProcessorCount) cores):",
            "".padding(toLength: 18, withPad: " ", startingAt: 0)
                + zip(["classified", "read+select", "read+prepare", "inference", "decision", "total"], [10, 12, 13, 10, 9, 8])
                .map { right($0, $1) }.joined(),
            row("with selection", t.withSelection, selection: true),
            row("without selection", t.withoutSelection, selection: false)
        ]
    }
}

/// A patient `diagnose` cannot process.
enum DiagnoseError: Error, CustomStringConvertible {
    /// The folder holds no `IM#####.tif` slices, directly or in series folders.
    case noSlices(path: String)
    /// The weights do not fit the model built at the requested scale.
    case weights(WeightsError, model: ModelKind, scale: ModelScale)

    var description: String {
        switch self {
        case .noSlices(let p):
            return "\(p): no slices found (expected <patient>/SR_k/IM#####.tif, or IM#####.tif files in a series folder)"
        case let .weights(e, m, s):
            return
                "\(e) — the weights do not fit \(m.rawValue) at \(s.inputSize) px, width \(s.widthMultiplier), \(s.fpnFeatures) FPN features; give the scale they were trained at (--preset, or --size, --width and --features)"
        }
    }
}
