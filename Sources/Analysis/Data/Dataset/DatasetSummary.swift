import Foundation

/// What `paper-repro data index` prints: Table 1's counts and per-series statistics.
public struct DatasetSummary: Codable, Equatable, Sendable {
    /// Statistics of one series name (SR_2, SR_3 or SR_4) over all patients.
    public struct SeriesStats: Codable, Equatable, Sendable {
        public let name: String
        /// Patients that have this series.
        public let series: Int
        public let slices: Int
        public let minSlices: Int
        public let medianSlices: Int
        public let maxSlices: Int
        /// Slice thickness in mm -> number of series ("unknown" when not listed).
        public let thicknessMM: [String: Int]
    }

    public let root: String
    public let layout: DatasetLayout
    public let counts: DatasetCounts
    public let labelledCovid: Int
    public let labelledNormal: Int
    public let series: [SeriesStats]
    public let notes: [String]
    /// Every series left out and every file skipped, with the reason (absent when none, so a
    /// clean dataset's summary is what it was before these lists existed).
    private let excluded: [DataProblem]?
    private let skipped: [DataProblem]?
    public var excludedSeries: [DataProblem] { excluded ?? [] }
    public var skippedFiles: [DataProblem] { skipped ?? [] }

    public init(_ dataset: Dataset) {
        root = dataset.root
        layout = dataset.layout
        counts = dataset.counts
        labelledCovid = dataset.labelled.filter { $0.label == .covid }.count
        labelledNormal = dataset.labelled.filter { $0.label == .normal }.count
        let all = dataset.patients.flatMap(\.series)
        let names = Set(all.map(\.name)).sorted()
        series = names.map { name in
            let group = all.filter { $0.name == name }
            let n = group.map(\.slices.count).sorted()
            var thick: [String: Int] = [:]
            for s in group {
                let key = s.thicknessMM.map { $0 == $0.rounded() ? String(Int($0)) : String($0) } ?? "unknown"
                thick[key, default: 0] += 1
            }
            return SeriesStats(
                name: name, series: group.count, slices: n.reduce(0, +), minSlices: n.first ?? 0,
                medianSlices: n.isEmpty ? 0 : n[n.count / 2], maxSlices: n.last ?? 0, thicknessMM: thick)
        }
        notes = dataset.notes
        excluded = (dataset.excludedSeries ?? []).isEmpty ? nil : dataset.excludedSeries
        skipped = (dataset.skippedFiles ?? []).isEmpty ? nil : dataset.skippedFiles
    }

    /// Whether anything was left out.
    public var hasProblems: Bool { !excludedSeries.isEmpty || !skippedFiles.isEmpty }

    /// Plain-text rendering for the terminal.
    public var text: String {
        var out = "dataset: \(root) (\(layout.rawValue) layout)\n"
        out += "Table 1 — patients and images per class\n"
        out += "  class    patients   images\n"
        out += String(format: "  COVID   %9d %8d\n", counts.covidPatients, counts.covidImages)
        out += String(format: "  normal  %9d %8d\n", counts.normalPatients, counts.normalImages)
        out += "labelled slices (all.csv, de-duplicated): COVID \(labelledCovid), normal \(labelledNormal)\n"
        out += "series   count   slices   min  median   max   thickness mm (series)\n"
        for s in series {
            let thick = s.thicknessMM.sorted { (Double($0.key) ?? 1e9) < (Double($1.key) ?? 1e9) }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            out +=
                String(
                    format: "%-7@ %6d %8d %5d %7d %5d   ", s.name as NSString, s.series, s.slices, s.minSlices, s.medianSlices, s.maxSlices)
                + thick + "\n"
        }
        if !notes.isEmpty {
            out += "notes:\n" + notes.map { "  - \($0)" }.joined(separator: "\n") + "\n"
        }
        if !excludedSeries.isEmpty {
            out += "series left out (\(excludedSeries.count)):\n" + excludedSeries.map { "  - \($0)" }.joined(separator: "\n") + "\n"
        }
        if !skippedFiles.isEmpty {
            out += "files skipped (\(skippedFiles.count)):\n" + skippedFiles.map { "  - \($0)" }.joined(separator: "\n") + "\n"
        }
        return out
    }
}
