import Foundation
import NeuralNet

/// The paper's slice-selection algorithm over a dataset (§2.2, Fig. 6): per series, never
/// pooled across series or patients; series run in parallel on all cores.
public enum SliceSelector {
    /// An error of one series: the series is reported as failed, the rest go on.
    public enum SelectionError: Error, Equatable, CustomStringConvertible {
        case emptySeries(patientID: String, series: String)
        case unreadableSlice(path: String, reason: String)
        case mixedSizes(series: String, path: String)
        /// A slice whose samples are of another type than the series' first slice: its values
        /// would be misread (a signed slice in HU beside unsigned HU + 1024, an 8-bit export).
        case mixedFormats(series: String, path: String, format: String, seriesFormat: String)
        /// A file holding several images; a slice is one.
        case multiPage(path: String, pages: Int)

        public var description: String {
            switch self {
            case .emptySeries(let p, let s): return "\(p)/\(s): empty series, nothing to select from"
            case .unreadableSlice(let path, let reason): return "\(path): unreadable slice: \(reason)"
            case .mixedSizes(let s, let path): return "\(s): \(path) differs in size from the series' first slice"
            case .mixedFormats(let s, let path, let f, let sf):
                return "\(s): \(path) has \(f) samples, the series' first slice \(sf): the series is excluded rather than misread"
            case .multiPage(let path, let n): return "\(path): \(n) images in one file (a slice has one)"
            }
        }
    }

    /// Runs the selection on one series.
    public static func select(
        series: Series, patientID: String, label: ClassLabel,
        parameters: SelectionParameters = .paper
    ) throws -> SeriesSelection {
        guard !series.slices.isEmpty else { throw SelectionError.emptySeries(patientID: patientID, series: series.name) }
        var counts: [Int] = []
        counts.reserveCapacity(series.slices.count)
        var size: (Int, Int)? = nil
        var format: String? = nil
        for slice in series.slices {
            let result: (count: Int, width: Int, height: Int, info: TIFFInfo)
            do {
                result = try DarkPixelCounter.count(path: slice.path, darkValue: parameters.darkValue)
            } catch let error as TIFFError {
                throw SelectionError.unreadableSlice(path: slice.path, reason: "\(error)")
            }
            if result.info.pages > 1 { throw SelectionError.multiPage(path: slice.path, pages: result.info.pages) }
            if let s = size, s != (result.width, result.height) {
                throw SelectionError.mixedSizes(series: "\(patientID)/\(series.name)", path: slice.path)
            }
            if let f = format, f != result.info.sampleDescription {
                throw SelectionError.mixedFormats(
                    series: "\(patientID)/\(series.name)", path: slice.path,
                    format: result.info.sampleDescription, seriesFormat: f)
            }
            format = result.info.sampleDescription
            size = (result.width, result.height)
            counts.append(result.count)
        }
        let decision = SeriesSelection.decide(counts: counts, parameters: parameters)
        let region = SelectionRegion(width: size!.0, height: size!.1)
        return SeriesSelection(
            patientID: patientID, series: series.name, label: label,
            imageNumbers: series.slices.map(\.imageNumber), counts: counts,
            threshold: decision.threshold, selected: decision.selected,
            width: size!.0, height: size!.1, regionScaled: region.scaled,
            warnings: decision.warnings)
    }

    /// Runs the selection on every series of `dataset`, both cores, results in dataset order.
    /// `progress` is called (from any thread, serialised) with (done, total) series.
    public static func select(
        dataset: Dataset, parameters: SelectionParameters = .paper,
        progress: ((Int, Int) -> Void)? = nil
    ) -> SelectionResult {
        let jobs = dataset.patients.flatMap { p in p.series.map { (p, $0) } }
        var results = [Result<SeriesSelection, Error>?](repeating: nil, count: jobs.count)
        let lock = NSLock()
        var done = 0
        Parallel.run(workers: jobs.count) { i in
            let (patient, series) = jobs[i]
            let r = Result { try select(series: series, patientID: patient.id, label: patient.label, parameters: parameters) }
            lock.lock()
            results[i] = r
            done += 1
            progress?(done, jobs.count)
            lock.unlock()
        }
        var selections: [SeriesSelection] = [], failures: [SeriesFailure] = []
        for (i, r) in results.enumerated() {
            switch r! {
            case .success(let s): selections.append(s)
            case .failure(let e): failures.append(SeriesFailure(patientID: jobs[i].0.id, series: jobs[i].1.name, reason: "\(e)"))
            }
        }
        return SelectionResult(parameters: parameters, series: selections, failures: failures)
    }
}
