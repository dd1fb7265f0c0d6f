import Foundation

/// Writes DICOM CT series in COVID-CTset's layout: `<patient>/SR_k/IM#####.tif`, 16-bit,
/// stored value = HU + 1024 (clamped to 0...4095), images numbered from 1 head first.
public enum DICOMConverter {
    /// What converting one patient folder did.
    public struct PatientResult: Sendable {
        /// Series written: name, slices, and what ordered them.
        public var written: [(name: String, slices: Int, ordering: String)]
        /// Series or files left out, with reasons.
        public var excluded: [DICOMError]
        public var skipped: Int
        public var series: [DICOMSeries]
    }

    /// Converts the series below `dicomFolder` into `patientFolder` (created; series folders
    /// appear complete or not at all). A series with an undecodable slice is left out with its
    /// reason and the others are written.
    /// - Throws: `DICOMError.noSeries` when nothing could be written.
    public static func convertPatient(from dicomFolder: String, to patientFolder: String) throws -> PatientResult {
        let scan = try DICOMSeriesReader.scan(dicomFolder)
        var result = PatientResult(written: [], excluded: scan.excluded, skipped: scan.skipped.count, series: [])
        let fm = FileManager.default
        try createFolder(patientFolder)
        for s in scan.series {
            let final = URL(fileURLWithPath: patientFolder).appendingPathComponent(s.name)
            let partial = URL(fileURLWithPath: patientFolder).appendingPathComponent(".\(s.name).partial-\(getpid())")
            try? fm.removeItem(at: partial)
            do {
                try createFolder(partial.path)
                for (i, file) in s.files.enumerated() {
                    let hu = try DICOMFile.hounsfield(file, rows: s.rows, columns: s.columns)
                    let image = TIFFImage(width: s.columns, height: s.rows, uint16: DICOMFile.storedValues(hounsfield: hu))
                    try TIFFWriter.write(image, to: partial.appendingPathComponent(String(format: "IM%05d.tif", i + 1)).path)
                }
                if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
                try fm.moveItem(at: partial, to: final)
                result.written.append((s.name, s.files.count, s.ordering))
                result.series.append(s)
            } catch {
                try? fm.removeItem(at: partial)
                let reason = (error as? DICOMError)?.description ?? "\(error)"
                result.excluded.append(.unusableSeries(folder: dicomFolder, series: s.name, reason: reason))
            }
        }
        if result.written.isEmpty {
            if let e = result.excluded.first {
                throw DICOMError.unusableSeries(folder: dicomFolder, series: "all", reason: "no series could be read; first problem: \(e)")
            }
            throw DICOMError.noSeries(path: dicomFolder)
        }
        return result
    }

    /// What converting a dataset did, per patient folder (relative output path).
    public struct DatasetResult: Sendable {
        public var patients: [(folder: String, result: PatientResult)]
        public var failed: [(folder: String, error: DICOMError)]
        /// Whether `Patients_metadata.csv` was written from the headers (no CSV of that name at
        /// the source root).
        public var wroteMetadata: Bool
    }

    /// Converts a tree of DICOM patients into COVID-CTset's raw layout under `output` (which must
    /// not exist or be empty). Patient folders are found as COVID-CTset arranges them:
    /// `<batch>/<patient>/…` when the top folders are batch folders (`137covid`, `normal1`, …),
    /// else every top folder holding DICOM files is a patient, else `input` itself is one. Any
    /// nesting below a patient folder is read. The CSV files at `input`'s root (`all.csv`,
    /// `Patient_details.csv`, …) are copied; without a `Patients_metadata.csv`, one is written
    /// with each series' PixelSpacing, SliceThickness, Rows and Columns (no identifying field).
    public static func convertDataset(from input: String, to output: String) throws -> DatasetResult {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue else {
            throw DICOMError.unreadable(file: input, reason: "not a folder")
        }
        if fm.fileExists(atPath: output), let items = try? fm.contentsOfDirectory(atPath: output), !items.isEmpty {
            throw DICOMError.unreadable(file: output, reason: "the output folder is not empty (nothing was written)")
        }
        let patients = patientFolders(input)
        guard !patients.isEmpty else { throw DICOMError.noSeries(path: input) }
        try createFolder(output)
        var result = DatasetResult(patients: [], failed: [], wroteMetadata: false)
        for rel in patients {
            let src = rel.isEmpty ? input : URL(fileURLWithPath: input).appendingPathComponent(rel).path
            let name = rel.isEmpty ? URL(fileURLWithPath: input).lastPathComponent : rel
            do {
                let r = try convertPatient(from: src, to: URL(fileURLWithPath: output).appendingPathComponent(name).path)
                result.patients.append((name, r))
            } catch {
                result.failed.append((name, error as? DICOMError ?? .unreadable(file: src, reason: "\(error)")))
            }
        }
        let top = (try? fm.contentsOfDirectory(atPath: input)) ?? []
        for csv in top.sorted() where csv.lowercased().hasSuffix(".csv") {
            try copyAtomically(
                URL(fileURLWithPath: input).appendingPathComponent(csv), to: URL(fileURLWithPath: output).appendingPathComponent(csv))
        }
        if !top.contains("Patients_metadata.csv") {
            try metadataCSV(result.patients).write(
                to: URL(fileURLWithPath: output).appendingPathComponent("Patients_metadata.csv"),
                atomically: true, encoding: .utf8)
            result.wroteMetadata = true
        }
        return result
    }

    /// Patient folders of `input`, relative to it ("" = `input` itself).
    static func patientFolders(_ input: String) -> [String] {
        let fm = FileManager.default
        func dirs(_ path: String) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted().filter {
                var d: ObjCBool = false
                return fm.fileExists(atPath: URL(fileURLWithPath: path).appendingPathComponent($0).path, isDirectory: &d) && d.boolValue
            }
        }
        let top = dirs(input)
        let batches = top.filter { ClassLabel(batchName: $0) != nil }
        if !batches.isEmpty {
            return batches.flatMap { b in
                dirs(URL(fileURLWithPath: input).appendingPathComponent(b).path).map { "\(b)/\($0)" }
                    .filter { DICOMSeriesReader.containsDICOM(URL(fileURLWithPath: input).appendingPathComponent($0).path) }
            }
        }
        let withDICOM = top.filter { DICOMSeriesReader.containsDICOM(URL(fileURLWithPath: input).appendingPathComponent($0).path) }
        let direct = ((try? fm.contentsOfDirectory(atPath: input)) ?? []).contains {
            DICOMFile.isCandidate(URL(fileURLWithPath: input).appendingPathComponent($0).path)
        }
        if direct || withDICOM.isEmpty { return DICOMSeriesReader.containsDICOM(input) ? [""] : [] }
        return withDICOM
    }

    /// `Patients_metadata.csv` in COVID-CTset's form (`Patient ID`, then `<SR_k> <Tag>` columns).
    static func metadataCSV(_ patients: [(folder: String, result: PatientResult)]) -> String {
        let names = Set(patients.flatMap { $0.result.series.map(\.name) }).sorted { a, b in
            (Int(a.dropFirst(3)) ?? 0, a) < (Int(b.dropFirst(3)) ?? 0, b)
        }
        let tags = ["PixelSpacing", "SliceThickness", "Rows", "Columns"]
        var lines = [(["Patient ID"] + names.flatMap { n in tags.map { "\(n) \($0)" } }).joined(separator: ",")]
        func fmt(_ v: Double?) -> String { v.map { String(format: "%g", $0) } ?? "N/A" }
        for p in patients {
            let id = URL(fileURLWithPath: p.folder).lastPathComponent
            var row = [id]
            for n in names {
                if let s = p.result.series.first(where: { $0.name == n }) {
                    row += ["\"[\(fmt(s.pixelSpacingMM)), \(fmt(s.pixelSpacingMM))]\"", fmt(s.thicknessMM), "\(s.rows)", "\(s.columns)"]
                } else {
                    row += Array(repeating: "N/A", count: tags.count)
                }
            }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func createFolder(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DICOMError.unreadable(file: path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
    }

    static func copyAtomically(_ src: URL, to dst: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: src) } catch {
            throw DICOMError.unreadable(file: src.path, reason: "cannot read: \(error.localizedDescription)")
        }
        do { try data.write(to: dst, options: .atomic) } catch {
            throw DICOMError.unreadable(file: dst.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
