import Foundation

/// The paper's whole automated system for one patient (§3.2, Fig. 1): every slice of every
/// series → selection (§2.2) → classification of the selected slices → patient decision.
public enum PatientDiagnosis {
    /// One slice's fate.
    public struct SliceOutcome: Codable, Equatable, Sendable {
        public let series: String
        public let imageNumber: Int
        public let darkCount: Int
        public let selected: Bool
        /// P(COVID) for selected slices, nil for discarded ones.
        public let covidProbability: Double?
    }

    /// The result for one patient.
    public struct Result: Codable, Equatable, Sendable {
        public let patient: String
        public let rule: PatientRule
        public let decision: PatientDecision
        public let totalSlices: Int
        public let selectedSlices: Int
        public let covidSlices: Int
        public let slices: [SliceOutcome]
        /// Series that could not be processed, with the reason.
        public let failures: [SeriesFailure]
        /// Seconds spent in selection and in classification (timing fields: not deterministic).
        public let selectionSeconds: Double
        public let classificationSeconds: Double
    }

    /// Classifies slice files: returns P(COVID) per path, in order.
    public typealias Classifier = ([String]) throws -> [Double]

    /// The series of a patient folder (`<patient>/<SR_k>/IM#####.tif`), or the folder itself when
    /// it holds slices directly (a folder of one series).
    public static func series(inPatientFolder path: String) throws -> [Series] {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw DatasetError.notADirectory(path: path)
        }
        let entries = try DatasetReader.listing(url)
        func slices(_ files: [URL]) -> [SliceFile] {
            files.compactMap { f in DatasetReader.imageNumber(f.lastPathComponent).map { SliceFile(imageNumber: $0, path: f.path) } }
                .sorted { $0.imageNumber < $1.imageNumber }
        }
        let direct = slices(entries.files)
        if !direct.isEmpty {
            return [Series(name: url.lastPathComponent, directory: path, thicknessMM: nil, pixelSpacingMM: nil, slices: direct)]
        }
        let found = try entries.directories.map { dir in
            Series(
                name: dir.lastPathComponent, directory: dir.path, thicknessMM: nil, pixelSpacingMM: nil,
                slices: slices(try DatasetReader.listing(dir).files))
        }.filter { !$0.slices.isEmpty }
        if found.isEmpty { throw DatasetError.noPatients(path: path) }
        return found
    }

    /// Runs the system on a patient's series.
    public static func run(
        patient: String, series: [Series], parameters: SelectionParameters = .paper,
        rule: PatientRule = .paperThreshold2, classify: Classifier
    ) throws -> Result {
        let t0 = DispatchTime.now().uptimeNanoseconds
        var done: [(selection: SeriesSelection, series: Series)] = [], failures: [SeriesFailure] = []
        for s in series {
            do {
                done.append((try SliceSelector.select(series: s, patientID: patient, label: .normal, parameters: parameters), s))
            } catch {
                failures.append(SeriesFailure(patientID: patient, series: s.name, reason: "\(error)"))
            }
        }
        let t1 = DispatchTime.now().uptimeNanoseconds
        var paths: [String] = []
        for (sel, s) in done {
            for (i, keep) in sel.selected.enumerated() where keep { paths.append(s.slices[i].path) }
        }
        let probabilities = paths.isEmpty ? [] : try classify(paths)
        precondition(probabilities.count == paths.count, "the classifier must return one probability per slice")
        let t2 = DispatchTime.now().uptimeNanoseconds
        var outcomes: [SliceOutcome] = [], k = 0
        for (sel, _) in done {
            for i in sel.imageNumbers.indices {
                let p: Double? = sel.selected[i] ? probabilities[k] : nil
                if sel.selected[i] { k += 1 }
                outcomes.append(
                    SliceOutcome(
                        series: sel.series, imageNumber: sel.imageNumbers[i], darkCount: sel.counts[i],
                        selected: sel.selected[i], covidProbability: p))
            }
        }
        let slices = PatientSlices(patientID: patient, truth: .normal, covidProbabilities: probabilities)
        return Result(
            patient: patient, rule: rule, decision: slices.decide(rule), totalSlices: outcomes.count,
            selectedSlices: probabilities.count, covidSlices: slices.covidSlices, slices: outcomes,
            failures: failures, selectionSeconds: Double(t1 - t0) / 1e9, classificationSeconds: Double(t2 - t1) / 1e9)
    }
}
