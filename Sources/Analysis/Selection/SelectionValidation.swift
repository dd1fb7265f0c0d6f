import Foundation

/// Ground truth of one slice of the synthetic twin (`ground_truth.csv` beside each series).
public struct SliceGroundTruth: Codable, Equatable, Sendable {
    public let imageNumber: Int
    public let lungAreaInRegion: Int
    public let lungOpen: Bool
    public let lesionArea: Int
    public let labelled: Bool

    /// Reads `<series directory>/ground_truth.csv`; nil when the series has none (real data).
    public static func load(seriesDirectory: String) throws -> [Int: SliceGroundTruth]? {
        let url = URL(fileURLWithPath: seriesDirectory).appendingPathComponent("ground_truth.csv")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let t = try CSVTable(contentsOf: url)
        let n = try t.column("image_number"), area = try t.column("lung_area_in_region"), open = try t.column("lung_open")
        let lesion = try t.column("lesion_area"), lab = try t.column("labelled")
        var out: [Int: SliceGroundTruth] = [:]
        for (i, r) in t.rows.enumerated() {
            guard let number = Int(r[n]) else {
                throw MetadataError.malformed(file: url.path, line: i + 2, reason: "image number '\(r[n])'")
            }
            out[number] = SliceGroundTruth(
                imageNumber: number, lungAreaInRegion: Int(r[area]) ?? 0, lungOpen: r[open] == "yes",
                lesionArea: Int(r[lesion]) ?? 0, labelled: r[lab] == "yes")
        }
        return out
    }
}

/// How well the selection matches the twin's ground truth — a check the paper could not make
/// on real data (it has no "lung open" truth): "selected" against "lung visible".
public struct SelectionValidation: Codable, Equatable, Sendable {
    public let parameters: SelectionParameters
    public let slices: Int
    /// Of the selected slices, the share whose lung is open (micro-averaged over all series).
    public let precision: Double
    /// Of the lung-open slices, the share selected.
    public let recall: Double
    /// Mean per-series precision and recall (series with an undefined value left out).
    public let meanSeriesPrecision: Double
    public let meanSeriesRecall: Double
    /// Share of the expert-labelled slices (all.csv) kept, and of lung-closed slices dropped.
    public let labelledKept: Double
    public let closedDropped: Double
    /// Share of the COVID-19 and of the normal patients' labelled slices kept (nil: none labelled).
    public var covidLabelledKept: Double? = nil
    public var normalLabelledKept: Double? = nil

    /// Validates `result` against the ground truth of `dataset`'s series; nil without ground truth.
    public static func validate(_ result: SelectionResult, dataset: Dataset) throws -> SelectionValidation? {
        let directories = Dictionary(
            dataset.patients.flatMap { p in p.series.map { ("\(p.id)/\($0.name)", $0.directory) } },
            uniquingKeysWith: { a, _ in a })
        let labelledKeys = Set(dataset.labelled.map(\.key))
        var tp = 0, fp = 0, fn = 0, tn = 0, labelledTotal = 0, labelledKept = 0
        var byClass: [ClassLabel: (total: Int, kept: Int)] = [:]
        var precisions: [Double] = [], recalls: [Double] = [], found = false
        for s in result.series {
            guard let dir = directories["\(s.patientID)/\(s.series)"],
                let truth = try SliceGroundTruth.load(seriesDirectory: dir)
            else { continue }
            found = true
            var stp = 0, sfp = 0, sfn = 0
            for (i, number) in s.imageNumbers.enumerated() {
                guard let t = truth[number] else { continue }
                switch (s.selected[i], t.lungOpen) {
                case (true, true): stp += 1
                case (true, false): sfp += 1
                case (false, true): sfn += 1
                case (false, false): tn += 1
                }
                if labelledKeys.contains(SliceKey(patientID: s.patientID, series: s.series, imageNumber: number)) {
                    labelledTotal += 1
                    if s.selected[i] { labelledKept += 1 }
                    byClass[s.label, default: (0, 0)].total += 1
                    if s.selected[i] { byClass[s.label, default: (0, 0)].kept += 1 }
                }
            }
            tp += stp; fp += sfp; fn += sfn
            if stp + sfp > 0 { precisions.append(Double(stp) / Double(stp + sfp)) }
            if stp + sfn > 0 { recalls.append(Double(stp) / Double(stp + sfn)) }
        }
        guard found else { return nil }
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? .nan : Double(a) / Double(b) }
        func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
        var v = SelectionValidation(
            parameters: result.parameters, slices: tp + fp + fn + tn,
            precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn),
            meanSeriesPrecision: mean(precisions), meanSeriesRecall: mean(recalls),
            labelledKept: ratio(labelledKept, labelledTotal), closedDropped: ratio(tn, tn + fp))
        v.covidLabelledKept = byClass[.covid].map { ratio($0.kept, $0.total) }
        v.normalLabelledKept = byClass[.normal].map { ratio($0.kept, $0.total) }
        return v
    }

    /// The validation over a grid of dark values and divisors (the paper's 300 and 1.5 among
    /// them). Dark pixels are counted once per dark value; divisors only change the decision.
    public static func sweep(
        dataset: Dataset, darkValues: [Int] = [200, 250, 300, 350, 400],
        divisors: [Double] = [1.2, 1.35, 1.5, 1.75, 2.0]
    ) throws -> [SelectionValidation] {
        var out: [SelectionValidation] = []
        for dark in darkValues {
            let counted = SliceSelector.select(dataset: dataset, parameters: SelectionParameters(darkValue: dark))
            for divisor in divisors {
                let p = SelectionParameters(darkValue: dark, divisor: divisor)
                let series = counted.series.map { s -> SeriesSelection in
                    let d = SeriesSelection.decide(counts: s.counts, parameters: p)
                    return SeriesSelection(
                        patientID: s.patientID, series: s.series, label: s.label, imageNumbers: s.imageNumbers,
                        counts: s.counts, threshold: d.threshold, selected: d.selected, width: s.width,
                        height: s.height, regionScaled: s.regionScaled, warnings: d.warnings)
                }
                let r = SelectionResult(parameters: p, series: series, failures: counted.failures)
                if let v = try validate(r, dataset: dataset) { out.append(v) }
            }
        }
        return out
    }
}
