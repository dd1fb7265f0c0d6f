import Foundation

/// Where COVID-CTset's expert labels come from: every row of `all.csv` with its series and the
/// slice thickness of that series (`Patient_details.csv`), and the rows that repeat a slice
/// already listed under another batch folder.
///
/// The paper (§2.1, §2.4) does not say that the two classes are drawn from different series:
/// in the real `all.csv` every normal row is an SR_2 slice, while most COVID rows are SR_3 or
/// SR_4, and the series differ in slice thickness. A classifier can separate the classes by the
/// series' appearance instead of the infection (shortcut learning; DeGrave, Janizek & Lee,
/// Nature Machine Intelligence 3, 610–619, 2021). This type counts those facts; it never
/// stores a number of its own.
public struct LabelSources: Sendable, Equatable {
    /// Which files the rows were read from.
    public enum Origin: String, Sendable, Equatable {
        /// The real dataset's metadata shipped with the project
        /// (`Sources/Analysis/Resources/covid-ctset/`); the synthetic twin reproduces its labels.
        case shipped
        /// `all.csv` and `Patient_details.csv` beside the images of the run's dataset.
        case dataset
        /// The index stage's labelled slices (already de-duplicated, so repeats are unknown) and
        /// its series thicknesses: a dataset without `all.csv`, e.g. the flat layout's fold CSVs.
        case index
    }

    /// One labelled row, in file order.
    public struct Row: Sendable, Equatable {
        public let slice: LabelledSlice
        /// Slice thickness of the row's series in mm; nil when the metadata has none (`N/A`).
        public let thicknessMM: Double?
        /// True when an earlier row names the same (patient, series, image) under another batch
        /// folder: the same image counted a second time.
        public let isRepeat: Bool
    }

    public let origin: Origin
    /// Every labelled row in file order, repeats included.
    public let rows: [Row]

    /// Rows from `slices` (in file order, repeats included) with thicknesses per patient and series.
    public init(origin: Origin, slices: [LabelledSlice], thicknessMM: [String: [String: Double]]) {
        var seen = Set<SliceKey>()
        self.origin = origin
        self.rows = slices.map { s in
            Row(slice: s, thicknessMM: thicknessMM[s.patientID]?[s.series], isRepeat: !seen.insert(s.key).inserted)
        }
    }

    // MARK: - Loading

    /// Reads `all.csv` (every row, repeats kept) and `Patient_details.csv`.
    /// - Throws: `MetadataError` naming the file: unreadable, a missing column, a malformed row,
    ///   or a labelled patient that `Patient_details.csv` does not list.
    public static func load(allCSV: URL, patientDetails: URL, origin: Origin) throws -> LabelSources {
        let records = try PatientDetails.load(from: patientDetails)
        let thickness = Dictionary(records.map { ($0.id, $0.thicknessMM) }, uniquingKeysWith: { a, _ in a })
        let slices = try readAllRows(allCSV)
        if let (line, s) = slices.enumerated().first(where: { thickness[$0.element.patientID] == nil }).map({ ($0.offset + 2, $0.element) })
        {
            throw MetadataError.malformed(
                file: allCSV.path, line: line,
                reason: "patient '\(s.patientID)' is not listed in \(patientDetails.path)")
        }
        return LabelSources(origin: origin, slices: slices, thicknessMM: thickness)
    }

    /// The real COVID-CTset metadata shipped with the project.
    public static func shipped() throws -> LabelSources {
        try load(
            allCSV: PatientDetails.bundledURL("all.csv"), patientDetails: PatientDetails.bundledURL("Patient_details.csv"),
            origin: .shipped)
    }

    /// The sources for a run: the shipped metadata for the synthetic twin (whose labels are
    /// the real ones); for a real dataset, `all.csv` and `Patient_details.csv` in its root
    /// when both exist, otherwise the index's labelled slices and series thicknesses.
    public static func forRun(dataset: Dataset?, synthetic: Bool) throws -> LabelSources {
        guard !synthetic, let dataset else { return try shipped() }
        let root = URL(fileURLWithPath: dataset.root)
        let all = root.appendingPathComponent("all.csv"), details = root.appendingPathComponent("Patient_details.csv")
        let fm = FileManager.default
        if fm.fileExists(atPath: all.path) && fm.fileExists(atPath: details.path) {
            return try load(allCSV: all, patientDetails: details, origin: .dataset)
        }
        var thickness: [String: [String: Double]] = [:]
        for p in dataset.patients { for s in p.series { if let t = s.thicknessMM { thickness[p.id, default: [:]][s.name] = t } } }
        return LabelSources(origin: .index, slices: dataset.labelled, thicknessMM: thickness)
    }

    /// Every row of a `filename,class` CSV, repeats kept (unlike `LabelledSlices.load`).
    static func readAllRows(_ url: URL) throws -> [LabelledSlice] {
        let table = try CSVTable(contentsOf: url)
        let file = try table.column("filename"), cls = try table.column("class")
        return try table.rows.enumerated().map { i, row in
            guard let label = ClassLabel(rawValue: row[cls].lowercased()) else {
                throw MetadataError.malformed(file: url.path, line: i + 2, reason: "class '\(row[cls])' is neither covid nor normal")
            }
            guard let s = LabelledSlice(filename: row[file], label: label) else {
                throw MetadataError.malformed(
                    file: url.path, line: i + 2, reason: "file name '\(row[file])' is not <batch>_<patient>_SR_k_IM#####.tif")
            }
            return s
        }
    }

    // MARK: - Counting

    /// Rows that repeat an earlier row's slice.
    public var repeats: [Row] { rows.filter(\.isRepeat) }

    /// The rows of one class, of the patients in `patients` (all when nil), repeats included
    /// or not.
    public func rows(_ label: ClassLabel, patients: Set<String>? = nil, repeats: Bool = true) -> [Row] {
        rows.filter { $0.slice.label == label && (repeats || !$0.isRepeat) && (patients?.contains($0.slice.patientID) ?? true) }
    }

    /// Counts of `rows(label, patients:, repeats:)` by series and by thickness.
    public func tally(_ label: ClassLabel, patients: Set<String>? = nil, repeats: Bool = true) -> Tally {
        Tally(rows(label, patients: patients, repeats: repeats))
    }

    /// The largest share of one patient's rows of class `label` that are repeats (0 when none).
    /// Any set of these patients with T rows holds at most T × this share repeats.
    public func maxRepeatShare(_ label: ClassLabel) -> Double {
        let byPatient = Dictionary(grouping: rows(label), by: \.slice.patientID)
        return byPatient.values.map { Double($0.filter(\.isRepeat).count) / Double($0.count) }.max() ?? 0
    }

    /// Every thickness that occurs, thinnest first, `nil` (unknown) last.
    public var thicknesses: [Double?] {
        let known = Set(rows.compactMap(\.thicknessMM)).sorted()
        return known.map(Optional.some) + (rows.contains { $0.thicknessMM == nil } ? [nil] : [])
    }

    /// Every series that occurs, in name order.
    public var seriesNames: [String] { Set(rows.map(\.slice.series)).sorted() }
}

/// Labelled images of one class (and set of patients) by series and by slice thickness.
public struct Tally: Sendable, Equatable {
    public let images: Int
    /// Series name -> images.
    public let bySeries: [String: Int]
    /// Thickness in mm (nil: unknown) -> images.
    public let byThickness: [Double?: Int]

    init(_ rows: [LabelSources.Row]) {
        images = rows.count
        bySeries = Dictionary(grouping: rows, by: \.slice.series).mapValues(\.count)
        byThickness = Dictionary(grouping: rows, by: \.thicknessMM).mapValues(\.count)
    }

    /// Images of `series` (0 when none).
    public func series(_ name: String) -> Int { bySeries[name] ?? 0 }
    /// Images of slices `mm` thick (nil: unknown; 0 when none).
    public func thickness(_ mm: Double?) -> Int { byThickness[mm] ?? 0 }
    /// Share of the images in `series`, or nan when there are none.
    public func seriesShare(_ name: String) -> Double { images == 0 ? .nan : Double(series(name)) / Double(images) }
    /// Share of the images `mm` thick, or nan when there are none.
    public func thicknessShare(_ mm: Double?) -> Double { images == 0 ? .nan : Double(thickness(mm)) / Double(images) }
}
