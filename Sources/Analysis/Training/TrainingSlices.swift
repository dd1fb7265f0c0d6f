import Foundation

/// Which slices a fold trains and validates on.
///
/// - `labelled`: the expert-labelled slices of `all.csv` (the paper). On COVID-CTset every
///   normal label comes from series SR_2 while most COVID labels come from SR_3 and SR_4, so
///   the series (slice thickness, noise) separates the classes in the labels.
/// - `seriesBalanced`: the same number of normal slices, drawn so that the normal class has
///   the COVID class's mix of series: part of the labelled SR_2 normal slices is replaced by
///   open-lung slices (kept by the paper's selection, §2.2) of the same normal patients' other
///   series. Every slice of a normal patient is normal, so no label is invented; the classes
///   no longer differ by series, and a network has to read the lungs.
public enum TrainingSlices: String, Codable, CaseIterable, Sendable {
    case labelled
    case seriesBalanced = "series-balanced"
}

/// Errors building a series-balanced set.
public enum TrainingSlicesError: Error, CustomStringConvertible, Equatable {
    /// A balanced set needs the selection's result for the normal patients' series.
    case noSelection(patient: String)

    public var description: String {
        switch self {
        case let .noSelection(p):
            return "series balancing needs the slice selection of normal patient \(p), which the selection result lacks"
        }
    }
}

extension ImageSet {
    /// The series-balanced records of `patients` (see `TrainingSlices.seriesBalanced`).
    ///
    /// With C labelled COVID slices of which c_s are in series s, and N labelled normal slices,
    /// series s gets round(N·c_s/C) normal slices: labelled ones first (all SR_2 on COVID-CTset),
    /// then selected slices of the normal patients' series s that are not labelled. When a
    /// series' pool is short, the rest is made up from the unused labelled normal slices, so the
    /// normal count stays N. Draws are seeded by `seed` and `stream`; the result is sorted by key.
    /// - Parameter selected: per "patient/series", the image numbers the selection kept.
    public static func seriesBalancedRecords(
        dataset: Dataset, patients: [String], selected: [String: [Int]],
        seed: UInt64, stream: String
    ) throws -> [ImageRecord] {
        let labelled = try records(dataset: dataset, patients: patients)
        let covid = labelled.filter { $0.label == .covid }
        let normal = labelled.filter { $0.label == .normal }.sorted { $0.key < $1.key }
        guard !covid.isEmpty, !normal.isEmpty else { return labelled.sorted { $0.key < $1.key } }
        var rng = SplitMix64(seed: seed, stream: "series-balance/" + stream)

        let covidBySeries = Dictionary(grouping: covid, by: \.key.series).mapValues(\.count)
        let seriesNames = Set(covidBySeries.keys).union(normal.map(\.key.series)).sorted()
        var target: [String: Int] = [:]
        for s in seriesNames {
            target[s] = Int((Double(normal.count) * Double(covidBySeries[s] ?? 0) / Double(covid.count)).rounded())
        }

        // Labelled normal slices per series, shuffled; unused ones fill shortfalls.
        var labelledBySeries = Dictionary(grouping: normal, by: \.key.series)
        for s in labelledBySeries.keys { labelledBySeries[s]!.shuffle(using: &rng) }
        let labelledKeys = Set(normal.map(\.key))
        let wanted = Set(patients)
        var chosen: [ImageRecord] = []
        var spare: [ImageRecord] = []
        for s in seriesNames {
            var need = target[s] ?? 0
            let fromLabels = labelledBySeries[s] ?? []
            let take = min(need, fromLabels.count)
            chosen += fromLabels.prefix(take)
            spare += fromLabels.dropFirst(take)
            need -= take
            guard need > 0 else { continue }
            // Open-lung slices of the normal patients' series s that are not labelled.
            var pool: [ImageRecord] = []
            for p in dataset.patients where wanted.contains(p.id) && p.label == .normal {
                guard let seriesEntry = p.series.first(where: { $0.name == s }) else { continue }
                guard let kept = selected["\(p.id)/\(s)"] else { throw TrainingSlicesError.noSelection(patient: p.id) }
                let keptSet = Set(kept)
                for f in seriesEntry.slices where keptSet.contains(f.imageNumber) {
                    let key = SliceKey(patientID: p.id, series: s, imageNumber: f.imageNumber)
                    if !labelledKeys.contains(key) { pool.append(ImageRecord(key: key, path: f.path, label: .normal)) }
                }
            }
            pool.sort { $0.key < $1.key }
            pool.shuffle(using: &rng)
            chosen += pool.prefix(need)
        }
        // Shortfalls (a series with too few open-lung slices) are made up from labelled slices.
        let missing = normal.count - chosen.count
        if missing > 0 { spare.sort { $0.key < $1.key }; spare.shuffle(using: &rng); chosen += spare.prefix(missing) }
        return (covid + chosen).sorted { $0.key < $1.key }
    }
}
