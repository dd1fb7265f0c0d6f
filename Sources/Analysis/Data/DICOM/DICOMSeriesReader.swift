import Foundation

/// One CT series found in a DICOM folder: its slices ordered from head to feet, as COVID-CTset
/// numbers its images.
public struct DICOMSeries: Equatable, Sendable {
    /// `SR_<SeriesNumber>` (COVID-CTset's series folders are the scanner's series numbers), or
    /// `SR_<k>` in scan order when the number is missing or repeated.
    public var name: String
    public let seriesNumber: Int?
    /// File paths, head first.
    public let files: [String]
    public let rows: Int, columns: Int
    public let thicknessMM: Double?
    public let pixelSpacingMM: Double?
    /// What ordered the slices: `ImagePositionPatient`, `InstanceNumber` or `file name`.
    public let ordering: String
    /// The transfer syntax of the first file (name).
    public let transferSyntax: String
}

/// What a scan of a DICOM folder found.
public struct DICOMScan: Sendable {
    public var series: [DICOMSeries]
    /// Series that cannot be read as one stack, each with its reason (the rest is read).
    public var excluded: [DICOMError]
    /// Files that are not DICOM images (other files, DICOMDIR, reports), by path.
    public var skipped: [String]
}

/// Groups the DICOM files of a folder (any names, nested at any depth) into series by
/// SeriesInstanceUID and orders each along the body axis.
public enum DICOMSeriesReader {
    /// Every regular, non-hidden file below `folder`, sorted by path.
    static func files(below folder: String) -> [String] {
        let root = URL(fileURLWithPath: folder)
        guard
            let e = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
        else { return [] }
        var out: [String] = []
        for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            out.append(url.path)
        }
        return out.sorted()
    }

    /// Whether any file below `folder` looks like DICOM (preamble or `.dcm` name).
    public static func containsDICOM(_ folder: String) -> Bool {
        files(below: folder).contains { DICOMFile.isCandidate($0) }
    }

    /// The CT series below `folder`.
    /// - Throws: `DICOMError.unreadable` only for a folder that cannot be listed; unreadable
    ///   files and unusable series are reported in the result.
    public static func scan(_ folder: String) throws -> DICOMScan {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw DICOMError.unreadable(file: folder, reason: "not a folder")
        }
        var groups: [String: [(path: String, header: DICOMHeader)]] = [:]
        var order: [String] = []
        var skipped: [String] = [], excluded: [DICOMError] = []
        for path in files(below: folder) {
            guard DICOMFile.isCandidate(path) else { skipped.append(path); continue }
            do {
                guard let h = try DICOMFile.header(path), h.isImage else { skipped.append(path); continue }
                let key =
                    h.seriesInstanceUID.isEmpty
                    ? "folder:" + URL(fileURLWithPath: path).deletingLastPathComponent().path : h.seriesInstanceUID
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append((path, h))
            } catch {
                excluded.append(error as? DICOMError ?? .unreadable(file: path, reason: "\(error)"))
            }
        }
        var series: [DICOMSeries] = []
        for (k, key) in order.enumerated() {
            let members = groups[key]!
            let first = members[0].header
            let label = first.seriesNumber.map { "number \($0)" } ?? "#\(k + 1)"
            func reject(_ reason: String) { excluded.append(.unusableSeries(folder: folder, series: label, reason: reason)) }
            if first.modality != "CT" {
                reject("modality \(first.modality.isEmpty ? "(none)" : first.modality): only CT series are read"); continue
            }
            if let m = members.first(where: { $0.header.frames > 1 }) {
                reject("multi-frame image (NumberOfFrames \(m.header.frames)) in \(m.path): one slice per file is read"); continue
            }
            if let m = members.first(where: { $0.header.samplesPerPixel != 1 }) {
                reject("\(m.path) is not greyscale (SamplesPerPixel \(m.header.samplesPerPixel))"); continue
            }
            if let m = members.first(where: { $0.header.rows != first.rows || $0.header.columns != first.columns }) {
                reject("slices differ in size (\(first.rows)x\(first.columns) and \(m.header.rows)x\(m.header.columns) in \(m.path))");
                continue
            }
            let (sorted, ordering) = ordered(members)
            series.append(
                DICOMSeries(
                    name: "", seriesNumber: first.seriesNumber, files: sorted.map(\.path),
                    rows: first.rows, columns: first.columns, thicknessMM: first.sliceThicknessMM,
                    pixelSpacingMM: first.pixelSpacing?.first, ordering: ordering,
                    transferSyntax: first.transferSyntaxName))
        }
        // Names: SR_<number> when the number is present and unique, else SR_<k>.
        var counts: [Int: Int] = [:]
        for s in series { if let n = s.seriesNumber { counts[n, default: 0] += 1 } }
        var used = Set<String>()
        for i in series.indices {
            if let n = series[i].seriesNumber, counts[n] == 1 { series[i].name = "SR_\(n)"; used.insert(series[i].name) }
        }
        var next = 1
        for i in series.indices where series[i].name.isEmpty {
            while used.contains("SR_\(next)") { next += 1 }
            series[i].name = "SR_\(next)"; used.insert(series[i].name)
        }
        return DICOMScan(series: series, excluded: excluded, skipped: skipped)
    }

    /// Head first: by the position along the image normal, descending (patient z grows towards
    /// the head), when every slice has one and no two coincide; else by InstanceNumber; else by
    /// file path.
    static func ordered(_ m: [(path: String, header: DICOMHeader)]) -> ([(path: String, header: DICOMHeader)], String) {
        let positions = m.compactMap { $0.header.axialPosition }
        if positions.count == m.count, Set(positions.map { ($0 * 1000).rounded() }).count == m.count {
            return (m.sorted { $0.header.axialPosition! > $1.header.axialPosition! }, "ImagePositionPatient")
        }
        let numbers = m.compactMap { $0.header.instanceNumber }
        if numbers.count == m.count, Set(numbers).count == m.count {
            return (m.sorted { $0.header.instanceNumber! < $1.header.instanceNumber! }, "InstanceNumber")
        }
        return (m.sorted { $0.path < $1.path }, "file name")
    }
}
