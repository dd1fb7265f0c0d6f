import Foundation

/// The real COVID-CTset cohort as the synthetic twin sees it: per patient the record of
/// `Patient_details.csv`, the scanner tags of `Patients_metadata.csv`, the labelled image numbers
/// of `all.csv` (de-duplicated) and the batch folder the patient is filed under.
public struct SynthCohort: Sendable {
    /// One patient of the cohort.
    public struct Patient: Sendable {
        public let record: PatientRecord
        /// Batch folder (`137covid`, `normal1`, ...): the prefix of the patient's first row in
        /// `all.csv` in file order (a patient listed under two batches keeps the first).
        public let batch: String
        /// Series name -> scanner tags (absent for series marked N/A).
        public let metadata: [String: SeriesMetadata]
        /// Series name -> sorted labelled image numbers from `all.csv`.
        public let labelled: [String: [Int]]
        /// The series that exist: thickness given in `Patient_details.csv`, or labelled slices
        /// in `all.csv` (patient78 and patient83 list SR_2 slices without a thickness).
        public var seriesNames: [String] {
            Analysis.seriesNames.filter { record.thicknessMM[$0] != nil || labelled[$0] != nil }
        }
    }

    /// Patients in `Patient_details.csv` order.
    public let patients: [Patient]

    /// Loads the cohort from a folder holding the three metadata CSVs.
    public static func load(from folder: URL) throws -> SynthCohort {
        let records = try PatientDetails.load(from: folder.appendingPathComponent("Patient_details.csv"))
        let meta = try PatientsMetadata.load(from: folder.appendingPathComponent("Patients_metadata.csv"))
        let slices = try LabelledSlices.load(from: folder.appendingPathComponent("all.csv")).slices
        var batch: [String: String] = [:]
        var labelled: [String: [String: [Int]]] = [:]
        for s in slices {
            if batch[s.patientID] == nil { batch[s.patientID] = s.batch }
            labelled[s.patientID, default: [:]][s.series, default: []].append(s.imageNumber)
        }
        let patients = records.map { r in
            Patient(
                record: r,
                batch: batch[r.id] ?? (r.label == .covid ? "137covid" : "normal1"),
                metadata: meta[r.id] ?? [:],
                labelled: (labelled[r.id] ?? [:]).mapValues { Array(Set($0)).sorted() })
        }
        return SynthCohort(patients: patients)
    }

    /// The cohort of the real metadata bundled with the project.
    public static func bundled() throws -> SynthCohort {
        try load(from: PatientDetails.bundledURL("Patient_details.csv").deletingLastPathComponent())
    }

    /// The patients a selection names, in cohort order.
    /// - `.all`: every patient. `.firstBalanced(n)`: the first `n/2` COVID and the first
    ///   `n - n/2` normal patients (fewer if a class runs out). `.ids`: the listed ids.
    /// Throws `SynthError.unknownPatient` for an id not in the cohort.
    public func select(_ selection: PatientSelection) throws -> [Patient] {
        switch selection {
        case .all:
            return patients
        case .firstBalanced(let n):
            let nc = n / 2, nn = n - n / 2
            let covid = patients.filter { $0.record.label == .covid }.prefix(nc).map(\.record.id)
            let normal = patients.filter { $0.record.label == .normal }.prefix(nn).map(\.record.id)
            let keep = Set(covid + normal)
            return patients.filter { keep.contains($0.record.id) }
        case .ids(let ids):
            let byID = Dictionary(uniqueKeysWithValues: patients.map { ($0.record.id, $0) })
            let wanted = Set(ids)
            for id in ids where byID[id] == nil { throw SynthError.unknownPatient(id) }
            return patients.filter { wanted.contains($0.record.id) }
        }
    }
}

/// Which patients of the cohort the twin generates.
public enum PatientSelection: Hashable, Sendable {
    case all
    /// The first n patients balanced by class (n/2 COVID, the rest normal).
    case firstBalanced(Int)
    /// Patients by id (`patient12`).
    case ids([String])

    /// Parses the command-line form: `all`, a count `N`, or `id,id,...`.
    public init?(argument: String) {
        let a = argument.trimmingCharacters(in: .whitespaces)
        if a == "all" { self = .all; return }
        if let n = Int(a) { guard n > 0 else { return nil }; self = .firstBalanced(n); return }
        let ids = a.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty, ids.allSatisfy({ $0.hasPrefix("patient") }) else { return nil }
        self = .ids(ids)
    }
}

/// Errors of the synthetic twin.
public enum SynthError: Error, Equatable, CustomStringConvertible {
    case unknownPatient(String)
    case unknownSeries(patient: String, series: String)
    case unknownImage(patient: String, series: String, imageNumber: Int)
    case io(path: String, reason: String)
    /// A ground-truth file of the twin that cannot be read.
    case badTruth(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownPatient(let p): return "no patient '\(p)' in the cohort"
        case .unknownSeries(let p, let s): return "patient '\(p)' has no series '\(s)'"
        case .unknownImage(let p, let s, let n): return "\(p)/\(s) has no image number \(n)"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .badTruth(let path, let reason): return "\(path): \(reason)"
        }
    }
}
