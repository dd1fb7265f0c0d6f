import Foundation

/// The kinds of COVID-19 lesion the twin paints (values of the lesion masks).
enum LesionKind: UInt8, Sendable {
    /// Ground-glass opacity, HU in -700...-300.
    case groundGlass = 1
    /// Crazy paving: ground glass with thickened interlobular septa, HU in -700...-250.
    case crazyPaving = 2
    /// Consolidation (air bronchograms inside stay dark), HU in -950...60.
    case consolidation = 3

    /// The HU range every lesion pixel of this kind lies in (noise-free).
    var range: ClosedRange<Double> {
        switch self {
        case .groundGlass: return -700 ... -300
        case .crazyPaving: return -700 ... -250
        case .consolidation: return -950...60
        }
    }
}

/// The five lung lobes of the CT severity score (right upper, middle, lower; left upper, lower).
enum Lobe: Int, CaseIterable, Sendable {
    case rightUpper, rightMiddle, rightLower, leftUpper, leftLower
    var isLower: Bool { self == .rightLower || self == .leftLower }
    var isRight: Bool { rawValue < 3 }
    /// Short name as radiology reports write it.
    var code: String { ["RUL", "RML", "RLL", "LUL", "LLL"][rawValue] }
}

/// Where a point of the lung lies: its lobe and its position in the lung's cross-section.
struct LungPosition {
    let lobe: Lobe
    /// 0 at the centre of the lung's cross-section, 1 at the pleura.
    let radial: Double
    /// -1 anterior ... +1 posterior within the lung's cross-section.
    let anteroPosterior: Double
    /// Signed distance to the oblique fissure plane, mm (positive: the lower lobe's side).
    let fissureMM: Double
    /// The lobes on the two sides of the oblique fissure at this point's level and side.
    let frontLobe: Lobe, backLobe: Lobe
}

extension LevelGeometry {
    /// Level (fraction of lung height) of the right horizontal fissure.
    static let horizontalFissureU = 0.47

    /// The lobe and position of lung point (x, y) at this level. Callers check the point is lung.
    ///
    /// The oblique fissure is modelled as a plane through the lung's cross-section: it leaves the
    /// posterior pleura at u = 0.2 and reaches the anterior pleura at the base (u = 0.95), so the
    /// lower lobe is posterior and basal; on the right the horizontal fissure (u = 0.47) splits the
    /// anterior part into upper and middle lobe.
    @inline(__always) func lungPosition(_ x: Double, _ y: Double) -> LungPosition {
        let lx = (abs(x) - lungCX) / max(lungA, 1e-6), ly = (y - lungCY) / max(lungB, 1e-6)
        let radial = (lx * lx + ly * ly).squareRoot()
        let yf = 1 - 2 * (u - 0.2) / 0.75 - 0.12 * lx + 0.22 * (lx * lx - 0.3)
        let fissure = (ly - yf) * lungB
        let right = x < 0
        let front: Lobe = right ? (u < LevelGeometry.horizontalFissureU ? .rightUpper : .rightMiddle) : .leftUpper
        let back: Lobe = right ? .rightLower : .leftLower
        return LungPosition(
            lobe: fissure > 0 ? back : front, radial: min(radial, 1), anteroPosterior: max(-1, min(1, ly)),
            fissureMM: fissure, frontLobe: front, backLobe: back)
    }
}

/// A patient's COVID-19 pneumonia (issue 15; sources in `README.md`): a CT severity score per lobe
/// (0-5 by the share of the lobe involved, total 0-25) and a smooth 3-D "disease field" whose
/// upper tail inside each lobe is the lesion. The field mixes multi-scale value noise (patchy,
/// lobulated, geographic margins; confluent where involvement is high) with a peripheral
/// (subpleural) and a posterior weight, so the same threshold gives lesions that continue across
/// neighbouring slices and across the patient's three series at the same body level.
///
/// Each lobe's threshold is calibrated on Monte-Carlo samples of that lobe so the involved share
/// matches the lobe's score; then the field is raised locally at the levels of the slices the
/// experts labelled until each of them shows a clear lesion (`labelledShareTarget` of the slice's
/// lung, unless the raise reaches `maxBump` first), as the dataset's labels promise ("the
/// infections were clear on them"). The target is not a guarantee: the least share measured on
/// the default twin is in `README.md` and Table S5.
struct Disease: Sendable {
    /// Severity score per lobe (`Lobe` order), 0...5.
    let lobeScores: [Int]
    /// Target share of each lobe's volume involved (within the score's band).
    let lobeTargets: [Double]
    /// Patterns present in this patient.
    let groundGlass: Bool, consolidation: Bool, crazyPaving: Bool
    /// Weights of the subpleural and posterior predominance in the field.
    let peripheralWeight: Double, posteriorWeight: Double
    /// HU of faint ground glass at the lesion edge.
    let groundGlassHU: Double
    let key: UInt64
    /// Calibrated field threshold per lobe (infinity: lobe spared).
    private(set) var thresholds: [Double]
    /// Local raises of the field at labelled levels: (z mm, amplitude).
    private(set) var bumps: [(z: Double, amplitude: Double)]
    /// Measured on the calibration samples after the bumps (ground truth of the whole patient).
    private(set) var measured: Measured

    static let bumpSigmaMM = 9.0
    /// The most one local raise adds to the field.
    static let maxBump = 1.0
    /// The lesion share of the lung each labelled level is raised towards (noise-free).
    static let labelledShareTarget = 0.08

    /// Whole-patient measurements, from the calibration samples.
    struct Measured: Sendable, Hashable {
        /// Involved share of each lobe.
        var lobeShare: [Double] = Array(repeating: 0, count: 5)
        /// The severity score the involved shares give (0-5 per lobe by the published bands).
        var lobeScores: [Int] = Array(repeating: 0, count: 5)
        /// Share of the lesion volume in the outer third of the lung (subpleural), in the
        /// posterior half, in the lower lobes; involvement of each lung.
        var peripheralShare = 0.0, posteriorShare = 0.0, lowerLobeShare = 0.0
        var rightInvolved = false, leftInvolved = false
        /// Lesion volume by kind (ground glass, crazy paving, consolidation), shares.
        var kindShares: [Double] = [0, 0, 0]
        var totalScore: Int { lobeScores.reduce(0, +) }
    }

    var totalScore: Int { lobeScores.reduce(0, +) }

    // MARK: - Drawing a patient

    /// The score band's involved share for score s (Pan et al. 2020's bands).
    static func band(_ s: Int) -> ClosedRange<Double> {
        switch s {
        case 0: return 0...0
        case 1: return 0.01...0.05
        case 2: return 0.05...0.25
        case 3: return 0.25...0.50
        case 4: return 0.50...0.75
        default: return 0.75...0.95
        }
    }

    /// The score of an involved share (the inverse of `band`).
    static func score(share: Double) -> Int {
        if share <= 0.0005 { return 0 }
        if share < 0.05 { return 1 }
        if share < 0.25 { return 2 }
        if share < 0.50 { return 3 }
        if share < 0.75 { return 4 }
        return 5
    }

    /// Draws one patient's disease and calibrates it on `anatomy`. `labelledZ`: levels (mm) of
    /// the slices `all.csv` lists for this patient, over all series.
    init(seed: UInt64, patientID: String, anatomy: PatientAnatomy, labelledZ: [Double]) {
        var g = SynthRandom(seed: seed, ["disease", patientID])
        // Total score: a gamma(4, 2.2) draw (mean 8.8, sd 4.4), 1...25 — hospitalised patients.
        var gammaSum = 0.0
        for _ in 0..<4 { gammaSum += -log(max(g.uniform(), 1e-12)) }
        let total = min(25, max(1, Int((2.2 * gammaSum).rounded())))
        // Bilateral drawn in 88% (a low total score may still land on one side); lower lobes
        // favoured (weights), each lobe jittered.
        let bilateral = g.uniform() < 0.88
        let rightOnly = g.uniform() < 0.55
        let base: [Double] = [0.75, 0.5, 1.35, 0.8, 1.3]
        var weights = base.enumerated().map { (i, w) in
            w * exp(g.normal(0, 0.45)) * ((bilateral || (Lobe(rawValue: i)!.isRight == rightOnly)) ? 1 : 0)
        }
        if weights.allSatisfy({ $0 == 0 }) { weights = base }
        var scores = [0, 0, 0, 0, 0]
        // Lower lobes first in ~92%: the first point goes to a lower lobe.
        if g.uniform() < 0.92 {
            let lower = [2, 4].filter { weights[$0] > 0 }
            if let l = lower.max(by: { weights[$0] < weights[$1] }) { scores[l] = 1 }
        }
        while scores.reduce(0, +) < min(total, weights.filter { $0 > 0 }.count * 5) {
            let open = (0..<5).filter { scores[$0] < 5 && weights[$0] > 0 }
            let sum = open.reduce(0.0) { $0 + weights[$1] }
            var r = g.uniform() * sum
            var pick = open.last!
            for i in open { r -= weights[i]; if r <= 0 { pick = i; break } }
            scores[pick] += 1
        }
        lobeScores = scores
        lobeTargets = scores.map { s in
            let b = Disease.band(s);
            return s == 0
                ? 0 : g.uniform(b.lowerBound + 0.1 * (b.upperBound - b.lowerBound), b.upperBound - 0.1 * (b.upperBound - b.lowerBound))
        }
        // Patterns: ground glass in ~92%, consolidation in ~40% (more with severity), crazy paving in ~12%.
        let sev = Double(total) / 25
        groundGlass = g.uniform() < 0.93
        consolidation = !groundGlass || g.uniform() < 0.12 + 0.5 * sev
        crazyPaving = groundGlass && g.uniform() < 0.05 + 0.2 * sev
        // Subpleural predominance in ~90% of draws (~80% measured), posterior in ~80%.
        peripheralWeight = g.uniform() < 0.9 ? g.uniform(0.8, 1.1) : g.uniform(-0.1, 0.15)
        posteriorWeight = g.uniform() < 0.75 ? g.uniform(0.18, 0.32) : g.uniform(-0.25, -0.05)
        groundGlassHU = g.uniform(-660, -560)
        key = g.next()
        thresholds = Array(repeating: .infinity, count: 5)
        bumps = []
        measured = Measured()
        calibrate(anatomy: anatomy, labelledZ: labelledZ)
    }

    // MARK: - The field

    /// The disease field at a lung point: about 0...1.6; lesion where it exceeds the lobe's threshold.
    @inline(__always) func field(_ x: Double, _ y: Double, _ z: Double, _ p: LungPosition) -> Double {
        let k = key
        var f =
            0.5 * valueNoise3(x / 26, y / 26, z / 26, key: k)
            + 0.32 * valueNoise3(x / 11, y / 11, z / 11, key: k &+ 1)
            + 0.18 * valueNoise3(x / 4.5, y / 4.5, z / 4.5, key: k &+ 2)
        let ap = p.anteroPosterior
        f += peripheralWeight * (p.radial - 0.7) + posteriorWeight * (ap >= 0 ? 1.5 * ap * ap : ap)
        for b in bumps {
            let d = (z - b.z) / Disease.bumpSigmaMM
            if abs(d) < 3 { f += b.amplitude * exp(-d * d) }
        }
        return f
    }

    /// The largest amount the bumps add at level z (to skip slices that cannot hold a lesion).
    func bumpAt(_ z: Double) -> Double {
        var s = 0.0
        for b in bumps { let d = (z - b.z) / Disease.bumpSigmaMM; if abs(d) < 3 { s += b.amplitude * exp(-d * d) } }
        return s
    }

    /// Lowest threshold over the lobes.
    var minThreshold: Double { thresholds.min() ?? .infinity }

    /// Lesion kind and noise-free HU at a lung point, or nil when the point is not diseased.
    @inline(__always) func lesion(_ x: Double, _ y: Double, _ z: Double, _ p: LungPosition) -> (LesionKind, Double)? {
        var t = thresholds[p.lobe.rawValue]
        if abs(p.fissureMM) < 14 {
            // Near the oblique fissure the two lobes' thresholds blend over a wavy band, so a
            // lesion stops at the fissure irregularly instead of along a straight cut.
            let tu = min(thresholds[p.frontLobe.rawValue], 3), tl = min(thresholds[p.backLobe.rawValue], 3)
            let wob = 9 * (valueNoise3(x / 9, y / 9, z / 9, key: key &+ 13) - 0.5)
            let w = smoothstep(-7, 7, p.fissureMM + wob)
            t = tu + (tl - tu) * w
        }
        guard t < 3 else { return nil }
        let f = field(x, y, z, p)
        guard f > t else { return nil }
        return paint(x, y, z, excess: f - t)
    }

    /// Kind and HU of a diseased point whose field exceeds the threshold by `excess`.
    @inline(__always) func paint(_ x: Double, _ y: Double, _ z: Double, excess e: Double) -> (LesionKind, Double) {
        let k = key
        if consolidation && (!groundGlass || e > 0.11) {
            // Consolidation; air bronchograms: thin branching lucent channels along a noise ridge.
            let ridge = abs(valueNoise3(x / 7, y / 7, z / 7, key: k &+ 5) - 0.5)
            if ridge < 0.022 && e > (groundGlass ? 0.13 : 0.02) { return (.consolidation, -880) }
            let tex = valueNoise3(x / 2.5, y / 2.5, z / 2.5, key: k &+ 7) - 0.5
            return (.consolidation, min(45, max(-80, -10 + 60 * tex - 300 * max(0, 0.14 - e))))
        }
        let tex = valueNoise3(x / 2.5, y / 2.5, z / 2.5, key: k &+ 7) - 0.5
        let hu = min(-330, groundGlassHU + 700 * min(e, 0.12) + 60 * tex)
        if crazyPaving && valueNoise3(x / 22, y / 22, z / 22, key: k &+ 9) > 0.45 {
            // Thickened interlobular septa: the edges of a polygonal (Voronoi) network of ~8 mm
            // secondary lobules — points about equally near their two nearest lobule centres.
            let cell = 8.0
            let cx = (x / cell).rounded(.down), cy = (y / cell).rounded(.down), cz = (z / cell).rounded(.down)
            var d1 = Double.infinity, d2 = Double.infinity
            for i in -1...1 {
                for j in -1...1 {
                    let gx = cx + Double(i), gy = cy + Double(j)
                    let hsh = SynthRandom.mix(
                        k &+ 17 &+ UInt64(bitPattern: Int64(gx)) &* 0x9E37_79B9_7F4A_7C15
                            ^ UInt64(bitPattern: Int64(gy)) &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(bitPattern: Int64(cz))
                            &* 0x1656_67B1_9E37_79F9)
                    let px = (gx + Double(hsh & 0xFFFF) / 65536) * cell, py = (gy + Double((hsh >> 16) & 0xFFFF) / 65536) * cell
                    let d = ((x - px) * (x - px) + (y - py) * (y - py)).squareRoot()
                    if d < d1 { d2 = d1; d1 = d } else if d < d2 { d2 = d }
                }
            }
            return (.crazyPaving, d2 - d1 < 0.9 ? -280 : hu)
        }
        return (.groundGlass, hu)
    }

    // MARK: - Calibration

    /// Calibrates the lobe thresholds to the target involvement, then raises the field at the
    /// labelled levels that would otherwise show less than the floor; records the measurements.
    private mutating func calibrate(anatomy: PatientAnatomy, labelledZ: [Double]) {
        // Samples of the lung volume: a jittered 3-D grid.
        var g = SynthRandom(key: key &+ 101)
        let h = anatomy.lungHeightMM
        let step = 6.0
        var samples: [(x: Double, y: Double, z: Double, pos: LungPosition)] = []
        var z = 1.0
        while z < h * 1.02 {
            let geo = LevelGeometry(anatomy, z: z)
            if geo.lungScale > 0 {
                let xr = geo.lungCX + geo.lungA, y0 = geo.lungCY - geo.lungB, y1 = geo.lungCY + geo.lungB
                var y = y0
                while y < y1 {
                    var x = -xr
                    while x < xr {
                        let px = x + g.uniform(0, step), py = y + g.uniform(0, step), pz = z + g.uniform(-step / 2, step / 2)
                        if geo.tissue(px, py).0 == .lung { samples.append((px, py, pz, geo.lungPosition(px, py))) }
                        x += step
                    }
                    y += step
                }
            }
            z += step
        }
        func thresholdsFor() -> [Double] {
            var out = Array(repeating: Double.infinity, count: 5)
            for lobe in Lobe.allCases where lobeTargets[lobe.rawValue] > 0 {
                var vals: [Double] = []
                for s in samples where s.pos.lobe == lobe { vals.append(field(s.x, s.y, s.z, s.pos)) }
                guard !vals.isEmpty else { continue }
                vals.sort()
                let q = Int((Double(vals.count) * (1 - lobeTargets[lobe.rawValue])).rounded(.down))
                out[lobe.rawValue] = vals[min(max(q, 0), vals.count - 1)]
            }
            return out
        }
        thresholds = thresholdsFor()
        // Raise the field where labelled slices would not show a clear lesion.
        let levels = Array(Set(labelledZ.map { ($0 * 2).rounded() / 2 })).sorted()
        if !levels.isEmpty {
            // Raises only add to the field, so a level that shows enough lesion keeps showing it.
            // Returns the levels that still show too little.
            func raise(_ levels: [Double]) -> [Double] {
                var pending = levels
                for _ in 0..<16 {
                    var changed = false
                    var still: [Double] = []
                    for zl in pending {
                        let share = sliceShare(anatomy: anatomy, z: zl)
                        guard share < Disease.labelledShareTarget else { continue }
                        still.append(zl)
                        let add = share < 0.01 ? 0.08 : 0.04
                        if let i = bumps.firstIndex(where: { abs($0.z - zl) < 2 }) {
                            guard bumps[i].amplitude < Disease.maxBump else { continue }
                            bumps[i].amplitude += add
                        } else {
                            bumps.append((zl, add))
                        }
                        changed = true
                    }
                    pending = still
                    if !changed { break }
                }
                return pending
            }
            // A spared lobe of an involved lung can hold a labelled slice's lesion (where the
            // experts saw it, the local raise may cross a threshold above what the scored lobes
            // need); a lung the score spared entirely is opened only if a level still shows too
            // little after that, so unilateral disease stays unilateral.
            let top = thresholds.filter(\.isFinite).max() ?? 0.9
            let involvedSides = Set((0..<5).filter { thresholds[$0].isFinite }.map { Lobe(rawValue: $0)!.isRight })
            var pending = levels
            for opening in [{ (l: Lobe) in involvedSides.contains(l.isRight) }, { (_: Lobe) in true }] where !pending.isEmpty {
                for i in 0..<5 where !thresholds[i].isFinite && opening(Lobe(rawValue: i)!) { thresholds[i] = top + 0.6 }
                pending = raise(pending)
            }
        }
        // Measurements on the samples.
        var m = Measured()
        var lobeCount = [Int](repeating: 0, count: 5), lobeHit = [Int](repeating: 0, count: 5)
        var hit = 0, per = 0, post = 0, lower = 0
        var kinds = [0, 0, 0]
        for s in samples {
            let i = s.pos.lobe.rawValue
            lobeCount[i] += 1
            guard let (kind, _) = lesion(s.x, s.y, s.z, s.pos) else { continue }
            lobeHit[i] += 1; hit += 1
            if s.pos.radial > 2.0 / 3 { per += 1 }
            if s.pos.anteroPosterior > 0 { post += 1 }
            if s.pos.lobe.isLower { lower += 1 }
            if s.pos.lobe.isRight { m.rightInvolved = true } else { m.leftInvolved = true }
            kinds[Int(kind.rawValue) - 1] += 1
        }
        for i in 0..<5 {
            m.lobeShare[i] = lobeCount[i] > 0 ? Double(lobeHit[i]) / Double(lobeCount[i]) : 0
            m.lobeScores[i] = Disease.score(share: m.lobeShare[i])
        }
        if hit > 0 {
            m.peripheralShare = Double(per) / Double(hit)
            m.posteriorShare = Double(post) / Double(hit)
            m.lowerLobeShare = Double(lower) / Double(hit)
            m.kindShares = kinds.map { Double($0) / Double(hit) }
        }
        measured = m
    }

    /// Lesion share of the lung at level z (noise-free, 1.5 mm sampling grid).
    func sliceShare(anatomy: PatientAnatomy, z: Double) -> Double {
        let geo = LevelGeometry(anatomy, z: z)
        guard geo.lungScale > 0 else { return 0 }
        let step = 1.5
        let xr = geo.lungCX + geo.lungA, y0 = geo.lungCY - geo.lungB, y1 = geo.lungCY + geo.lungB
        var lung = 0, les = 0
        var y = y0 + step / 2
        while y < y1 {
            var x = -xr + step / 2
            while x < xr {
                if geo.tissue(x, y).0 == .lung {
                    lung += 1
                    if lesion(x, y, z, geo.lungPosition(x, y)) != nil { les += 1 }
                }
                x += step
            }
            y += step
        }
        return lung > 0 ? Double(les) / Double(lung) : 0
    }
}
