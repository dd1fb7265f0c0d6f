import Foundation

/// One expert-labelled slice of `all.csv` (§2.4): `137covid_patient1_SR_2_IM00010.tif,covid`.
public struct LabelledSlice: Hashable, Codable, Sendable {
    public let filename: String
    /// Batch folder, e.g. `137covid`, `normal4`.
    public let batch: String
    public let patientID: String
    /// Series name, e.g. `SR_2`.
    public let series: String
    public let imageNumber: Int
    public let label: ClassLabel

    /// Parses a flat training-layout file name `<batch>_<patient>_<SR_k>_IM#####.tif`.
    public init?(filename: String, label: ClassLabel) {
        let stem =
            filename.hasSuffix(".tif")
            ? String(filename.dropLast(4)) : (filename.hasSuffix(".tiff") ? String(filename.dropLast(5)) : filename)
        guard let sr = stem.range(of: "_SR_", options: .backwards) else { return nil }
        let head = stem[..<sr.lowerBound]
        let tail = stem[sr.upperBound...]  // "2_IM00010"
        let tailParts = tail.split(separator: "_", maxSplits: 1)
        guard tailParts.count == 2, tailParts[1].hasPrefix("IM"), let number = Int(tailParts[1].dropFirst(2)),
            let us = head.firstIndex(of: "_")
        else { return nil }
        self.filename = filename
        self.batch = String(head[..<us])
        self.patientID = String(head[head.index(after: us)...])
        self.series = "SR_" + tailParts[0]
        self.imageNumber = number
        self.label = label
    }

    /// The identity of the slice regardless of batch folder: (patient, series, image).
    public var key: SliceKey { SliceKey(patientID: patientID, series: series, imageNumber: imageNumber) }
}

/// (patient, series, image number): a slice's identity independent of the batch folder.
public struct SliceKey: Hashable, Codable, Comparable, Sendable {
    public let patientID: String
    public let series: String
    public let imageNumber: Int
    public init(patientID: String, series: String, imageNumber: Int) {
        self.patientID = patientID; self.series = series; self.imageNumber = imageNumber
    }
    public static func < (a: SliceKey, b: SliceKey) -> Bool {
        (a.patientID.count, a.patientID, a.series, a.imageNumber) < (b.patientID.count, b.patientID, b.series, b.imageNumber)
    }
}

/// Loader of `filename,class` CSVs (`all.csv`, `trainN.csv`, `validationN.csv`, `testN.csv`).
public enum LabelledSlices {
    /// Loads and de-duplicates: a (patient, series, image) listed under two batch folders is kept
    /// once (first occurrence). Throws `MetadataError` for malformed rows.
    public static func load(from url: URL) throws -> (slices: [LabelledSlice], duplicatesRemoved: Int) {
        let table = try CSVTable(contentsOf: url)
        let file = try table.column("filename"), cls = try table.column("class")
        var seen = Set<SliceKey>(), out: [LabelledSlice] = [], dups = 0
        for (i, row) in table.rows.enumerated() {
            guard let label = ClassLabel(rawValue: row[cls].lowercased()) else {
                throw MetadataError.malformed(file: url.path, line: i + 2, reason: "class '\(row[cls])' is neither covid nor normal")
            }
            guard let s = LabelledSlice(filename: row[file], label: label) else {
                throw MetadataError.malformed(
                    file: url.path, line: i + 2, reason: "file name '\(row[file])' is not <batch>_<patient>_SR_k_IM#####.tif")
            }
            if seen.insert(s.key).inserted { out.append(s) } else { dups += 1 }
        }
        return (out, dups)
    }
}
