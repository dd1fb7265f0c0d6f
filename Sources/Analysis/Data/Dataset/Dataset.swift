import Foundation

/// One CT image file of a series.
public struct SliceFile: Codable, Equatable, Sendable {
    /// The number in `IM#####.tif`.
    public let imageNumber: Int
    /// Absolute path of the TIFF file.
    public let path: String
}

/// One series (`SR_2`, `SR_3` or `SR_4`) of a patient: its slices in image-number order.
public struct Series: Codable, Equatable, Sendable {
    public let name: String
    /// Folder of the series (raw layout), or the dataset root (flat layout).
    public let directory: String
    public let thicknessMM: Double?
    public let pixelSpacingMM: Double?
    public var slices: [SliceFile]
}

/// A patient: demographics (when `Patient_details.csv` lists them) and series.
public struct Patient: Codable, Equatable, Sendable {
    /// Folder name, e.g. `patient12`.
    public let id: String
    /// Batch folder, e.g. `137covid`.
    public let batch: String
    public let label: ClassLabel
    public let record: PatientRecord?
    public var series: [Series]

    /// Total number of slices over all series.
    public var sliceCount: Int { series.reduce(0) { $0 + $1.slices.count } }
}

/// How the files of a dataset are laid out on disk.
public enum DatasetLayout: String, Codable, Sendable {
    /// `<root>/<batch>/<patientN>/<SR_k>/IM#####.tif`
    case raw
    /// `<root>/<batch>_<patient>_<SR_k>_IM#####.tif` with `filename,class` CSVs
    case flat
}

/// A COVID-CTset dataset as read from disk (§2.1): patients, their series and slices, the
/// expert-labelled slices, and everything noticed while reading.
public struct Dataset: Codable, Sendable {
    public let root: String
    public let layout: DatasetLayout
    /// Patients ordered by patient number.
    public var patients: [Patient]
    /// The labelled slices (`all.csv`), de-duplicated.
    public var labelled: [LabelledSlice]
    /// Warnings and notes, one line each (duplicates, missing folders, skipped files, ...).
    public var notes: [String]
    /// Every series left out because it cannot be used as a series (slices of mixed sizes or
    /// sample types, a file of several pages), with the reason; nil in indexes written before.
    public var excludedSeries: [DataProblem]? = nil
    /// Every slice file skipped because it cannot be read, with the reason.
    public var skippedFiles: [DataProblem]? = nil

    public init(
        root: String, layout: DatasetLayout, patients: [Patient], labelled: [LabelledSlice], notes: [String],
        excludedSeries: [DataProblem]? = nil, skippedFiles: [DataProblem]? = nil
    ) {
        self.root = root; self.layout = layout; self.patients = patients; self.labelled = labelled; self.notes = notes
        self.excludedSeries = excludedSeries; self.skippedFiles = skippedFiles
    }

    /// Patients of one class.
    public func patients(_ label: ClassLabel) -> [Patient] { patients.filter { $0.label == label } }

    /// The first `count` patients of each class (in patient-number order) and their labelled
    /// slices: a stated subset (`Preset.DataSource.patientSubset`), the same for every run.
    public func subset(patientsPerClass count: Int) -> Dataset {
        precondition(count >= 1, "a subset needs at least one patient per class")
        var kept: [Patient] = []
        var taken: [ClassLabel: Int] = [:]
        for patient in patients where taken[patient.label, default: 0] < count {
            kept.append(patient)
            taken[patient.label, default: 0] += 1
        }
        let ids = Set(kept.map(\.id))
        var result = self
        result.patients = kept
        result.labelled = labelled.filter { ids.contains($0.patientID) }
        result.notes.append("Subset: the first \(count) patients of each class (\(kept.count) of \(patients.count) patients).")
        return result
    }

    /// Table 1's counts for this dataset.
    public var counts: DatasetCounts {
        let covid = patients(.covid), normal = patients(.normal)
        return DatasetCounts(
            covidPatients: covid.count, normalPatients: normal.count,
            covidImages: covid.reduce(0) { $0 + $1.sliceCount },
            normalImages: normal.reduce(0) { $0 + $1.sliceCount })
    }
}

/// A series or file left out of a dataset, and why.
public struct DataProblem: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The series folder or the file.
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}

/// Patients and images per class (Table 1).
public struct DatasetCounts: Codable, Equatable, Sendable {
    public let covidPatients: Int
    public let normalPatients: Int
    public let covidImages: Int
    public let normalImages: Int

    public init(covidPatients: Int, normalPatients: Int, covidImages: Int, normalImages: Int) {
        self.covidPatients = covidPatients; self.normalPatients = normalPatients
        self.covidImages = covidImages; self.normalImages = normalImages
    }
}

/// A dataset that cannot be read, with the path and the reason.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case notADirectory(path: String)
    case noPatients(path: String)
    case mixedSliceSizes(series: String, first: String, other: String)
    case mixedSampleTypes(series: String, first: String, other: String)
    case multiPageSlice(path: String, pages: Int)
    case unreadableSlice(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let p): return "\(p): not a directory"
        case .noPatients(let p):
            return
                "\(p): no COVID-CTset patients found (expected <batch>/<patientN>/<SR_k>/IM#####.tif, or flat <batch>_<patient>_<SR_k>_IM#####.tif files)"
        case .mixedSliceSizes(let s, let a, let b): return "\(s): slices of different sizes (\(a) and \(b))"
        case .mixedSampleTypes(let s, let a, let b):
            return "\(s): slices of different sample types (\(a) and \(b)); their values would be misread"
        case .multiPageSlice(let p, let n): return "\(p): \(n) images in one file (a slice has one)"
        case .unreadableSlice(let p, let r): return "\(p): \(r)"
        }
    }
}
