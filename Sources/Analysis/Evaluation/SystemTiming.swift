import Foundation

/// Times the paper's whole automated system on one patient (§3.2, Table 7), broken into its
/// steps, with and without the slice selection.
///
/// The path timed is the one `PatientDiagnosis.run` takes with a `SliceClassifier`:
/// 1. read + select: each slice's selection row band is read and its dark pixels counted, and
///    each series' threshold applied (§2.2);
/// 2. read + prepare: the selected slices are read whole, resized and scaled for the network;
/// 3. inference: the network classifies them, `batchSize` at a time;
/// 4. decision: the per-slice outcomes are assembled and the patient rule applied.
///
/// Without selection, every slice of every series goes through steps 2-4 (the authors compare
/// the two in their notebooks). Listing the patient's folder is not timed.
///
/// Each path runs once untimed (warm: file cache, allocator, BLAS threads), then `repeats`
/// times; the result keeps every run and the run whose total is the median. Wall-clock
/// numbers: never assert them in tests.
public enum SystemTiming {
    /// Seconds of one run of the path, per step. `total` is measured around the whole run, so
    /// the steps add up to at most `total` (the rest is bookkeeping between steps).
    public struct Steps: Codable, Equatable, Sendable {
        /// Reading the selection row bands and selecting (0 without selection).
        public var readSelect: Double
        /// Reading and preparing the classified slices for the network.
        public var readPrepare: Double
        /// Network inference on the classified slices.
        public var inference: Double
        /// Assembling the outcomes and applying the patient rule.
        public var decision: Double
        /// The whole run.
        public var total: Double

        public init(readSelect: Double, readPrepare: Double, inference: Double, decision: Double, total: Double) {
            self.readSelect = readSelect; self.readPrepare = readPrepare; self.inference = inference
            self.decision = decision; self.total = total
        }

        /// Sum of the four steps (≤ `total`).
        public var stepSum: Double { readSelect + readPrepare + inference + decision }
    }

    /// The timed runs of one path.
    public struct Measurement: Codable, Equatable, Sendable {
        /// Slices classified by the network on this path.
        public let classified: Int
        /// Selected slices classified COVID (P > 0.5).
        public let covidSlices: Int
        /// The patient decision the path reached.
        public let decision: PatientDecision
        /// Every timed run, in order (the warm-up run is not included).
        public let runs: [Steps]
        /// The run whose total is the median of the runs' totals (the lower middle run for an
        /// even count); its steps add up to at most its total.
        public let median: Steps
        /// Each step's own median over the runs (these need not add up to `stepMedians.total`).
        public let stepMedians: Steps

        init(classified: Int, covidSlices: Int, decision: PatientDecision, runs: [Steps]) {
            precondition(!runs.isEmpty, "a measurement needs at least one run")
            self.classified = classified; self.covidSlices = covidSlices; self.decision = decision; self.runs = runs
            let order = runs.indices.sorted { runs[$0].total < runs[$1].total }
            median = runs[order[(runs.count - 1) / 2]]
            func med(_ f: (Steps) -> Double) -> Double {
                let v = runs.map(f).sorted()
                return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            }
            stepMedians = Steps(
                readSelect: med(\.readSelect), readPrepare: med(\.readPrepare), inference: med(\.inference),
                decision: med(\.decision), total: med(\.total))
        }
    }

    /// The timing of one patient.
    public struct Result: Codable, Equatable, Sendable {
        public let patient: String
        public let series: Int
        /// Slices of every series.
        public let totalSlices: Int
        /// Slices the selection kept.
        public let selectedSlices: Int
        public let rule: PatientRule
        /// Timed runs per path (after one untimed warm-up run).
        public let repeats: Int
        /// Images per network pass.
        public let batchSize: Int
        /// Network input side in pixels.
        public let inputSize: Int
        /// The system as the paper runs it: selection, then classification of the selected slices.
        public let withSelection: Measurement
        /// Every slice classified, no selection.
        public let withoutSelection: Measurement
    }

    /// Times the system on the patient folder at `path` (`<patient>/SR_k/IM#####.tif`, or a
    /// folder of one series); the patient's name is the folder's.
    /// - Throws: `DatasetError` when the folder holds no slices, `TimingError` when a series
    ///   cannot be selected, `TIFFError` naming a slice that cannot be read.
    public static func measure(
        patientFolder path: String, classifier: SliceClassifier,
        parameters: SelectionParameters = .paper, rule: PatientRule = .paperThreshold2,
        repeats: Int = 3
    ) throws -> Result {
        let series = try PatientDiagnosis.series(inPatientFolder: path)
        return try measure(
            patient: URL(fileURLWithPath: path).lastPathComponent, series: series, classifier: classifier,
            parameters: parameters, rule: rule, repeats: repeats)
    }

    /// Times the system on `series` of `patient`: each path once untimed, then `repeats` times.
    /// - Throws: `TimingError.seriesFailed` when the selection cannot process a series (a
    ///   timing of a partial patient would mislead), `TIFFError` naming an unreadable slice.
    public static func measure(
        patient: String, series: [Series], classifier: SliceClassifier,
        parameters: SelectionParameters = .paper, rule: PatientRule = .paperThreshold2,
        repeats: Int = 3
    ) throws -> Result {
        precondition(repeats >= 1, "at least one timed run")
        precondition(!series.isEmpty, "a patient needs at least one series")
        var selected: [(steps: Steps, result: PatientDiagnosis.Result)] = []
        for i in 0...repeats {
            let run = try withSelection(patient: patient, series: series, classifier: classifier, parameters: parameters, rule: rule)
            if i > 0 { selected.append(run) }
        }
        var all: [(steps: Steps, slices: PatientSlices, decision: PatientDecision)] = []
        for i in 0...repeats {
            let run = try withoutSelection(patient: patient, series: series, classifier: classifier, rule: rule)
            if i > 0 { all.append(run) }
        }
        let last = selected[selected.count - 1].result, lastAll = all[all.count - 1]
        return Result(
            patient: patient, series: series.count, totalSlices: last.totalSlices, selectedSlices: last.selectedSlices,
            rule: rule, repeats: repeats, batchSize: classifier.batchSize, inputSize: classifier.preparation.size,
            withSelection: Measurement(
                classified: last.selectedSlices, covidSlices: last.covidSlices, decision: last.decision,
                runs: selected.map(\.steps)),
            withoutSelection: Measurement(
                classified: lastAll.slices.covidProbabilities.count, covidSlices: lastAll.slices.covidSlices,
                decision: lastAll.decision, runs: all.map(\.steps)))
    }

    // MARK: - One run of each path

    /// One run of the system as `PatientDiagnosis.run` does it, with the classifier's timing.
    static func withSelection(
        patient: String, series: [Series], classifier: SliceClassifier,
        parameters: SelectionParameters, rule: PatientRule
    ) throws -> (steps: Steps, result: PatientDiagnosis.Result) {
        let timing = SliceClassifier.Timing()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let result = try PatientDiagnosis.run(patient: patient, series: series, parameters: parameters, rule: rule) {
            try classifier.classify($0, timing: timing)
        }
        let total = seconds(since: t0)
        if let failure = result.failures.first {
            throw TimingError.seriesFailed(patient: patient, series: failure.series, reason: failure.reason)
        }
        // The classifier's steps happen inside `classificationSeconds`; what is left of the run
        // after selection and classification is assembling the outcomes and deciding.
        let decision = max(0, total - result.selectionSeconds - result.classificationSeconds)
        let steps = Steps(
            readSelect: result.selectionSeconds, readPrepare: timing.readSeconds,
            inference: timing.classifySeconds, decision: decision, total: total)
        return (steps, result)
    }

    /// One run classifying every slice, no selection.
    static func withoutSelection(
        patient: String, series: [Series], classifier: SliceClassifier,
        rule: PatientRule
    ) throws -> (steps: Steps, slices: PatientSlices, decision: PatientDecision) {
        let timing = SliceClassifier.Timing()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let paths = series.flatMap { $0.slices.map(\.path) }
        let probabilities = try classifier.classify(paths, timing: timing)
        let t1 = DispatchTime.now().uptimeNanoseconds
        let slices = PatientSlices(patientID: patient, truth: .normal, covidProbabilities: probabilities)
        let decision = slices.decide(rule)
        let t2 = DispatchTime.now().uptimeNanoseconds
        let steps = Steps(
            readSelect: 0, readPrepare: timing.readSeconds, inference: timing.classifySeconds,
            decision: Double(t2 - t1) / 1e9, total: Double(t2 - t0) / 1e9)
        return (steps, slices, decision)
    }

    private static func seconds(since t0: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
}

/// A patient the timing cannot measure, with the reason.
public enum TimingError: Error, Equatable, CustomStringConvertible {
    /// The selection could not process `series` (e.g. an unreadable slice).
    case seriesFailed(patient: String, series: String, reason: String)
    /// The fold has no test patient to time.
    case noPatients(fold: Int)

    public var description: String {
        switch self {
        case let .seriesFailed(p, s, r): return "\(p)/\(s): \(r)"
        case let .noPatients(f): return "fold \(f) has no test patient with slices to time"
        }
    }
}
