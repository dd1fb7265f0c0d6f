import Foundation

/// A lung vessel branch: a tapered tube from `p0` to `p1` (mm, body coordinates, z below apex).
struct VesselSegment: Sendable {
    let p0: SIMD3<Double>, p1: SIMD3<Double>
    let radius: Double
}

/// Everything about one synthetic patient's body that does not depend on the series: size,
/// organ placement, vessel tree, normal variants, disease. A pure function of (seed, patient,
/// series plans).
struct PatientAnatomy: Sendable {
    let lungHeightMM: Double
    let bodyHalfWidthMM: Double
    let bodyHalfDepthMM: Double
    /// Horizontal offset of the body centre from the image centre, mm (positive: image right).
    let bodyOffsetXMM: Double
    /// Vertical offset of the body centre from the image centre, mm (positive: down).
    let bodyOffsetYMM: Double
    let fatMM: Double
    let muscleMM: Double
    let lungHU: Double
    let heartScale: Double
    let carinaU: Double
    let domeTopU: Double
    let vessels: [VesselSegment]
    /// COVID-19 pneumonia (nil for normal patients).
    private(set) var disease: Disease?
    /// Strength (0...1) of the gravity-dependent subpleural density of a supine chest, and its
    /// depth in mm: present in every patient, normal or not.
    let dependentDensity: Double
    let dependentDepthMM: Double
    let textureKey: UInt64
    /// Arms raised above the head (the usual position for chest CT): at and above the apex the
    /// shoulders show as postero-lateral lobes of deltoid and axillary soft tissue around the
    /// humeral heads. Radius of that lobe, mm, and the furthest it may reach from the body's
    /// midline so that the body stays inside the image.
    let shoulderRadiusMM: Double
    let shoulderMaxXMM: Double
    /// Female breasts: anterior protrusion (mm, 0 for male patients and children) and the
    /// share of fibroglandular tissue.
    let breastMM: Double
    let breastGland: Double
    /// Size factor of the mediastinal great vessels (aorta, pulmonary trunk, veins).
    let vesselScale: Double

    init(seed: UInt64, patient: SynthCohort.Patient, plans: [SeriesPlan]) {
        let r = patient.record
        var g = SynthRandom(seed: seed, ["anatomy", r.id])
        lungHeightMM = plans.first?.lungHeightMM ?? 250
        // Body size from sex, limited so the body stays inside the smallest field of view.
        let fovMin = plans.map { 512 * $0.pixelSpacingMM }.min() ?? 380
        bodyOffsetXMM = g.normal(0, 6)
        let offMax = abs(bodyOffsetXMM)
        var half = g.normal(r.sex == "M" ? 168 : 156, 13)
        if let age = r.ageYears, age < 16 { half *= 0.82 }
        half = min(max(half, 115), 0.45 * fovMin - offMax)
        bodyHalfWidthMM = half
        bodyHalfDepthMM = min(half * g.uniform(0.6, 0.72), 0.36 * fovMin)
        bodyOffsetYMM = min(g.uniform(-14, 6), 0.44 * fovMin - bodyHalfDepthMM * 1.06 - 8)
        fatMM = max(4, min(g.normal(r.sex == "F" ? 20 : 14, 6), 0.18 * half))
        muscleMM = g.uniform(8, 14) * half / 160
        lungHU = g.uniform(-875, -835)
        heartScale = g.uniform(0.85, 1.1)
        carinaU = g.uniform(0.3, 0.38)
        domeTopU = g.uniform(0.75, 0.8)
        textureKey = g.next()
        dependentDensity = g.uniform(0.25, 1)
        dependentDepthMM = g.uniform(3, 9)
        vessels = PatientAnatomy.vesselTree(&g, height: lungHeightMM, halfWidth: half, halfDepth: bodyHalfDepthMM)
        // Shoulders, breasts and great vessels draw from their own stream, so the body size,
        // organ placement and lung vessels above keep their draws.
        var h = SynthRandom(seed: seed, ["anatomy-level", r.id])
        let child = (r.ageYears ?? 40) < 16
        // The shoulder lobe reaches 0.6 r beyond the body's widest half width (1.06 half at
        // the top) but ends inside the image, 3% short of its edge (pulled in if need be).
        shoulderRadiusMM = h.uniform(40, 52) * half / 160
        shoulderMaxXMM = 0.485 * fovMin - offMax
        // The breasts protrude anteriorly; the body's front stays inside the image.
        let front = 0.47 * fovMin + bodyOffsetYMM - bodyHalfDepthMM * 1.0 - 4
        let wantBreast = r.sex == "F" && !child ? h.uniform(12, 34) : 0
        breastMM = max(0, min(wantBreast, front))
        breastGland = h.uniform(0.25, 0.6)
        vesselScale = h.uniform(0.9, 1.12) * (child ? 0.8 : 1)
        disease = nil
        if r.label == .covid {
            let labelledZ = plans.flatMap { p in p.labelledImageNumbers.compactMap { p.index(of: $0).map { p.zMM(index: $0) } } }
            disease = Disease(seed: seed, patientID: r.id, anatomy: self, labelledZ: labelledZ)
        }
    }

    /// This anatomy with `disease` in place of its own (nil: the same body without lesions) —
    /// the twin's counterfactual slices (`SyntheticTwin.LesionOverride`).
    func with(disease: Disease?) -> PatientAnatomy {
        var a = self
        a.disease = disease
        return a
    }

    /// Is (x, y, z) inside the lung (before vessels and lesions)?
    func isLung(_ x: Double, _ y: Double, _ z: Double) -> Bool {
        LevelGeometry(self, z: z).tissue(x, y).0 == .lung
    }

    // MARK: - Vessels

    /// Two vessel trees per lung, branching from the hilum towards apex, periphery and base:
    /// 7 levels of binary branching, tapering from 3 mm to 0.4 mm radius towards the periphery.
    static func vesselTree(_ g: inout SynthRandom, height: Double, halfWidth: Double, halfDepth: Double) -> [VesselSegment] {
        var out: [VesselSegment] = []
        let ac = halfWidth * 0.8
        for side in [-1.0, 1.0] {
            let hilum = SIMD3(side * 0.2 * ac, 0.1 * halfDepth, 0.42 * height)
            // Eight trunks fanning out from the hilum: up, lateral, anterior, posterior, down.
            let roots: [SIMD3<Double>] = [
                SIMD3(side * 0.4, -0.2, -1.0), SIMD3(side * 0.6, 0.5, -0.8), SIMD3(side * 1.0, -0.5, -0.2),
                SIMD3(side * 1.0, 0.3, 0.0), SIMD3(side * 0.5, -0.9, 0.2), SIMD3(side * 0.6, 0.9, 0.3),
                SIMD3(side * 0.5, 0.4, 1.0), SIMD3(side * 0.7, -0.3, 0.9)
            ]
            for dir in roots {
                // Trunks leave the hilum at different levels, so no single slice holds them all.
                let start = hilum + SIMD3(0, 0, dir.z * 0.06 * height + g.uniform(-0.03, 0.03) * height)
                grow(&g, from: start, dir: normalize(dir), length: 0.15 * height, radius: 3, depth: 0, into: &out)
            }
        }
        return out
    }

    private static func normalize(_ v: SIMD3<Double>) -> SIMD3<Double> {
        v / max(1e-9, (v * v).sum().squareRoot())
    }

    private static func grow(
        _ g: inout SynthRandom, from p: SIMD3<Double>, dir: SIMD3<Double>, length: Double,
        radius: Double, depth: Int, into out: inout [VesselSegment]
    ) {
        let end = p + dir * length
        out.append(VesselSegment(p0: p, p1: end, radius: radius))
        guard depth < 7 else { return }
        for _ in 0..<2 {
            let jitter = SIMD3(g.normal(0, 0.45), g.normal(0, 0.45), g.normal(0, 0.45))
            grow(
                &g, from: end, dir: normalize(dir + jitter), length: length * g.uniform(0.7, 0.9),
                radius: max(0.4, radius * 0.72), depth: depth + 1, into: &out)
        }
    }
}
