import Foundation

/// The plan of one synthetic series: where its slices lie along the body axis, how they are
/// numbered, and the scanner settings that shape their pixels. A plan depends only on the seed
/// and the cohort's metadata, never on which patients are generated.
public struct SeriesPlan: Sendable, Hashable {
    public let patientID: String
    /// `SR_2`, `SR_3` or `SR_4`.
    public let series: String
    /// Batch folder of the raw layout (`137covid`, `normal1`, ...).
    public let batch: String
    public let label: ClassLabel
    /// Slice thickness in mm (`Patient_details.csv`; 5 mm assumed when it lists none).
    public let thicknessMM: Double
    /// False when the thickness was assumed (patient78 and patient83 SR_2).
    public let thicknessKnown: Bool
    /// Table distance between consecutive images, mm (equal to the thickness).
    public let incrementMM: Double
    /// In-plane pixel spacing of the 512 x 512 image, mm (0.46-0.92 in the real data).
    public let pixelSpacingMM: Double
    /// Reconstruction kernel (`B30s`, `B70s`, ...): sets noise texture and blur.
    public let kernel: String
    /// LargestImagePixelValue of the series' first image: the value of a small bright
    /// skin marker, so per-image maxima vary as in the real data (§2.1).
    public let largestPixelValue: Int
    /// Horizontal offset of the scanner's 500 mm scan circle from the image centre, mm (data
    /// collection centre minus reconstruction target centre of the real series): the
    /// reconstruction is centred on the patient, who may lie off the gantry's axis.
    public let gantryOffsetXMM: Double
    /// Image numbers in order (IM00001 upward; one series reproduces a numbering gap).
    public let imageNumbers: [Int]
    /// Image numbers listed in `all.csv` for this series (sorted, may be empty).
    public let labelledImageNumbers: [Int]
    /// Body-axis position of the first image, mm below the lung apex (negative: above it).
    public let firstSliceZMM: Double
    /// The patient's lung height (apex to base), mm.
    public let lungHeightMM: Double

    /// Number of images.
    public var sliceCount: Int { imageNumbers.count }

    /// Position of an image number in `imageNumbers`, or nil.
    public func index(of imageNumber: Int) -> Int? {
        var lo = 0, hi = imageNumbers.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if imageNumbers[mid] == imageNumber { return mid }
            if imageNumbers[mid] < imageNumber { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    /// Body-axis position (mm below the lung apex) of the image at `index`.
    public func zMM(index: Int) -> Double { firstSliceZMM + Double(index) * incrementMM }

    /// File name of an image, `IM00012.tif`.
    public static func fileName(_ imageNumber: Int) -> String {
        "IM" + String(repeating: "0", count: max(0, 5 - String(imageNumber).count)) + String(imageNumber) + ".tif"
    }
}

// MARK: - Planning

/// Builds series plans for the whole cohort and calibrates slice counts (§2.1, Table 1).
///
/// Each patient gets a lung height (apex to base) from sex and age; a series covers the lung
/// plus a margin above the apex and below the base, one image per `thickness` mm. Every labelled
/// slice of `all.csv` must fall inside the open-lung part of the lung, body-axis fraction
/// `labelWindow`; a long labelled run lengthens the patient's lung and shifts the scan start.
/// Thin (< 3 mm) series of the real data hold about half the images a full chest would need,
/// so thin series cover the upper part of the chest down to a class-wise `thinCoverage`
/// fraction of the full length — calibrated by bisection so the class totals come close to
/// the real 15,589 COVID and 48,260 normal images.
enum SeriesPlanner {
    /// Body-axis fractions of the lung height within which labelled slices are placed.
    static let labelWindow: ClosedRange<Double> = 0.065...0.82
    /// Real image totals per class (Table 1).
    static let targetTotals: [ClassLabel: Int] = [.covid: 15_589, .normal: 48_260]

    /// Plans every patient of `cohort`, calibrated. Keys: patient id.
    static func plan(cohort: SynthCohort, seed: UInt64) -> (plans: [String: [SeriesPlan]], thinCoverage: [ClassLabel: Double]) {
        var coverage: [ClassLabel: Double] = [:]
        var out: [String: [SeriesPlan]] = [:]
        for label in ClassLabel.allCases {
            let pats = cohort.patients.filter { $0.record.label == label }
            let target = targetTotals[label]!
            // Thick series do not depend on the coverage; thin ones need max(round(full * c), minimum).
            var fixed = 0
            var thin: [(full: Int, minimum: Int)] = []
            for p in pats {
                for s in planPatient(p, seed: seed, thinCoverage: 1) {
                    if s.thicknessMM < 3 { thin.append((s.sliceCount, minimumCount(s))) } else { fixed += s.sliceCount }
                }
            }
            func total(_ c: Double) -> Int { fixed + thin.reduce(0) { $0 + max(Int((Double($1.full) * c).rounded()), $1.minimum) } }
            var lo = 0.0, hi = 1.0
            if total(hi) <= target {
                lo = hi
            } else if total(lo) >= target {
                hi = lo
            } else {
                for _ in 0..<30 { let mid = (lo + hi) / 2; if total(mid) < target { lo = mid } else { hi = mid } }
            }
            let c = abs(total(lo) - target) <= abs(total(hi) - target) ? lo : hi
            coverage[label] = c
            for p in pats { out[p.record.id] = planPatient(p, seed: seed, thinCoverage: c) }
        }
        return (out, coverage)
    }

    /// The fewest images a series may have: its last labelled position + 3, and at least 3.
    static func minimumCount(_ s: SeriesPlan) -> Int {
        let idx = numbering(labels: s.labelledImageNumbers).labelIndex
        return max(3, (idx.max() ?? -10) + 3)
    }

    /// Positions of labelled image numbers in the series' index space, and the numbering:
    /// a jump of more than 500 between consecutive labelled numbers is a numbering gap — two
    /// more images follow the last number before it, then numbering resumes at the next label.
    static func numbering(labels: [Int]) -> (labelIndex: [Int], gap: (afterIndex: Int, resumeAt: Int)?) {
        guard let jump = zip(labels, labels.dropFirst()).first(where: { $1 - $0 > 500 }) else {
            return (labels.map { $0 - 1 }, nil)
        }
        let k = jump.0 + 2  // images 1...k, then jump.1, jump.1 + 1, ...
        let idx = labels.map { $0 <= jump.0 ? $0 - 1 : k + ($0 - jump.1) }
        return (idx, (k, jump.1))
    }

    /// Plans the series of one patient.
    static func planPatient(_ p: SynthCohort.Patient, seed: UInt64, thinCoverage: Double) -> [SeriesPlan] {
        let r = p.record
        var rng = SynthRandom(seed: seed, ["lung-height", r.id])
        var height = rng.normal(r.sex == "M" ? 262 : 244, 16)
        if let age = r.ageYears, age < 16 { height *= 0.85 }
        height = min(max(height, 200), 320)
        let names = p.seriesNames
        func thickness(_ s: String) -> (Double, Bool) {
            if let t = r.thicknessMM[s] { return (t, true) }
            if let t = p.metadata[s]?.sliceThicknessMM { return (t, true) }
            return (5, false)
        }
        // The labelled runs must fit inside the open-lung window.
        let span = labelWindow.upperBound - labelWindow.lowerBound
        for s in names {
            guard let labels = p.labelled[s], !labels.isEmpty else { continue }
            let idx = numbering(labels: labels).labelIndex
            let need = Double(idx.max()! - idx.min()!) * thickness(s).0 / span
            height = max(height, need + 1)
        }
        let fallbackSpacing = names.compactMap { p.metadata[$0]?.pixelSpacingMM }.first ?? 0.75
        return names.map { s in
            var g = SynthRandom(seed: seed, ["series-plan", r.id, s])
            let (t, known) = thickness(s)
            let marginTop = g.uniform(5, 30), marginBottom = g.uniform(10, 35)
            var z0 = -marginTop
            let labels = p.labelled[s] ?? []
            let (labelIdx, gap) = numbering(labels: labels)
            if let lo = labelIdx.min(), let hi = labelIdx.max() {
                let zMin = labelWindow.lowerBound * height - Double(lo) * t
                let zMax = labelWindow.upperBound * height - Double(hi) * t
                z0 = zMin <= zMax ? min(max(z0, zMin), zMax) : (zMin + zMax) / 2
                // A normal patient's labelled run covers the open lung from where it opens (in
                // all.csv the normal runs start 3-10 images into the scan): it starts at the
                // window's top, even when a run that starts at the first images then puts the
                // scan's start a little below the apex.
                if r.label == .normal && zMin <= zMax { z0 = zMin }
            }
            let full = Int(((height + marginBottom - z0) / t).rounded(.up)) + 1
            var n = t < 3 ? Int((Double(full) * thinCoverage).rounded()) : full
            if let hi = labelIdx.max() { n = max(n, hi + 3) }
            n = max(n, 3)
            let numbers: [Int] = (0..<n).map { i in
                guard let gap, i >= gap.afterIndex else { return i + 1 }
                return gap.resumeAt + (i - gap.afterIndex)
            }
            let meta = p.metadata[s] ?? p.metadata.values.first
            let offset: Double = {
                guard let a = meta?.numbers("ReconstructionTargetCenterPatient").first,
                    let b = meta?.numbers("DataCollectionCenterPatient").first
                else { return 0 }
                return b - a
            }()
            return SeriesPlan(
                patientID: r.id, series: s, batch: p.batch, label: r.label,
                thicknessMM: t, thicknessKnown: known, incrementMM: t,
                pixelSpacingMM: p.metadata[s]?.pixelSpacingMM ?? fallbackSpacing,
                kernel: p.metadata[s]?.convolutionKernel ?? "B30s",
                largestPixelValue: Int(p.metadata[s]?.largestPixelValue ?? 2500),
                gantryOffsetXMM: offset, imageNumbers: numbers,
                labelledImageNumbers: labels, firstSliceZMM: z0, lungHeightMM: height)
        }
    }
}
