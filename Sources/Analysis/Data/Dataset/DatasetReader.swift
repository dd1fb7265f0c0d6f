import Foundation
import NeuralNet

/// Reads a COVID-CTset tree from disk (§2.1) in either layout:
/// - raw: `<root>/<batch folder>/<patientN>/<SR_k>/IM#####.tif`, class from the batch folder
///   name (`137covid`, `normal1`, ...), demographics from `<root>/Patient_details.csv`, pixel
///   spacing from `<root>/Patients_metadata.csv`, labelled slices from `<root>/all.csv`;
/// - flat (the training & validation layout): `<root>/<batch>_<patient>_<SR_k>_IM#####.tif`
///   with `filename,class` CSVs (`all.csv`, `trainN.csv`, `validationN.csv`, `testN.csv`).
///
/// Problems in the data are reported in `Dataset.notes`, never by crashing: duplicates across
/// batch folders (one kept), patients in the CSV without a folder and the reverse, empty series,
/// non-TIFF files (skipped). A series whose slices differ in size or sample type, or hold
/// several pages, is left out with its reason (`Dataset.excludedSeries`), and the rest is read;
/// with `strict` it is an error.
public enum DatasetReader {
    public struct Options: Sendable {
        /// Open every slice's header to check it is a TIFF and that sizes agree within a series.
        public var checkSlices: Bool = true
        /// Make any data problem fatal: an unreadable slice or an unusable series throws.
        public var strict: Bool = false
        public init(checkSlices: Bool = true, strict: Bool = false) { self.checkSlices = checkSlices; self.strict = strict }
    }

    /// Reads the dataset at `root`.
    public static func read(root: String, options: Options = Options()) throws -> Dataset {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rootURL.path, isDirectory: &isDir), isDir.boolValue else {
            throw DatasetError.notADirectory(path: root)
        }
        var notes = NoteBook()
        let entries = try listing(rootURL)
        let flatFiles = entries.files.filter { isTIFFName($0.lastPathComponent) && $0.lastPathComponent.contains("_SR_") }
        var found: [String: PatientBuilder]
        let layout: DatasetLayout
        if !flatFiles.isEmpty && entries.directories.allSatisfy({ ClassLabel(batchName: $0.lastPathComponent) == nil }) {
            layout = .flat
            found = readFlat(flatFiles, root: rootURL, notes: &notes)
        } else {
            layout = .raw
            found = try readRaw(entries.directories, notes: &notes)
        }
        if found.isEmpty { throw DatasetError.noPatients(path: root) }

        // Metadata beside the images, when present.
        let details = try optionalCSV(rootURL, "Patient_details.csv") { try PatientDetails.load(from: $0) } ?? []
        let records = Dictionary(details.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let scan = try optionalCSV(rootURL, "Patients_metadata.csv") { try PatientsMetadata.load(from: $0) } ?? [:]
        if !details.isEmpty {
            let noFolder = details.map(\.id).filter { found[$0] == nil }
            notes.add("patients listed in Patient_details.csv without a folder", noFolder)
            let noRow = found.keys.filter { records[$0] == nil }.sorted(by: naturalLess)
            notes.add("patient folders not listed in Patient_details.csv", noRow)
            for problem in PatientDetails.problems(details) { notes.add(problem.what, problem.items) }
            let conflicts = found.keys.sorted(by: naturalLess).compactMap { id -> String? in
                guard let r = records[id], let b = found[id], r.label != b.label else { return nil }
                return "\(id) (folder \(b.batch): \(b.label.rawValue); CSV: \(r.label.rawValue))"
            }
            notes.add("patients whose batch folder and Patient_details.csv disagree on the class (the folder's is used)", conflicts)
        }

        var patients: [Patient] = []
        for id in found.keys.sorted(by: naturalLess) {
            let b = found[id]!
            var series: [Series] = []
            for name in b.series.keys.sorted() {
                let slices = b.series[name]!.values.sorted { $0.imageNumber < $1.imageNumber }
                series.append(
                    Series(
                        name: name, directory: b.directories[name] ?? rootURL.path,
                        thicknessMM: records[id]?.thicknessMM[name] ?? scan[id]?[name]?.sliceThicknessMM,
                        pixelSpacingMM: scan[id]?[name]?.pixelSpacingMM, slices: slices))
            }
            patients.append(Patient(id: id, batch: b.batch, label: b.label, record: records[id], series: series))
        }
        var problems = (excluded: [DataProblem](), skipped: [DataProblem]())
        if options.checkSlices { problems = try checkSlices(&patients, notes: &notes, strict: options.strict) }
        let excludedDirectories = Set(problems.excluded.map(\.path))
        notes.add(
            "empty series (no slices), left out",
            patients.flatMap { p in
                p.series.filter { $0.slices.isEmpty && !excludedDirectories.contains($0.directory) }
                    .map { "\(p.id)/\($0.name)" }
            })
        for i in patients.indices { patients[i].series.removeAll { $0.slices.isEmpty } }
        let emptyPatients = patients.filter { $0.series.isEmpty }.map(\.id)
        notes.add("patients without any slice, left out", emptyPatients)
        patients.removeAll { $0.series.isEmpty }
        if patients.isEmpty { throw DatasetError.noPatients(path: root) }

        var labelled = try readLabelled(rootURL, layout: layout, flatFiles: flatFiles, notes: &notes)
        // Keep only labelled slices whose file exists (a subset of the cohort, e.g. a small twin,
        // ships the whole all.csv).
        let present = Set(
            patients.flatMap { p in
                p.series.flatMap { s in
                    s.slices.map {
                        SliceKey(patientID: p.id, series: s.name, imageNumber: $0.imageNumber)
                    }
                }
            })
        let missing = labelled.filter { !present.contains($0.key) }
        if !missing.isEmpty {
            notes.add(
                "labelled slices without an image file, left out",
                missing.map { "\($0.patientID)/\($0.series)/IM\(String(format: "%05d", $0.imageNumber))" })
            labelled.removeAll { !present.contains($0.key) }
        }
        return Dataset(
            root: rootURL.path, layout: layout, patients: patients, labelled: labelled, notes: notes.lines,
            excludedSeries: problems.excluded.isEmpty ? nil : problems.excluded,
            skippedFiles: problems.skipped.isEmpty ? nil : problems.skipped)
    }

    // MARK: - Raw layout

    /// Slices found for one patient id, possibly across several batch folders.
    struct PatientBuilder {
        var batch: String
        var label: ClassLabel
        var series: [String: [Int: SliceFile]] = [:]
        var directories: [String: String] = [:]
    }

    static func readRaw(_ batchDirs: [URL], notes: inout NoteBook) throws -> [String: PatientBuilder] {
        var found: [String: PatientBuilder] = [:]
        var duplicates: [String] = [], skipped: [String] = [], conflicts: [String] = []
        for batchURL in batchDirs.sorted(by: { naturalLess($0.lastPathComponent, $1.lastPathComponent) }) {
            let batch = batchURL.lastPathComponent
            guard let label = ClassLabel(batchName: batch) else {
                notes.add("folders whose name says neither covid nor normal, skipped", [batch]); continue
            }
            let patientDirs = try listing(batchURL)
            skipped += patientDirs.files.map(\.path)
            for patientURL in patientDirs.directories {
                let id = patientURL.lastPathComponent
                var builder = found[id] ?? PatientBuilder(batch: batch, label: label)
                if builder.label != label { conflicts.append("\(id) (\(builder.batch) and \(batch))") }
                let seriesDirs = try listing(patientURL)
                skipped += seriesDirs.files.map(\.path)
                for seriesURL in seriesDirs.directories {
                    let name = seriesURL.lastPathComponent
                    if builder.directories[name] == nil { builder.directories[name] = seriesURL.path }
                    var slices = builder.series[name] ?? [:]
                    let files = try listing(seriesURL)
                    // The synthetic twin's ground truth lives beside the slices.
                    skipped += files.directories.filter { $0.lastPathComponent != "lesion_masks" }.map(\.path)
                    for file in files.files where file.lastPathComponent != "ground_truth.csv" {
                        guard let number = imageNumber(file.lastPathComponent) else { skipped.append(file.path); continue }
                        if slices[number] != nil {
                            duplicates.append("\(id)/\(name)/IM\(String(format: "%05d", number))")
                        } else {
                            slices[number] = SliceFile(imageNumber: number, path: file.path)
                        }
                    }
                    builder.series[name] = slices
                }
                found[id] = builder
            }
        }
        if !duplicates.isEmpty {
            notes.add("slices present under two batch folders (first kept)", duplicates)
        }
        notes.add("files that are not IM#####.tif slices, skipped", skipped)
        notes.add("patients found under batch folders of both classes (first kept)", conflicts)
        return found
    }

    // MARK: - Flat layout

    static func readFlat(_ files: [URL], root: URL, notes: inout NoteBook) -> [String: PatientBuilder] {
        var found: [String: PatientBuilder] = [:]
        var duplicates: [String] = [], unparsed: [String] = []
        for file in files.sorted(by: { naturalLess($0.lastPathComponent, $1.lastPathComponent) }) {
            let name = file.lastPathComponent
            let batchName = String(name.prefix { $0 != "_" })
            guard let label = ClassLabel(batchName: batchName),
                let s = LabelledSlice(filename: name, label: label)
            else { unparsed.append(name); continue }
            var builder = found[s.patientID] ?? PatientBuilder(batch: s.batch, label: label)
            if builder.series[s.series]?[s.imageNumber] != nil {
                duplicates.append(name)
            } else {
                builder.series[s.series, default: [:]][s.imageNumber] = SliceFile(imageNumber: s.imageNumber, path: file.path)
            }
            builder.directories[s.series] = root.path
            found[s.patientID] = builder
        }
        notes.add("slices present under two batch prefixes (first kept)", duplicates)
        notes.add("files whose names are not <batch>_<patient>_SR_k_IM#####.tif, skipped", unparsed)
        return found
    }

    // MARK: - Labelled slices

    static func readLabelled(_ root: URL, layout: DatasetLayout, flatFiles: [URL], notes: inout NoteBook) throws -> [LabelledSlice] {
        var csvs = [root.appendingPathComponent("all.csv")].filter { FileManager.default.fileExists(atPath: $0.path) }
        if csvs.isEmpty {
            csvs = try listing(root).files.filter {
                let n = $0.lastPathComponent
                return n.hasSuffix(".csv") && (n.hasPrefix("train") || n.hasPrefix("validation") || n.hasPrefix("test"))
            }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        var seen = Set<SliceKey>(), out: [LabelledSlice] = [], dups = 0
        for csv in csvs {
            let (slices, d) = try LabelledSlices.load(from: csv)
            dups += d
            // The same slice in several fold CSVs (train1, test2, ...) is expected: kept once.
            for s in slices where seen.insert(s.key).inserted { out.append(s) }
        }
        if dups > 0 {
            notes.add("labelled rows repeating the same patient/series/image under another batch (one kept): \(dups)", [])
        }
        if csvs.isEmpty && layout == .flat {
            out = flatFiles.compactMap { url in
                let n = url.lastPathComponent
                return ClassLabel(batchName: String(n.prefix { $0 != "_" })).flatMap { LabelledSlice(filename: n, label: $0) }
            }
        }
        return out
    }

    // MARK: - Slice checks

    /// Opens every slice header (both cores). A file that cannot be read is skipped; a series
    /// whose slices differ in size or sample type, or that holds a file of several pages, is left
    /// out (its slices removed). Both are listed with their reasons and summarised in `notes`.
    /// With `strict`, the first problem (in dataset order) is thrown instead.
    static func checkSlices(
        _ patients: inout [Patient], notes: inout NoteBook,
        strict: Bool = false
    ) throws -> (excluded: [DataProblem], skipped: [DataProblem]) {
        struct Job { let p: Int; let s: Int }
        struct Outcome { var kept: [SliceFile] = []; var bad: [DataProblem] = []; var unusable: DatasetError? = nil }
        let jobs = patients.indices.flatMap { p in patients[p].series.indices.map { Job(p: p, s: $0) } }
        var results = [Outcome?](repeating: nil, count: jobs.count)
        let lock = NSLock()
        Parallel.run(workers: jobs.count) { j in
            let series = patients[jobs[j].p].series[jobs[j].s]
            var out = Outcome()
            var first: (size: String, type: String, file: String)? = nil
            for slice in series.slices {
                let name = (slice.path as NSString).lastPathComponent
                do {
                    let info = try TIFFReader.info(slice.path)
                    if info.pages > 1 { out.unusable = .multiPageSlice(path: slice.path, pages: info.pages); break }
                    let size = "\(info.width)x\(info.height)", type = info.sampleDescription
                    if let f = first, f.size != size {
                        out.unusable = .mixedSliceSizes(
                            series: series.directory, first: "\(f.size) in \(f.file)", other: "\(size) in \(name)")
                        break
                    }
                    if let f = first, f.type != type {
                        out.unusable = .mixedSampleTypes(
                            series: series.directory, first: "\(f.type) in \(f.file)", other: "\(type) in \(name)")
                        break
                    }
                    if first == nil { first = (size, type, name) }
                    out.kept.append(slice)
                } catch let error as TIFFError {
                    out.bad.append(DataProblem(path: slice.path, reason: Self.reason(error, path: slice.path)))
                } catch { out.bad.append(DataProblem(path: slice.path, reason: "\(error)")) }
            }
            lock.lock(); results[j] = out; lock.unlock()
        }
        var excluded: [DataProblem] = [], skipped: [DataProblem] = []
        for (j, r) in results.enumerated() {
            let out = r!
            if strict, let bad = out.bad.first { throw DatasetError.unreadableSlice(path: bad.path, reason: bad.reason) }
            if let e = out.unusable {
                if strict { throw e }
                let series = patients[jobs[j].p].series[jobs[j].s]
                excluded.append(DataProblem(path: series.directory, reason: Self.reason(e, path: series.directory)))
                patients[jobs[j].p].series[jobs[j].s].slices = []
            } else {
                patients[jobs[j].p].series[jobs[j].s].slices = out.kept
            }
            skipped += out.bad
        }
        notes.add("slice files that could not be read as TIFF, skipped", skipped.map(\.description))
        notes.add("series that cannot be used as a series, left out", excluded.map(\.description))
        return (excluded, skipped)
    }

    /// An error's message without the path it starts with (the problem lists the path apart).
    static func reason(_ error: CustomStringConvertible, path: String) -> String {
        let text = error.description
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }

    // MARK: - Helpers

    static func listing(_ url: URL) throws -> (directories: [URL], files: [URL]) {
        let items = try FileManager.default.contentsOfDirectory(
            at: url, includingPropertiesForKeys: [.isDirectoryKey],
            options: [.skipsHiddenFiles])
        var dirs: [URL] = [], files: [URL] = []
        for item in items {
            if (try? item.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true { dirs.append(item) } else { files.append(item) }
        }
        return (
            dirs.sorted { naturalLess($0.lastPathComponent, $1.lastPathComponent) },
            files.sorted { naturalLess($0.lastPathComponent, $1.lastPathComponent) }
        )
    }

    static func optionalCSV<T>(_ root: URL, _ name: String, _ load: (URL) throws -> T) throws -> T? {
        let url = root.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? try load(url) : nil
    }

    static func isTIFFName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".tif") || lower.hasSuffix(".tiff")
    }

    /// The number of `IM#####.tif` (case-insensitive), or nil for any other name.
    static func imageNumber(_ name: String) -> Int? {
        guard isTIFFName(name), name.uppercased().hasPrefix("IM") else { return nil }
        let digits = name.dropFirst(2).prefix { $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }
}

/// Orders names with embedded numbers naturally: patient2 < patient10.
public func naturalLess(_ a: String, _ b: String) -> Bool {
    a.compare(b, options: [.numeric]) == .orderedAscending
}

/// Collects notes of the reader: one line per kind, with a count and the first examples.
struct NoteBook {
    private(set) var lines: [String] = []
    mutating func add(_ what: String, _ items: [String]) {
        if items.isEmpty {
            if what.contains(":") { lines.append(what) }
            return
        }
        let examples = items.prefix(3).joined(separator: ", ")
        lines.append("\(what): \(items.count)" + " (e.g. \(examples)\(items.count > 3 ? ", …" : ""))")
    }
}
