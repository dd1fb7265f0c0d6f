import NeuralNet
import XCTest

@testable import Analysis

/// Shared helpers of the synthetic-twin tests: one twin per (size, selection), built once.
enum SynthFixture {
    nonisolated(unsafe) private static var cache: [String: SyntheticTwin] = [:]
    private static let lock = NSLock()

    static func twin(size: Int, patients: PatientSelection = .all, seed: UInt64 = 1) throws -> SyntheticTwin {
        let key = "\(size)|\(patients)|\(seed)"
        lock.lock(); defer { lock.unlock() }
        if let t = cache[key] { return t }
        let t = try SyntheticTwin(config: SynthConfig(size: size, patients: patients, seed: seed))
        cache[key] = t
        return t
    }

    /// The paper's dark-pixel count (§2.2): stored value < 300 inside the selection region.
    static func darkCount(_ pixels: [UInt16], size: Int) -> Int {
        let (rows, cols) = PhantomRenderer.region(size: size)
        var n = 0
        for r in rows { for c in cols where pixels[r * size + c] < 300 { n += 1 } }
        return n
    }

    /// The paper's selection rule (§2.2, Fig. 6): threshold = (max - min) / 1.5 over the series,
    /// keep the slices whose dark count exceeds it. A local stand-in for the Selection module.
    static func paperKeep(_ counts: [Int]) -> [Bool] {
        guard let mx = counts.max(), let mn = counts.min() else { return [] }
        let threshold = Double(mx - mn) / 1.5
        return counts.map { Double($0) > threshold }
    }

    /// Renders every slice of a series (in parallel); returns dark counts and truths in order.
    static func renderSeries(_ twin: SyntheticTwin, _ p: SeriesPlan) throws -> (dark: [Int], truth: [SliceTruth]) {
        var dark = [Int](repeating: 0, count: p.sliceCount)
        var truth = [SliceTruth?](repeating: nil, count: p.sliceCount)
        let lock = NSLock()
        Parallel.run(workers: p.sliceCount) { i in
            let (px, t) = try! twin.renderSlice(patient: p.patientID, series: p.series, imageNumber: p.imageNumbers[i])
            let d = darkCount(px, size: twin.config.size)
            lock.lock(); dark[i] = d; truth[i] = t; lock.unlock()
        }
        return (dark, truth.map { $0! })
    }
}
