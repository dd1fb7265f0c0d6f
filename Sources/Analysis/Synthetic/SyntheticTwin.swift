import Foundation
import NeuralNet

/// Configuration of the synthetic twin.
public struct SynthConfig: Sendable, Hashable {
    /// Image side in pixels (512 as the real data; 256, 128, ... for presets). The paper's
    /// selection region scales with it.
    public var size: Int
    /// Which patients to generate.
    public var patients: PatientSelection
    /// Master seed: every pixel is a function of (seed, patient, series, image number).
    public var seed: UInt64

    public init(size: Int = 512, patients: PatientSelection = .all, seed: UInt64 = 1) {
        precondition(size >= 32 && size <= 512, "size must be in 32...512")
        self.size = size; self.patients = patients; self.seed = seed
    }
}

/// What `SyntheticTwin.write` produced.
public struct SynthSummary: Sendable {
    public let patients: Int
    public let series: Int
    public let slices: Int
    /// Slices per class.
    public let slicesByClass: [ClassLabel: Int]
    /// Slices that carry a lesion, and labelled slices written.
    public let slicesWithLesions: Int
    public let labelledSlices: Int
    public let bytesWritten: Int
    public let seconds: Double
    public var slicesPerSecond: Double { seconds > 0 ? Double(slices) / seconds : 0 }
}

/// The synthetic digital twin of COVID-CTset (issue 3): the real cohort patient by patient,
/// phantom chest CT slices with ground truth, written in the real raw layout
/// `<out>/<batch>/<patientN>/<SR_k>/IM#####.tif`.
///
/// Any slice is a pure function of (seed, patient, series, image number); `renderSlice`
/// regenerates one alone, byte-identical to the same slice of a full `write`.
public final class SyntheticTwin: @unchecked Sendable {
    public let config: SynthConfig
    public let cohort: SynthCohort
    /// Calibrated fraction of the full chest that thin (< 3 mm) series cover, per class.
    public let thinCoverage: [ClassLabel: Double]
    private let plans: [String: [SeriesPlan]]  // every cohort patient
    private let selected: [SynthCohort.Patient]
    private let anatomies: [String: PatientAnatomy]  // selected patients
    private var references: [String: Int] = [:]  // "patient/series" -> open-lung reference
    private let referenceLock = NSLock()
    private var implants: [String: Disease] = [:]
    private let implantLock = NSLock()

    /// Plans the whole cohort (calibrated on all 377 patients, whatever the selection) and
    /// builds the selected patients' anatomy. Throws `SynthError.unknownPatient`.
    public init(config: SynthConfig, cohort: SynthCohort? = nil) throws {
        self.config = config
        let c = try cohort ?? SynthCohort.bundled()
        self.cohort = c
        let planned = SeriesPlanner.plan(cohort: c, seed: config.seed)
        plans = planned.plans
        thinCoverage = planned.thinCoverage
        selected = try c.select(config.patients)
        var an: [String: PatientAnatomy] = [:]
        for p in selected { an[p.record.id] = PatientAnatomy(seed: config.seed, patient: p, plans: planned.plans[p.record.id] ?? []) }
        anatomies = an
    }

    /// Series plans of the selected patients, in cohort order then SR_2, SR_3, SR_4.
    public func plan() -> [SeriesPlan] { selected.flatMap { plans[$0.record.id] ?? [] } }

    /// The disease ground truth of the selected patients, in cohort order (normal patients
    /// have score 0 and no patterns).
    public func diseaseTruth() -> [DiseaseTruth] {
        selected.map { p in DiseaseTruth(patientID: p.record.id, label: p.record.label, disease: anatomies[p.record.id]?.disease) }
    }

    /// Series plans of every cohort patient (for totals), in cohort order.
    public func fullPlan() -> [SeriesPlan] { cohort.patients.flatMap { plans[$0.record.id] ?? [] } }

    /// The selection region at this size: rows 240..<340, columns 120..<370 scaled (§2.2).
    public var region: (rows: Range<Int>, cols: Range<Int>) { PhantomRenderer.region(size: config.size) }

    func renderer(patient: String, series: String) throws -> PhantomRenderer {
        guard let an = anatomies[patient] else { throw SynthError.unknownPatient(patient) }
        guard let p = plans[patient]?.first(where: { $0.series == series }) else {
            throw SynthError.unknownSeries(patient: patient, series: series)
        }
        var r = PhantomRenderer(anatomy: an, plan: p, size: config.size, seed: config.seed)
        let key = patient + "/" + series
        referenceLock.lock(); let known = references[key]; referenceLock.unlock()
        let ref = known ?? r.referenceLungArea()
        if known == nil { referenceLock.lock(); references[key] = ref; referenceLock.unlock() }
        r.reference = ref
        return r
    }

    /// Renders one slice alone: stored values (HU + 1024, row-major size x size) and truth.
    public func renderSlice(patient: String, series: String, imageNumber: Int) throws -> (pixels: [UInt16], truth: SliceTruth) {
        let r = try renderer(patient: patient, series: series)
        guard let i = r.plan.index(of: imageNumber) else {
            throw SynthError.unknownImage(patient: patient, series: series, imageNumber: imageNumber)
        }
        let out = r.render(index: i)
        return (out.pixels, out.truth)
    }

    /// What a counterfactual render does with the patient's lesions.
    public enum LesionOverride: String, Sendable, Codable {
        /// The slice as the twin writes it.
        case asGenerated
        /// The same slice without any lesion (same body, vessels, noise).
        case removed
        /// A disease drawn into the patient (a normal patient gets COVID-19 pneumonia whose
        /// lesions are clear at its labelled levels, as a COVID patient's are); for a COVID
        /// patient this is its own disease.
        case implanted
    }

    /// Renders one slice with its lesions as generated, removed, or implanted (for normal
    /// patients): the counterfactual test of what a network looks at (the dataset audit).
    public func renderSlice(patient: String, series: String, imageNumber: Int, lesions: LesionOverride) throws -> (
        pixels: [UInt16], truth: SliceTruth
    ) {
        try renderCounterfactual(patient: patient, series: series, imageNumber: imageNumber, lesions: lesions, options: .init())
    }

    func renderCounterfactual(
        patient: String, series: String, imageNumber: Int, lesions: LesionOverride,
        options: PhantomRenderer.Options
    ) throws -> (pixels: [UInt16], truth: SliceTruth) {
        var r = try renderer(patient: patient, series: series)
        guard let i = r.plan.index(of: imageNumber) else {
            throw SynthError.unknownImage(patient: patient, series: series, imageNumber: imageNumber)
        }
        switch lesions {
        case .asGenerated: break
        case .removed: r = r.with(anatomy: r.anatomy.with(disease: nil))
        case .implanted:
            if r.anatomy.disease == nil { r = r.with(anatomy: r.anatomy.with(disease: implantedDisease(patient))) }
        }
        let out = r.render(index: i, options: options)
        return (out.pixels, out.truth)
    }

    /// The disease implanted into a (normal) patient, built once per patient: a draw keyed by
    /// the patient, calibrated so its labelled slices show clear lesions.
    private func implantedDisease(_ patient: String) -> Disease? {
        implantLock.lock(); defer { implantLock.unlock() }
        if let d = implants[patient] { return d }
        guard let an = anatomies[patient], let ps = plans[patient] else { return nil }
        var z = ps.flatMap { p in p.labelledImageNumbers.compactMap { p.index(of: $0).map { p.zMM(index: $0) } } }
        if z.isEmpty { z = [0.5 * an.lungHeightMM] }
        let d = Disease(seed: config.seed, patientID: "implant/" + patient, anatomy: an, labelledZ: z)
        implants[patient] = d
        return d
    }

    /// Internal: the full render with noise-free planes, for tests.
    func renderDetailed(
        patient: String, series: String, imageNumber: Int,
        options: PhantomRenderer.Options = .init()
    ) throws -> (pixels: [UInt16], truth: SliceTruth, hu: [Float], tissue: [UInt8]) {
        let r = try renderer(patient: patient, series: series)
        guard let i = r.plan.index(of: imageNumber) else {
            throw SynthError.unknownImage(patient: patient, series: series, imageNumber: imageNumber)
        }
        return r.render(index: i, options: options)
    }

    /// Writes the selected patients in the real raw layout under `dir`, plus copies of the three
    /// metadata CSVs, and beside each series `ground_truth.csv` and `lesion_masks/IM#####.tif`
    /// (8-bit, deflate; 1 ground glass, 2 crazy paving, 3 consolidation). Slices are rendered
    /// on all cores; `progress(done, total)` is called from one thread at a time.
    public func write(to dir: String, progress: (Int, Int) -> Void) throws -> SynthSummary {
        let start = Date()
        let fm = FileManager.default
        let root = URL(fileURLWithPath: dir)
        try createDir(root)
        for name in ["Patient_details.csv", "Patients_metadata.csv", "all.csv"] {
            let data = try Data(contentsOf: PatientDetails.bundledURL(name))
            try data.write(to: root.appendingPathComponent(name), options: .atomic)
        }
        let series = plan()
        var jobs: [(series: Int, index: Int)] = []
        for (s, p) in series.enumerated() {
            let d = root.appendingPathComponent(p.batch).appendingPathComponent(p.patientID).appendingPathComponent(p.series)
            try createDir(d)
            try createDir(d.appendingPathComponent("lesion_masks"))
            for i in 0..<p.sliceCount { jobs.append((s, i)) }
        }
        let renderers = try series.map { try renderer(patient: $0.patientID, series: $0.series) }
        var truths = [SliceTruth?](repeating: nil, count: jobs.count)
        var firstError: Error?
        var bytes = 0, done = 0
        let lock = NSLock()
        let total = jobs.count
        withoutActuallyEscaping(progress) { escapingProgress in
            let progressBox = ProgressBox(call: escapingProgress)
            truths.withUnsafeMutableBufferPointer { tb in
                let truthBuffer = tb
                Parallel.run(workers: jobs.count) { j in
                    let (s, i) = jobs[j]
                    let r = renderers[s], p = r.plan
                    let out = r.render(index: i)
                    let dirURL = root.appendingPathComponent(p.batch).appendingPathComponent(p.patientID).appendingPathComponent(p.series)
                    let name = SeriesPlan.fileName(p.imageNumbers[i])
                    var err: Error?
                    var written = 0
                    do {
                        let path = dirURL.appendingPathComponent(name).path
                        try TIFFWriter.write(TIFFImage(width: config.size, height: config.size, uint16: out.pixels), to: path)
                        written += config.size * config.size * 2
                        if let mask = out.truth.lesionMask {
                            try mask.withUnsafeBytes {
                                try TIFFWriter.writeRaw(
                                    $0, width: config.size, height: config.size, encoding: .uint8,
                                    to: dirURL.appendingPathComponent("lesion_masks").appendingPathComponent(name).path,
                                    options: .init(compression: .deflate, rowsPerStrip: 64))
                            }
                        }
                    } catch { err = error }
                    truthBuffer[j] = out.truth
                    lock.lock()
                    if let err, firstError == nil { firstError = err }
                    bytes += written
                    done += 1
                    let d = done
                    progressBox.call(d, total)
                    lock.unlock()
                }
            }
        }
        if let firstError { throw firstError }
        // Ground truth per series.
        var k = 0, lesionSlices = 0, labelled = 0
        var byClass: [ClassLabel: Int] = [:]
        for p in series {
            var csv = "image_number,z_mm,lung_area_in_region,lung_open,lesion_area,lesion_area_in_region,labelled,lung_area,lesion_share\n"
            for _ in 0..<p.sliceCount {
                let t = truths[k]!; k += 1
                csv +=
                    "\(t.imageNumber),\(String(format: "%.2f", t.zMM)),\(t.lungAreaInRegion),\(t.lungOpen ? "yes" : "no"),\(t.lesionArea),\(t.lesionAreaInRegion),\(t.labelled ? "yes" : "no"),\(t.lungArea),\(String(format: "%.4f", t.lesionShare))\n"
                if t.lesionArea > 0 { lesionSlices += 1 }
                if t.labelled { labelled += 1 }
            }
            byClass[p.label, default: 0] += p.sliceCount
            let d = root.appendingPathComponent(p.batch).appendingPathComponent(p.patientID).appendingPathComponent(p.series)
            try Data(csv.utf8).write(to: d.appendingPathComponent("ground_truth.csv"), options: .atomic)
        }
        _ = fm
        try Data(DiseaseTruth.csv(diseaseTruth()).utf8).write(to: root.appendingPathComponent(DiseaseTruth.fileName), options: .atomic)
        return SynthSummary(
            patients: selected.count, series: series.count, slices: total, slicesByClass: byClass,
            slicesWithLesions: lesionSlices, labelledSlices: labelled, bytesWritten: bytes,
            seconds: Date().timeIntervalSince(start))
    }

    private func createDir(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw SynthError.io(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// Lets a non-escaping progress closure be called from `concurrentPerform` under a lock.
private struct ProgressBox: @unchecked Sendable {
    let call: (Int, Int) -> Void
}
