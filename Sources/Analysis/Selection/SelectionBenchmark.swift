import Foundation

/// Measures the selection's throughput (slices per second) on uncompressed 512×512 16-bit
/// TIFFs read from the page cache, file reading included — the comparison of issue "selection
/// speed": cv2 + numpy ≈ 6,000 slices/s, a per-pixel Python loop ≈ 26 on this kind of machine.
public enum SelectionBenchmark {
    public struct Result: Codable, Sendable {
        public let slices: Int
        public let size: Int
        public let rowsPerStrip: Int
        public let repeats: Int
        /// Median slices per second with all cores, and with one series at a time on one core.
        public let slicesPerSecond: Double
        public let slicesPerSecondOneCore: Double
        public let cores: Int
        /// Reference figures measured on this kind of machine (docs/performance-anchors.md).
        public let anchorCV2Numpy: Double
        public let anchorPythonLoop: Double
    }

    /// Writes `slices` synthetic slices in `series` series under a temporary folder, reads them
    /// once to warm the page cache, then times `repeats` full selections.
    public static func run(
        slices: Int = 2000, seriesCount: Int = 20, size: Int = 512, rowsPerStrip: Int = 8,
        repeats: Int = 5
    ) throws -> Result {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("paper-repro-bench-selection-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let perSeries = max(1, slices / seriesCount)
        var patients: [Patient] = []
        var state: UInt64 = 0x9E3779B97F4A7C15
        for s in 0..<seriesCount {
            let dir = root.appendingPathComponent("patient\(s + 1)/SR_2")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var files: [SliceFile] = []
            for i in 0..<perSeries {
                // Noise around soft tissue with a dark disc whose radius follows the slice position.
                let radius = Double(size) * 0.3 * sin(Double.pi * Double(i + 1) / Double(perSeries + 1))
                var px = [UInt16](repeating: 0, count: size * size)
                for y in 0..<size {
                    for x in 0..<size {
                        state = state &* 6364136223846793005 &+ 1442695040888963407
                        let noise = UInt16((state >> 40) % 64)
                        let dx = Double(x - size / 2), dy = Double(y - size / 2)
                        px[y * size + x] = (dx * dx + dy * dy < radius * radius ? 150 : 1040) + noise
                    }
                }
                let path = dir.appendingPathComponent(String(format: "IM%05d.tif", i + 1)).path
                try TIFFWriter.write(TIFFImage(width: size, height: size, uint16: px), to: path, rowsPerStrip: rowsPerStrip)
                files.append(SliceFile(imageNumber: i + 1, path: path))
            }
            patients.append(
                Patient(
                    id: "patient\(s + 1)", batch: "normal1", label: .normal, record: nil,
                    series: [Series(name: "SR_2", directory: dir.path, thicknessMM: nil, pixelSpacingMM: nil, slices: files)]))
        }
        let dataset = Dataset(root: root.path, layout: .raw, patients: patients, labelled: [], notes: [])
        for p in patients { for f in p.series[0].slices { _ = FileManager.default.contents(atPath: f.path) } }
        let total = perSeries * seriesCount
        var rates: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = SliceSelector.select(dataset: dataset)
            let t1 = DispatchTime.now().uptimeNanoseconds
            precondition(r.failures.isEmpty, "benchmark slices failed: \(r.failures)")
            rates.append(Double(total) / (Double(t1 - t0) / 1e9))
        }
        var oneCore: [Double] = []
        for _ in 0..<max(1, repeats / 2) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for p in patients { _ = try SliceSelector.select(series: p.series[0], patientID: p.id, label: p.label) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            oneCore.append(Double(total) / (Double(t1 - t0) / 1e9))
        }
        return Result(
            slices: total, size: size, rowsPerStrip: rowsPerStrip, repeats: repeats,
            slicesPerSecond: median(rates), slicesPerSecondOneCore: median(oneCore),
            cores: ProcessInfo.processInfo.activeProcessorCount,
            anchorCV2Numpy: 6082, anchorPythonLoop: 26)
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }
}
