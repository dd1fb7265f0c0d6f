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
    /// Shoulders (arms raised): a soft-tissue lobe either side, centre (±cx, cy), radius r (0:
    /// none), holding the humeral head (radius `humerus`, 0 below the shoulder joint).
    let shoulder: (cx: Double, cy: Double, r: Double, humerus: Double, hx: Double)
    /// Female breasts: a bump of height h on the anterior outline, centred at ±cx, width w (cy unused).
    let breast: (cx: Double, cy: Double, w: Double, h: Double, gland: Double)
    /// Mediastinal structures of this level: circles and capsules of soft tissue (great vessels,
    /// heart chambers) with their HU, in drawing order.
    let vesselCircles: [(x: Double, y: Double, r: Double, hu: Double)]
    let vesselTubes: [(x0: Double, y0: Double, x1: Double, y1: Double, r: Double, hu: Double)]
    /// Oesophagus behind the trachea / left atrium (soft tissue, no air).
    let esophagus: (x: Double, y: Double, r: Double)
    let textureKey: UInt64

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
        textureKey = p.textureKey
        // Shoulders with the arms raised: the lobe is largest above the apex and gives way to the
        // axilla by u = 0.2; the humeral head sits in it down to the shoulder joint (u ~ 0.08).
        let sh = 1 - smoothstep(0.0, 0.2, u)
        let maxX = p.shoulderMaxXMM, R = p.shoulderRadiusMM
        if sh > 0.05 && u > -0.4 && maxX > a {
            let r = R * (0.5 + 0.5 * sh)
            let cx = min(a + 0.6 * R, maxX) - r
            // The humeral head stays outside the ribs and 6 mm inside the lobe's edge.
            let wall = ac + rib + 0.5 * p.muscleMM
            let hr = u < 0.09 ? min(0.38 * R, (maxX - 6 - wall) / 2) * (1 - smoothstep(0.03, 0.09, u)) : 0
            let hx = min(cx + 0.2 * r, maxX - 6 - hr)
            shoulder = (cx, 0.22 * b, r, hr > 6 && hx - hr > wall ? hr : 0, hx)
        } else {
            shoulder = (0, 0, 0, 0, 0)
        }
        // Breasts over the 3rd-6th ribs (about u 0.35-0.85), drooping laterally when supine.
        let bw = smoothstep(0.3, 0.45, u) * (1 - smoothstep(0.78, 0.92, u))
        breast = (0.47 * a, -b, 0.2 * a, p.breastMM * bw, p.breastGland)
        // Great vessels and heart by level (x to the patient's left, y posterior). Sizes in mm
        // scaled with the patient's vessel factor.
        let vs = p.vesselScale * min(1.1, max(0.8, ac / 115))
        var circles: [(x: Double, y: Double, r: Double, hu: Double)] = []
        var tubes: [(x0: Double, y0: Double, x1: Double, y1: Double, r: Double, hu: Double)] = []
        let descX = 0.17 * ac, descY = 0.6 * bc
        let blood = 42.0
        if u < 0.2 {
            // Supra-aortic branches and the brachiocephalic veins, above the arch.
            circles.append((-0.11 * ac, -0.1 * bc, 7 * vs, blood))  // brachiocephalic trunk
            circles.append((0.05 * ac, -0.06 * bc, 5 * vs, blood))  // left common carotid
            circles.append((0.15 * ac, 0.06 * bc, 6 * vs, blood))  // left subclavian artery
            circles.append((-0.24 * ac, -0.24 * bc, 8 * vs, 38))  // right brachiocephalic vein
            if u > 0.12 {
                // The left brachiocephalic vein crosses in front of the branches.
                tubes.append((0.3 * ac, -0.34 * bc, -0.2 * ac, -0.27 * bc, 5.5 * vs, 38))
            } else {
                circles.append((0.26 * ac, -0.3 * bc, 7 * vs, 38))
            }
        } else if u < 0.27 {
            // The aortic arch: from the ascending aorta (front, right of the trachea) past the
            // trachea's left side to the descending aorta beside the spine; the SVC to its right.
            tubes.append((-0.06 * ac, -0.3 * bc, 0.2 * ac, 0.05 * bc, 12 * vs, blood))
            tubes.append((0.2 * ac, 0.05 * bc, descX, descY - 0.05 * bc, 12 * vs, blood))
            circles.append((-0.26 * ac, -0.22 * bc, 9 * vs, 38))  // superior vena cava
        } else if u < 0.5 {
            // Below the arch: ascending aorta, SVC, pulmonary trunk and its branches.
            circles.append((-0.07 * ac, -0.3 * bc, 15 * vs, blood))  // ascending aorta
            circles.append((-0.27 * ac, -0.22 * bc, 9.5 * vs, 38))  // superior vena cava
            if u > 0.31 {
                circles.append((0.13 * ac, -0.4 * bc, 13 * vs, blood))  // pulmonary trunk
                if u < 0.38 {
                    // The left pulmonary artery arches over the left main bronchus.
                    tubes.append((0.13 * ac, -0.4 * bc, 0.32 * ac, 0.05 * bc, 9 * vs, blood))
                } else if u < 0.44 {
                    // The right pulmonary artery runs behind the ascending aorta to the right hilum.
                    tubes.append((0.06 * ac, -0.26 * bc, -0.28 * ac, -0.08 * bc, 8 * vs, blood))
                }
            }
            if u > 0.42 {
                // The left atrium behind the root, receiving the pulmonary veins.
                circles.append((0.04 * ac, -0.08 * bc, 11 * vs * smoothstep(0.42, 0.5, u), 40))
                tubes.append((0.04 * ac, -0.08 * bc, 0.2 * ac, -0.02 * bc, 3 * vs, 40))
                tubes.append((0.04 * ac, -0.08 * bc, -0.17 * ac, -0.03 * bc, 3 * vs, 40))
            }
        }
        if u >= 0.27 {
            circles.append((descX, descY, 11.5 * vs, blood))  // descending aorta
        }
        if u > 0.8 {
            // The inferior vena cava entering the right atrium from the liver.
            circles.append((-0.16 * ac, 0.12 * bc, 11 * vs, 40))
        }
        vesselCircles = circles
        vesselTubes = tubes
        esophagus = (0.06 * ac, u < 0.45 ? 0.42 * bc : 0.36 * bc, 7)
    }

    /// The tissue and its noise-free HU at (x, y) mm from the body centre, lesions and vessels
    /// excluded (they are painted on the lung afterwards).
    @inline(__always) func tissue(_ x: Double, _ y: Double) -> (Tissue, Double) {
        let ax = abs(x)
        // Body outline: a slightly boxy ellipse, flatter at the back.
        let ex = ax / a, ey = abs(y) / b
        let ex2 = ex * ex
        let body = ex2 * (0.85 + 0.15 * ex2) + (y > 0 ? ey * ey * ey : ey * ey)
        if body > 1 {
            // Outside the chest outline: the shoulders (arms raised) and the breasts.
            if shoulder.r > 0 {
                let dx = ax - shoulder.cx, dy = y - shoulder.cy
                let d = (dx * dx + dy * dy * 0.8).squareRoot()
                if d < shoulder.r {
                    if shoulder.humerus > 0 {
                        let hx = ax - shoulder.hx, hy = y - shoulder.cy
                        let dh = (hx * hx + hy * hy).squareRoot()
                        if dh < shoulder.humerus { return (.bone, dh > shoulder.humerus - 2.5 ? 700 : 260) }
                    }
                    return d > shoulder.r - 5 ? (.fat, -100) : (.muscle, 48)
                }
            }
            if breast.h > 1 && y < 0 && ex < 1 {
                // The breast lifts the anterior outline smoothly: a bump of height h (Gaussian
                // across, width w) over the chest wall, fibroglandular tissue patchy in its
                // deeper middle, fat elsewhere.
                let front = -b * max(0, 1 - ex2 * (0.85 + 0.15 * ex2)).squareRoot()
                let gx = (ax - breast.cx) / breast.w
                let hb = breast.h * exp(-0.5 * gx * gx)
                let depth = front - y
                if depth < hb {
                    let f = depth / max(hb, 1e-6)
                    if f < 0.75 && abs(gx) < 1.2 {
                        let n = valueNoise3(x / 7, y / 7, z / 7, key: textureKey &+ 11)
                        if n < breast.gland * (1 - abs(gx) / 1.2) * (1 - f / 0.75) + 0.25 { return (.fat, 15) }
                    }
                    return (.fat, -105)
                }
            }
            return (.air, -1000)
        }
        if shoulder.r > 0 && y > 0 {
            // The humeral head may reach inside the chest outline's fat.
            if shoulder.humerus > 0 {
                let hx = ax - shoulder.hx, hy = y - shoulder.cy
                let dh = (hx * hx + hy * hy).squareRoot()
                if dh < shoulder.humerus { return (.bone, dh > shoulder.humerus - 2.5 ? 700 : 260) }
            }
        }
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
        // Oesophagus: soft tissue between the trachea / left atrium and the spine.
        do {
            let dx = x - esophagus.x, dy = y - esophagus.y
            if dx * dx + dy * dy < esophagus.r * esophagus.r { return (.mediastinum, 35) }
        }
        // Great vessels of this level.
        for c in vesselCircles where c.r > 0 {
            let dx = x - c.x, dy = y - c.y
            if dx * dx + dy * dy < c.r * c.r { return (.mediastinum, c.hu) }
        }
        for t in vesselTubes {
            let dx = t.x1 - t.x0, dy = t.y1 - t.y0
            let len2 = dx * dx + dy * dy
            var s = len2 > 0 ? ((x - t.x0) * dx + (y - t.y0) * dy) / len2 : 0
            s = min(max(s, 0), 1)
            let ex = x - (t.x0 + s * dx), ey = y - (t.y0 + s * dy)
            if ex * ex + ey * ey < t.r * t.r { return (.mediastinum, t.hu) }
        }
        // The heart: an egg pointing to the left and front, with epicardial fat around the
        // ventricles, the interventricular septum faintly denser, the right atrium to the right.
        if heart > 0 {
            // Posterior edge as before (about +0.16 bc), larger towards the front and the left.
            let hx = (x - 0.14 * ac) / (0.47 * ac * heart), hy = (y + 0.36 * bc) / (0.52 * bc * heart)
            // Apex to the left and front: the outline bulges there.
            let egg = 1 + 0.18 * max(0, hx) * max(0, -hy + 0.2)
            let d = (hx * hx + hy * hy) / (egg * egg)
            if d < 1 {
                if d > 0.84 && hy < 0.3 { return (.fat, -95) }  // epicardial fat
                let sx = hx + 0.6 * hy  // septum line
                if abs(sx - 0.15) < 0.05 && hy < 0.25 { return (.heart, 52) }
                return (.heart, sx > 0.15 ? 44 : 38)
            }
            // The pericardial fat pad in front of the heart's lower part.
            if u > 0.65 && hy < -0.3 && d < 1.25 && x > -0.1 * ac { return (.fat, -90) }
        }
        // The superior and anterior mediastinum around the great vessels: fat, widest at the
        // roots, narrow above the arch.
        if u > 0.03 && u < 0.46 {
            // Its back stays in front of the hila (+0.1 bc), out of the selection region's lung.
            let w = (0.16 + 0.16 * smoothstep(0.08, 0.3, u)) * ac * (1 - 0.6 * smoothstep(0.36, 0.46, u))
            let mx = (x - 0.03 * ac) / w, my = (y + 0.32 * bc) / (0.42 * bc)
            if mx * mx + my * my < 1 { return (.fat, -85) }
        }
        // Mediastinal fat and soft tissue between the lungs: anterior fat, posterior soft tissue;
        // wider where the heart and roots are, narrow at the apex.
        let t = (y - 0.25 * bc) / (0.4 * bc)
        let widen = 0.7 + 0.3 * smoothstep(0.05, 0.3, u)
        let mhw = ac * (0.06 + 0.07 * exp(-t * t)) * widen + (y > 0.55 * bc ? 0.12 * ac : 0)
        if ax < mhw { return y < 0 && u > 0.04 ? (.fat, -85) : (.mediastinum, 30) }
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
