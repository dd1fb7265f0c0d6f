import Foundation

/// Places the COVID-19 lesions of one patient (§2.1; issue 3 "Disease"):
/// 1-10 lesions of 5-60 mm, bilateral, peripheral (touching the pleura) and posterior-basal
/// predominant, over contiguous runs of slices. Every labelled slice of `all.csv` is covered by
/// a lesion cut near its middle (a clear lesion); extra faint ground-glass lesions elsewhere
/// scale with the patient's severity.
enum LesionPlacer {
    static let maxLesions = 10

    static func place(seed: UInt64, patientID: String, anatomy: PatientAnatomy, labelledZ: [Double]) -> [Lesion] {
        let zs = Array(Set(labelledZ.map { ($0 * 10).rounded() / 10 })).sorted()
        let s = anatomy.severity
        let h = anatomy.lungHeightMM
        for attempt in 0..<8 {
            var g = SynthRandom(seed: seed, ["lesions", patientID, String(attempt)])
            let stretch = 1 + 0.6 * Double(attempt)
            var lesions: [Lesion] = []
            var side = g.uniform() < 0.5 ? -1.0 : 1.0
            var i = 0
            var failed = false
            // Cover the labelled slices from the top down.
            while i < zs.count {
                guard lesions.count < maxLesions else { failed = true; break }
                let rz = g.uniform(10, 28 + 10 * s) * stretch
                let zc = min(zs[i] + 0.6 * rz, max(zs[i], 0.93 * h))
                guard let l = make(&g, anatomy: anatomy, z: zc, rz: rz, side: side, faint: false) else {
                    side = -side
                    if g.uniform() < 0.3 { failed = true; break }
                    continue
                }
                lesions.append(l)
                side = g.uniform() < 0.75 ? -side : side
                while i < zs.count && abs(zs[i] - zc) <= 0.62 * rz { i += 1 }
            }
            if failed { continue }
            // Extra lesions: faint ground glass, posterior-basal weighted.
            let extra = Int((Double(maxLesions - lesions.count) * s * g.uniform(0.3, 0.8)).rounded())
            let target = min(maxLesions, lesions.count + max(extra, zs.isEmpty ? 1 : 0))
            var tries = 0
            while lesions.count < target && tries < 40 {
                tries += 1
                let u = 0.25 + 0.65 * pow(g.uniform(), 0.6)
                let rz = g.uniform(6, 20)
                if let l = make(&g, anatomy: anatomy, z: u * h, rz: rz, side: g.uniform() < 0.5 ? -1 : 1,
                                faint: zs.isEmpty ? false : true) { lesions.append(l) }
            }
            if zs.isEmpty && lesions.isEmpty { continue }
            return lesions
        }
        return []
    }

    /// One lesion centred at level `z` in the lung on `side` (-1 right / image left, +1 left),
    /// against the pleura in a lateral-to-posterior direction. Nil when no lung is found.
    static func make(_ g: inout SynthRandom, anatomy: PatientAnatomy, z: Double, rz: Double, side: Double, faint: Bool) -> Lesion? {
        let geo = LevelGeometry(anatomy, z: z)
        guard geo.lungScale > 0.2 else { return nil }
        let s = anatomy.severity
        let rxy = faint ? g.uniform(3, 12) : g.uniform(5, 14 + 16 * s)
        for _ in 0..<12 {
            let phi = g.uniform(-0.7, 1.4)                         // lateral (0) ... posterior (pi/2)
            let dir = SIMD2(side * cos(phi), sin(phi))
            let c0 = SIMD2(side * geo.lungCX, geo.lungCY)
            guard geo.tissue(c0.x, c0.y).0 == .lung else { continue }
            var d = 0.0
            while d < 200, geo.tissue(c0.x + dir.x * (d + 2), c0.y + dir.y * (d + 2)).0 == .lung { d += 2 }
            let dc = max(0, d - 0.55 * rxy)
            let c = c0 + dir * dc
            guard geo.tissue(c.x, c.y).0 == .lung else { continue }
            let kind: Lesion.Kind
            let hu: Double
            let k = g.uniform()
            if faint { kind = .groundGlass; hu = g.uniform(-680, -600) }
            else if k < 0.1 + 0.3 * s { kind = .consolidation; hu = g.uniform(-60, 15) }
            else if k < 0.35 + 0.3 * s { kind = .crazyPaving; hu = g.uniform(-620, -520) }
            else { kind = .groundGlass; hu = g.uniform(-640, -430) }
            return Lesion(center: SIMD3(c.x, c.y, z), radii: SIMD3(rxy * g.uniform(0.8, 1.25), rxy * g.uniform(0.8, 1.25), rz),
                          kind: kind, hu: hu, key: g.next())
        }
        return nil
    }
}
