import Foundation

/// Tissue classes of the phantom, in the order a pixel is assigned.
enum Tissue: UInt8 {
    case outsideFOV, air, table, fat, muscle, bone, marker, mediastinum, heart, vessel, airway, liver, spleen, lung
}

/// The phantom's anatomy at one body-axis level z: the cross-sections of body, ribs, spine,
/// mediastinum, heart, airways, diaphragm domes and lungs (§2.2, Figs. 4, 5, 8).
///
/// Coordinates are millimetres relative to the body centre: x to the patient's left (image
/// right), y posterior (image down). z is mm below the lung apex; `u = z / lungHeight` runs
/// from 0 at the apex to 1 at the lung base. Lungs are absent or small near u = 0, largest
/// mid-chest, and replaced by the liver and spleen domes towards u = 1.
struct LevelGeometry {
    let z: Double, u: Double
    let a: Double, b: Double  // body half width / half depth
    let fatA: Double, fatB: Double  // fat layer thickness lateral / anterior
    let ac: Double, bc: Double  // thoracic cavity half axes (inside the ribs)
    let rib: Double  // rib band thickness
    let lungScale: Double  // 0 (no lung) ... 1 (full cross-section)
    let lungCX: Double, lungCY: Double, lungA: Double, lungB: Double
    let heart: Double  // 0...1 heart size factor at this level
    let arch: Double  // 0...1 great vessels above the heart
    let trachea: (x: Double, y: Double, r: Double)?
    let bronchi: (dx: Double, y: Double, r: Double)?
    let domeR: (cx: Double, cy: Double, r: Double)  // right (liver) dome cross-section, r = 0 absent
    let domeL: (cx: Double, cy: Double, r: Double)  // left (spleen / stomach) dome
    let stomachGas: Bool
    let ribPhase: Double
    let lungHU: Double
    /// Scapulae: a bony plate in the posterior muscles, `offset` mm outside the rib cage, over
    /// angles (from the posterior midline) phiCentre ± phiHalf; nil below the inferior angle.
    let scapula: (offset: Double, phiCentre: Double, phiHalf: Double)?
    /// Clavicles near the lung apex: a bony oval either side of the sternum's top, nil elsewhere.
    let clavicle: (x: Double, y: Double, r: Double)?

    init(_ p: PatientAnatomy, z: Double) {
        self.z = z
        let u = z / p.lungHeightMM
        self.u = u
        // Shoulders widen the body at the top, the abdomen deepens it below the lungs.
        a = p.bodyHalfWidthMM * (1 + 0.06 * (1 - smoothstep(-0.15, 0.2, u)))
        b = p.bodyHalfDepthMM * (1 + 0.05 * smoothstep(0.8, 1.3, u))
        fatA = p.fatMM; fatB = p.fatMM * 0.7
        rib = 9
        ac = a - fatA - p.muscleMM - rib
        bc = b - fatB - p.muscleMM - rib
        // Lung cross-section: a small apex growing quickly, tapering in the posterior recesses.
        let top = u <= 0 ? 0 : min(1, 0.08 + 0.92 * (u / 0.2).squareRoot())
        let bottom = 1 - smoothstep(0.9, 1.02, u)
        lungScale = top * bottom
        lungA = 0.56 * ac * lungScale
        lungB = 1.02 * bc * max(lungScale, 0.25 * top)
        lungCX = 0.47 * ac
        lungCY = 0.06 * bc + 0.35 * bc * (1 - bottom) + 0.12 * bc * (1 - top)
        heart = p.heartScale * smoothstep(0.36, 0.56, u) * (1 - smoothstep(0.95, 1.1, u))
        arch = smoothstep(0.16, 0.28, u) * (1 - smoothstep(0.38, 0.5, u))
        let carina = p.carinaU
        if u < carina {
            trachea = (0, 0.22 * bc, 9)
            bronchi = nil
        } else if u < carina + 0.1 {
            trachea = nil
            let f = (u - carina) / 0.1
            bronchi = (0.04 * ac + 0.16 * ac * f, 0.22 * bc + 0.1 * bc * f, 6.5 - 2 * f)
        } else {
            trachea = nil; bronchi = nil
        }
        // A dome is a prolate half-ellipsoid (vertical semi-axis 1.6 r) whose cross-section
        // grows from its top at `topU` to its full radius r, then stays (liver, spleen below).
        func dome(_ cx: Double, _ cy: Double, _ r: Double, _ topU: Double) -> (Double, Double, Double) {
            let zt = topU * p.lungHeightMM, rz = 1.6 * r
            if z < zt { return (cx, cy, 0) }
            let f = min(z - zt, rz) / rz
            return (cx, cy, r * (1 - (1 - f) * (1 - f)).squareRoot())
        }
        domeR = dome(-0.3 * ac, -0.22 * bc, 0.66 * ac, p.domeTopU)
        domeL = dome(0.38 * ac, -0.15 * bc, 0.52 * ac, p.domeTopU + 0.04)
        stomachGas = u > p.domeTopU + 0.1
        ribPhase = z / 22
        lungHU = p.lungHU
        // The scapula spans from the shoulder (above the apex) to its inferior angle at about
        // T7, mid-lung; its blade narrows towards the angle.
        let blade = 1 - smoothstep(0.3, 0.5, u)
        scapula = u > -0.3 && blade > 0.02 ? (0.55 * p.muscleMM + 2, 0.72, 0.38 * blade) : nil
        // The clavicles run laterally from the sternum's top, crossing the slices above the apex
        // and the first centimetres of the lung, further out at higher levels.
        clavicle = u > -0.12 && u < 0.07 ? ((0.3 + 2.2 * (0.07 - u)) * ac, -(bc + rib + 0.6 * p.muscleMM), 7) : nil
    }

    /// The tissue and its noise-free HU at (x, y) mm from the body centre, lesions and vessels
    /// excluded (they are painted on the lung afterwards).
    @inline(__always) func tissue(_ x: Double, _ y: Double) -> (Tissue, Double) {
        let ax = abs(x)
        // Body outline: a slightly boxy ellipse, flatter at the back.
        let ex = ax / a, ey = abs(y) / b
        let ex2 = ex * ex
        let body = ex2 * (0.85 + 0.15 * ex2) + (y > 0 ? ey * ey * ey : ey * ey)
        if body > 1 { return (.air, -1000) }
        let ia = a - fatA, ib = b - (y > 0 ? fatB * 0.6 : fatB)
        let fx = ax / ia, fy = abs(y) / ib
        let fx2 = fx * fx
        let inner = fx2 * (0.85 + 0.15 * fx2) + (y > 0 ? fy * fy * fy : fy * fy)
        if inner > 1 { return (.fat, -100) }
        // Spine: vertebral body, canal, arch and spinous process.
        let vy = 0.8 * bc, vr = max(12, 0.12 * ac)
        let dv = (x * x + (y - vy) * (y - vy)).squareRoot()
        if dv < vr { return (.bone, dv > vr - 2.5 ? 750 : 230) }
        let cy = vy + vr + 8
        let dc = (x * x + (y - cy) * (y - cy)).squareRoot()
        if dc < 7 { return (.muscle, 15) }
        if dc < 12 { return (.bone, 650) }
        if ax < 3.5 && y > cy && y < cy + 32 { return (.bone, 500) }
        // Rib cage band between the cavity and the muscles.
        let cex = x / ac, cey = y / bc
        let cav = cex * cex + cey * cey
        let rex = x / (ac + rib), rey = y / (bc + rib)
        let ribOuter = rex * rex + rey * rey
        if cav > 1 {
            if ribOuter <= 1 {
                if y < -0.85 * bc && ax < 14 && u > 0.05 && u < 0.85 { return (.bone, 420) }  // sternum
                let theta = atan2(y / bc, x / ac) / (2 * Double.pi)
                let phase = (abs(theta) * 11 + ribPhase).truncatingRemainder(dividingBy: 1)
                if phase < 0.32 && !(y < 0 && ax < 0.25 * ac) {
                    // An oval rib cross-section: cortex rim around marrow.
                    let radial = (cav.squareRoot() - 1) / (rib / (0.5 * (ac + bc)))
                    let pa = 2 * phase / 0.32 - 1, pr = 2 * min(max(radial, 0), 1) - 1
                    let d = pa * pa + pr * pr
                    if d < 1 { return (.bone, d > 0.5 ? 900 : 300) }
                }
            }
            if let sc = scapula, y > 0 {
                let ea = ac + rib + sc.offset, eb = bc + rib + sc.offset
                let rs = ((x / ea) * (x / ea) + (y / eb) * (y / eb)).squareRoot()
                let depth = abs(rs - 1) * 0.5 * (ea + eb)
                if depth < 2.2 && abs(atan2(ax / ea, y / eb) - sc.phiCentre) < sc.phiHalf {
                    return (.bone, depth > 1.1 ? 800 : 450)
                }
            }
            if let cl = clavicle {
                let dx = ax - cl.x, dy = (y - cl.y) * 1.4
                if dx * dx + dy * dy < cl.r * cl.r { return (.bone, dx * dx + dy * dy > 0.4 * cl.r * cl.r ? 850 : 350) }
            }
            return (.muscle, 45)
        }
        // Inside the cavity: airways first.
        if let t = trachea {
            let d = (x - t.x) * (x - t.x) + (y - t.y) * (y - t.y)
            if d < t.r * t.r { return (.airway, -1000) }
            if d < (t.r + 2) * (t.r + 2) { return (.mediastinum, 40) }
        }
        if let br = bronchi {
            let dy = (y - br.y) * (y - br.y)
            let dl = (x + br.dx) * (x + br.dx) + dy, dr = (x - br.dx) * (x - br.dx) + dy
            if min(dl, dr) < br.r * br.r { return (.airway, -1000) }
            if min(dl, dr) < (br.r + 1.5) * (br.r + 1.5) { return (.mediastinum, 40) }
        }
        // Diaphragm domes: liver on the right (image left), spleen and stomach on the left.
        if domeR.r > 0 {
            let dx = x - domeR.cx, dy = y - domeR.cy
            if dx * dx + dy * dy < domeR.r * domeR.r { return (.liver, 58) }
        }
        if domeL.r > 0 {
            let dx = x - domeL.cx, dy = y - domeL.cy
            if dx * dx + dy * dy < domeL.r * domeL.r {
                if stomachGas {
                    let gx = x - 0.45 * ac, gy = y + 0.55 * bc
                    if gx * gx / 400 + gy * gy / 150 < 1 { return (.airway, gy < 0 ? -1000 : 20) }
                }
                return (.spleen, 45)
            }
        }
        // Descending aorta beside the spine.
        if u > 0.22 {
            let dx = x - 0.16 * ac, dy = y - 0.58 * bc
            if dx * dx + dy * dy < 144 { return (.mediastinum, 42) }
        }
        // Heart and great vessels.
        if heart > 0 {
            let hx = (x - 0.12 * ac) / (0.40 * ac * heart), hy = (y + 0.3 * bc) / (0.46 * bc * heart)
            if hx * hx + hy * hy < 1 { return (.heart, 40) }
        }
        if arch > 0 {
            let gx = (x - 0.04 * ac) / (0.24 * ac * arch), gy = (y + 0.2 * bc) / (0.3 * bc * arch)
            if gx * gx + gy * gy < 1 { return (.mediastinum, 38) }
        }
        // Mediastinum: a central band, widest at the level of trachea and spine.
        let t = (y - 0.25 * bc) / (0.4 * bc)
        let mhw = ac * (0.06 + 0.07 * exp(-t * t)) + (y > 0.55 * bc ? 0.12 * ac : 0)
        if ax < mhw { return (.mediastinum, y < 0 ? -60 : 35) }
        // Lungs.
        if lungScale > 0 {
            let lx = (ax - lungCX) / lungA, ly = (y - lungCY) / lungB
            if lx * lx + ly * ly < 1 {
                return (.lung, lungHU + 45 * max(-0.5, y / bc))
            }
        }
        return u > 0.95 ? (.liver, 50) : (.mediastinum, 30)
    }
}
