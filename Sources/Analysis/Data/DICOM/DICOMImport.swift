import Crypto
import Foundation

/// DICOM trees where the pipeline expects COVID-CTset's TIFF layout: converted once, into a
/// cache folder keyed by the tree's listing, and read from there.
public enum DICOMImport {
    /// Whether `path` is a folder of DICOM files rather than TIFF slices: no `.tif`/`.tiff` file
    /// below it and at least one DICOM file (preamble or `.dcm` name).
    public static func isDICOMTree(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return false }
        let files = DICOMSeriesReader.files(below: path)
        if files.contains(where: { ["tif", "tiff"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }) { return false }
        return files.contains { DICOMFile.isCandidate($0) }
    }

    /// A key of the tree's content as listed: every file's relative path, size and modification
    /// time (a changed, added or removed file gives a new key).
    public static func fingerprint(_ path: String) -> String {
        var hasher = SHA256()
        let root = URL(fileURLWithPath: path).standardizedFileURL.path
        for f in DICOMSeriesReader.files(below: path) {
            let a = (try? FileManager.default.attributesOfItem(atPath: f)) ?? [:]
            let size = (a[.size] as? NSNumber)?.int64Value ?? -1
            let mtime = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            hasher.update(data: Data("\(f.dropFirst(root.count))\t\(size)\t\(mtime)\n".utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(16).description
    }

    /// What an import left out, as lines for stderr and for `conversion.txt`.
    public static func summary(_ r: DICOMConverter.DatasetResult) -> [String] {
        var lines = r.patients.map { p in
            "\(p.folder): " + p.result.written.map { "\($0.name) \($0.slices) slices (ordered by \($0.ordering))" }.joined(separator: ", ")
        }
        for p in r.patients { lines += p.result.excluded.map { "\(p.folder): left out: \($0)" } }
        lines += r.failed.map { "\($0.folder): not converted: \($0.error)" }
        return lines
    }

    /// The COVID-CTset-layout copy of the DICOM tree `input` under `cache`
    /// (`<cache>/<fingerprint>/dataset`), converting it when it is not there yet. The copy
    /// appears complete or not at all (converted beside, then renamed).
    /// - Returns: the dataset folder and, when this call converted it, what was converted.
    public static func cachedDataset(of input: String, cache: URL) throws -> (path: String, converted: DICOMConverter.DatasetResult?) {
        let folder = cache.appendingPathComponent(fingerprint(input))
        let dataset = folder.appendingPathComponent("dataset")
        if FileManager.default.fileExists(atPath: dataset.path) { return (dataset.path, nil) }
        let partial = cache.appendingPathComponent(".\(fingerprint(input)).partial-\(getpid())")
        try? FileManager.default.removeItem(at: partial)
        do {
            let result = try DICOMConverter.convertDataset(from: input, to: partial.appendingPathComponent("dataset").path)
            try (summary(result).joined(separator: "\n") + "\n").write(
                to: partial.appendingPathComponent("conversion.txt"),
                atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: partial, to: folder)
            return (dataset.path, result)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }
}
