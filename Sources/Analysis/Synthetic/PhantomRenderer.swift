import Foundation

/// Ground truth of one synthetic slice — what the real data lacks.
public struct SliceTruth: Sendable, Hashable {
    public let imageNumber: Int
    /// Body-axis position, mm below the lung apex.
    public let zMM: Double
    /// Lung pixels (parenchyma, vessels and lesions inside the lung) in the paper's selection
    /// region (rows 240..<340, columns 120..<370 at 512 px, scaled with the size; §2.2).
    public let lungAreaInRegion: Int
    /// True when `lungAreaInRegion` is at least half the series' open-lung reference area
    /// (the most lung the region holds at mid-chest): the lung is "open" (§2.2, Fig. 5).
    public let lungOpen: Bool
    /// Lesion pixels in the whole slice, and inside the selection region.
    public let lesionArea: Int
    public let lesionAreaInRegion: Int
    /// Lung pixels (parenchyma, vessels, lesions) in the whole slice.
    public let lungArea: Int
    /// Lesion pixels over lung pixels in the whole slice (0 when there is no lung).
    public var lesionShare: Double { lungArea > 0 ? Double(lesionArea) / Double(lungArea) : 0 }
    /// Per pixel 0 (none), 1 ground glass, 2 crazy paving, 3 consolidation; nil when no lesion.
    public let lesionMask: [UInt8]?
    /// True when `all.csv` lists this slice.
    public let labelled: Bool
}

/// Renders phantom chest CT slices: stored value = HU + 1024 in 0...4095 (12 bits stored).
///
/// Scanner effects: the pixel spacing sets the body's size in pixels, slices thicker than 3 mm
/// average three sub-slices (partial volume), soft kernels (B3x) blur and correlate the noise,
/// sharp kernels (B70s, B90s) add strong white noise; noise falls with thickness. Outside the
/// 500 mm scan circle the value is 0.
struct PhantomRenderer {
    /// Rendering switches (tests and counterfactuals): scanner noise and kernel blur.
    struct Options { var noise = true; var blur = true }

    /// The same series rendered for another body (same plan, size, seed, reference).
    func with(anatomy: PatientAnatomy) -> PhantomRenderer {
        PhantomRenderer(anatomy: anatomy, plan: plan, size: size, seed: seed, reference: reference)
    }

    let anatomy: PatientAnatomy
    let plan: SeriesPlan
    let size: Int
    let seed: UInt64
    /// The series' open-lung reference area (`referenceLungArea()`), when already known.
    var reference: Int? = nil

    /// The paper's selection region scaled to `size` (§2.2).
    static func region(size: Int) -> (rows: Range<Int>, cols: Range<Int>) {
        (240 * size / 512..<340 * size / 512, 120 * size / 512..<370 * size / 512)
    }

    var spacing: Double { plan.pixelSpacingMM * 512 / Double(size) }

    @inline(__always) func coords(_ col: Int, _ row: Int) -> (Double, Double) {
        let s = spacing, h = Double(size) / 2
        return ((Double(col) + 0.5 - h) * s - anatomy.bodyOffsetXMM, (Double(row) + 0.5 - h) * s - anatomy.bodyOffsetYMM)
    }

    /// Noise standard deviation at 5 mm, 512 px, by kernel.
    static func noiseSigma(kernel: String) -> Double {
        switch kernel {
        case "B90s": return 150
        case "B70s": return 95
        case "B35s": return 28
        case "B30s", "B31s": return 22
        default: return 30
        }
    }
    var isSoftKernel: Bool { !(plan.kernel.hasPrefix("B7") || plan.kernel.hasPrefix("B8") || plan.kernel.hasPrefix("B9")) }

    /// The series' open-lung reference: most lung pixels in the region over three mid-chest levels.
    func referenceLungArea() -> Int {
        let (rows, cols) = PhantomRenderer.region(size: size)
        var best = 0
        for u in [0.3, 0.42, 0.52] {
            let geo = LevelGeometry(anatomy, z: u * anatomy.lungHeightMM)
            var n = 0
            for r in rows { for c in cols { let (x, y) = coords(c, r); if geo.tissue(x, y).0 == .lung { n += 1 } } }
            best = max(best, n)
        }
        return best
    }

    /// Renders the image at `index` of the plan: stored pixels (row-major, size x size), truth,
    /// and (for tests) the noise-free HU and tissue planes of the central sub-slice.
    func render(index: Int, options: Options = Options()) -> (pixels: [UInt16], truth: SliceTruth, hu: [Float], tissue: [UInt8]) {
        let n = size * size
        let z = plan.zMM(index: index)
        let t = plan.thicknessMM
        let subs: [Double] = t < 3 ? [0] : [-t / 3, 0, t / 3]
        let halfSlab = t / Double(subs.count) / 2
        var acc = [Float](repeating: 0, count: n)
        var centralTissue = [UInt8](repeating: 0, count: n)
        var centralLesion = [UInt8](repeating: 0, count: n)
        var centralHU = [Float](repeating: 0, count: n)
        var hu = [Float](repeating: 0, count: n)
        var tis = [UInt8](repeating: 0, count: n)
        var les = [UInt8](repeating: 0, count: n)
        for (k, dz) in subs.enumerated() {
            let zs = z + dz
            let geo = LevelGeometry(anatomy, z: zs)
            fillBase(geo, hu: &hu, tissue: &tis)
            paintVessels(z: zs, halfSlab: halfSlab, hu: &hu, tissue: &tis)
            for i in 0..<n { les[i] = 0 }
            paintLesions(geo, hu: &hu, tissue: &tis, lesion: &les)
            for i in 0..<n { acc[i] += hu[i] }
            if k == subs.count / 2 { centralTissue = tis; centralLesion = les; centralHU = hu }
        }
        let inv = 1 / Float(subs.count)
        for i in 0..<n { acc[i] *= inv }
        if options.blur && isSoftKernel { binomialBlur(&acc) }
        if options.noise { addNoise(&acc, imageNumber: plan.imageNumbers[index]) }
        var pixels = [UInt16](repeating: 0, count: n)
        let fovR = 250.0, fovR2 = fovR * fovR
        let s = spacing, h = Double(size) / 2
        for r in 0..<size {
            let yi = (Double(r) + 0.5 - h) * s
            for c in 0..<size {
                let xi = (Double(c) + 0.5 - h) * s - plan.gantryOffsetXMM
                let i = r * size + c
                if xi * xi + yi * yi > fovR2 { pixels[i] = 0; centralTissue[i] = Tissue.outsideFOV.rawValue; continue }
                let v = (Double(acc[i]) + 1024).rounded()
                pixels[i] = UInt16(min(max(v, 0), 4095))
            }
        }
        paintMarker(&pixels)
        // Ground truth.
        let (rows, cols) = PhantomRenderer.region(size: size)
        var lungIn = 0, lesionIn = 0, lesionAll = 0, lungAll = 0
        for i in 0..<n {
            if centralLesion[i] != 0 { lesionAll += 1 }
            if centralTissue[i] == Tissue.lung.rawValue || centralTissue[i] == Tissue.vessel.rawValue { lungAll += 1 }
        }
        for r in rows {
            for c in cols {
                let i = r * size + c
                if centralTissue[i] == Tissue.lung.rawValue || centralTissue[i] == Tissue.vessel.rawValue { lungIn += 1 }
                if centralLesion[i] != 0 { lesionIn += 1 }
            }
        }
        let number = plan.imageNumbers[index]
        let truth = SliceTruth(
            imageNumber: number, zMM: z, lungAreaInRegion: lungIn,
            lungOpen: Double(lungIn) >= 0.5 * Double(reference ?? referenceLungArea()),
            lesionArea: lesionAll, lesionAreaInRegion: lesionIn, lungArea: lungAll,
            lesionMask: lesionAll > 0 ? centralLesion : nil,
            labelled: plan.labelledImageNumbers.contains(number))
        return (pixels, truth, centralHU, centralTissue)
    }

    // MARK: - Passes

    private func fillBase(_ geo: LevelGeometry, hu: inout [Float], tissue: inout [UInt8]) {
        let key = anatomy.textureKey
        let tableTop = geo.b + 3
        for r in 0..<size {
            for c in 0..<size {
                let (x, y) = coords(c, r)
                var (t, v) = geo.tissue(x, y)
                if t == .air {
                    // The patient table: a curved carbon shell over foam.
                    let yt = y - tableTop + 0.0007 * x * x
                    if abs(x) < geo.a * 0.95 + 30 && yt >= 0 && yt < 26 {
                        t = .table; v = yt < 3 || yt >= 23 ? 260 : -930
                    }
                } else if t == .lung {
                    v += 30 * (valueNoise3(x / 4, y / 4, geo.z / 4, key: key) - 0.5)
                    let p = geo.lungPosition(x, y)
                    // Gravity-dependent subpleural density of a supine chest (normal, not disease).
                    if p.anteroPosterior > 0.2 {
                        let depth = (1 - p.radial) * min(geo.lungA, geo.lungB)
                        let w = anatomy.dependentDensity * smoothstep(0.2, 0.85, p.anteroPosterior) * exp(-depth / anatomy.dependentDepthMM)
                        v += 120 * w * (0.75 + 0.5 * valueNoise3(x / 6, y / 6, geo.z / 6, key: key &+ 2))
                    }
                    // The oblique fissure: a thin line where its plane crosses the slice.
                    if abs(p.fissureMM) < 0.55 && p.radial < 0.97 { v = max(v, -730) }
                } else if t == .liver {
                    // Parenchyma with a mild gradient and the hepatic veins as slightly darker
                    // branching bands (iso-lines of a smooth field).
                    let n = valueNoise3(x / 14, y / 14, geo.z / 14, key: key &+ 3)
                    v += 12 * (valueNoise3(x / 6, y / 6, geo.z / 6, key: key &+ 1) - 0.5) + 0.04 * y
                    if abs(n - 0.5) < 0.035 { v -= 16 }
                } else if t == .spleen || t == .muscle || t == .heart || t == .mediastinum {
                    v += 12 * (valueNoise3(x / 6, y / 6, geo.z / 6, key: key &+ 1) - 0.5)
                } else if t == .fat {
                    // Fat with fine fibrous septa and small vessels.
                    v += 16 * (valueNoise3(x / 3, y / 3, geo.z / 3, key: key &+ 4) - 0.5)
                }
                hu[r * size + c] = Float(v)
                tissue[r * size + c] = t.rawValue
            }
        }
    }

    /// Vessels crossing the slab [z - halfSlab, z + halfSlab], drawn as capsules inside the lung.
    private func paintVessels(z: Double, halfSlab: Double, hu: inout [Float], tissue: inout [UInt8]) {
        let s = spacing
        for seg in anatomy.vessels {
            let z0 = seg.p0.z, z1 = seg.p1.z
            let lo = z - halfSlab - seg.radius, hi = z + halfSlab + seg.radius
            if max(z0, z1) < lo || min(z0, z1) > hi { continue }
            // Clip the segment to the slab.
            var ta = 0.0, tb = 1.0
            if abs(z1 - z0) > 1e-9 {
                let t0 = (lo - z0) / (z1 - z0), t1 = (hi - z0) / (z1 - z0)
                ta = max(0, min(t0, t1)); tb = min(1, max(t0, t1))
                if ta > tb { continue }
            }
            let a = seg.p0 + (seg.p1 - seg.p0) * ta, b = seg.p0 + (seg.p1 - seg.p0) * tb
            let r = seg.radius
            // Partial volume of thin vessels at coarse pixels and thick slabs.
            let contrast = min(1, r / (0.6 * s)) * min(1, 2 * r / (2 * halfSlab + 1))
            let vh = -850 + 890 * contrast
            // Long in-plane runs are drawn piecewise so bounding boxes stay small.
            let full = SIMD2(b.x - a.x, b.y - a.y)
            let pieces = max(1, Int(((full * full).sum().squareRoot() / (6 * s)).rounded(.up)))
            for k in 0..<pieces {
                let pa = SIMD2(a.x, a.y) + full * (Double(k) / Double(pieces))
                let pb = SIMD2(a.x, a.y) + full * (Double(k + 1) / Double(pieces))
                drawCapsule(pa, pb, radius: r, hu: Float(vh), huPlane: &hu, tissue: &tissue)
            }
        }
    }

    /// Paints a 2-D capsule (segment pa-pb, radius mm) on lung and vessel pixels.
    private func drawCapsule(
        _ a: SIMD2<Double>, _ b: SIMD2<Double>, radius r: Double, hu vh: Float,
        huPlane hu: inout [Float], tissue: inout [UInt8]
    ) {
        let s = spacing, h = Double(size) / 2
        let lung = Tissue.lung.rawValue, vessel = Tissue.vessel.rawValue
        let minX = min(a.x, b.x) - r, maxX = max(a.x, b.x) + r
        let minY = min(a.y, b.y) - r, maxY = max(a.y, b.y) + r
        let c0 = max(0, Int(((minX + anatomy.bodyOffsetXMM) / s + h - 0.5).rounded(.down)))
        let c1 = min(size - 1, Int(((maxX + anatomy.bodyOffsetXMM) / s + h - 0.5).rounded(.up)))
        let r0 = max(0, Int(((minY + anatomy.bodyOffsetYMM) / s + h - 0.5).rounded(.down)))
        let r1 = min(size - 1, Int(((maxY + anatomy.bodyOffsetYMM) / s + h - 0.5).rounded(.up)))
        if c0 > c1 || r0 > r1 { return }
        let dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy
        let rr = max(r, 0.5 * s)
        for row in r0...r1 {
            for col in c0...c1 {
                let i = row * size + col
                guard tissue[i] == lung || tissue[i] == vessel else { continue }
                let (x, y) = coords(col, row)
                var t = len2 > 1e-12 ? ((x - a.x) * dx + (y - a.y) * dy) / len2 : 0
                t = min(max(t, 0), 1)
                let ex = x - (a.x + t * dx), ey = y - (a.y + t * dy)
                if ex * ex + ey * ey <= rr * rr {
                    hu[i] = max(hu[i], vh); tissue[i] = vessel
                }
            }
        }
    }

    /// The patient's disease at this level (`Disease`), painted on lung and vessel pixels.
    private func paintLesions(_ geo: LevelGeometry, hu: inout [Float], tissue: inout [UInt8], lesion: inout [UInt8]) {
        guard let d = anatomy.disease, geo.lungScale > 0 else { return }
        let z = geo.z
        // The field cannot exceed noise (< 1) + the weights + the local raise: skip clear slices.
        if 1 + 0.3 * max(0, d.peripheralWeight) + 1.5 * max(0, d.posteriorWeight) + d.bumpAt(z) <= d.minThreshold { return }
        let s = spacing, h = Double(size) / 2
        let lung = Tissue.lung.rawValue, vessel = Tissue.vessel.rawValue
        let xr = geo.lungCX + geo.lungA
        let c0 = max(0, Int(((-xr + anatomy.bodyOffsetXMM) / s + h - 0.5).rounded(.down)))
        let c1 = min(size - 1, Int(((xr + anatomy.bodyOffsetXMM) / s + h - 0.5).rounded(.up)))
        let r0 = max(0, Int(((geo.lungCY - geo.lungB + anatomy.bodyOffsetYMM) / s + h - 0.5).rounded(.down)))
        let r1 = min(size - 1, Int(((geo.lungCY + geo.lungB + anatomy.bodyOffsetYMM) / s + h - 0.5).rounded(.up)))
        if c0 > c1 || r0 > r1 { return }
        for row in r0...r1 {
            for col in c0...c1 {
                let i = row * size + col
                guard tissue[i] == lung || tissue[i] == vessel else { continue }
                let (x, y) = coords(col, row)
                guard let (kind, value) = d.lesion(x, y, z, geo.lungPosition(x, y)) else { continue }
                var v = value
                if kind != .consolidation && tissue[i] == vessel { v = max(v, Double(hu[i])) }
                hu[i] = Float(v)
                lesion[i] = kind.rawValue
            }
        }
    }

    /// The soft kernels' blur (`blurWeights`) of a size x size plane, edges clamped.
    private func binomialBlur(_ p: inout [Float]) {
        let s = size
        let (side, centre) = PhantomRenderer.blurWeights(size: s)
        var tmp = p
        for r in 0..<s {
            for c in 0..<s {
                let l = p[r * s + max(c - 1, 0)], m = p[r * s + c], rr = p[r * s + min(c + 1, s - 1)]
                tmp[r * s + c] = side * l + centre * m + side * rr
            }
        }
        for r in 0..<s {
            for c in 0..<s {
                let u = tmp[max(r - 1, 0) * s + c], m = tmp[r * s + c], d = tmp[min(r + 1, s - 1) * s + c]
                p[r * s + c] = side * u + centre * m + side * d
            }
        }
    }

    /// The soft kernel's blur as a three-tap filter (side, centre, side) at `size` pixels: the
    /// binomial (1/4, 1/2, 1/4), a spread of 0.71 px, at 512 px and above; at smaller sizes the
    /// same spread in millimetres, so fewer pixels (variance 2·side = 0.5·(size/512)²). A 96-px
    /// image of a B30s series is then as sharp as a 512-px one averaged down, not blurred by a
    /// filter five times wider than the kernel's.
    static func blurWeights(size: Int) -> (side: Float, centre: Float) {
        guard size < 512 else { return (0.25, 0.5) }
        let f = Double(size) / 512
        let side = Float(0.25 * f * f)
        return (side, 1 - 2 * side)
    }

    /// Soft kernels correlate the noise over about three pixels at 512 px; below 256 px that is
    /// less than one and a half pixels, so the noise is left white.
    static func correlatesNoise(size: Int) -> Bool { size >= 256 }

    /// How much of the noise's standard deviation at 512 px an image of `size` pixels keeps.
    ///
    /// Noise of filtered back-projection has a power spectrum that rises with spatial frequency
    /// (the ramp filter) up to the kernel's roll-off, for soft and sharp kernels alike, so most
    /// of its power lies at frequencies a smaller image cannot hold: averaging 512 px down to
    /// `size` keeps about (size/512)³ of a ramp spectrum's variance, where it would keep
    /// (size/512)² of white noise's. The standard deviation therefore scales as (size/512)^1.5;
    /// at 512 px nothing changes, and larger images keep the white-noise scaling. (Sharp kernels
    /// push their power even higher, so for them this is an upper bound.)
    static func noiseScale(size: Int) -> Double {
        let f = Double(size) / 512
        return f >= 1 ? f : f * f.squareRoot()
    }

    /// Gaussian noise keyed by (seed, patient, series, image): white for sharp kernels,
    /// box-correlated for soft ones (at 256 px and above); sigma falls as 1/sqrt(thickness) and with image size as a
    /// ramp spectrum does (`noiseScale`). Streaks, lines of low-dose CT, fall as the size does.
    private func addNoise(_ p: inout [Float], imageNumber: Int) {
        var g = SynthRandom(seed: seed, ["noise", plan.patientID, plan.series, String(imageNumber)])
        let sigma = PhantomRenderer.noiseSigma(kernel: plan.kernel) * (5 / plan.thicknessMM).squareRoot() * Double(size) / 512
        let fieldShare = Float(PhantomRenderer.noiseScale(size: size) / (Double(size) / 512))
        let n = size * size
        var w = [Float](repeating: 0, count: n)
        var i = 0
        while i < n {
            let u1 = max(g.uniform(), 1e-300), u2 = g.uniform()
            let rad = (-2 * log(u1)).squareRoot()
            w[i] = Float(rad * cos(2 * Double.pi * u2))
            if i + 1 < n { w[i + 1] = Float(rad * sin(2 * Double.pi * u2)) }
            i += 2
        }
        if isSoftKernel && PhantomRenderer.correlatesNoise(size: size) {
            // 3x3 box: variance / 9, so scale by 3.
            let s = size
            var o = [Float](repeating: 0, count: n)
            for r in 0..<s {
                for c in 0..<s {
                    var sum: Float = 0
                    for dr in -1...1 { for dc in -1...1 { sum += w[min(max(r + dr, 0), s - 1) * s + min(max(c + dc, 0), s - 1)] } }
                    o[r * s + c] = sum
                }
            }
            w = o
            for k in 0..<n { w[k] *= 1 / 3 }
        }
        for k in 0..<n { w[k] *= fieldShare }
        // Streaks of low-dose CT: two to five faint bands through the body at random angles.
        let width = max(1.0, Double(size) / 256), hc = Double(size) / 2
        for _ in 0..<(2 + Int(g.next() % 4)) {
            let theta = g.uniform(0, Double.pi), off = g.normal(0, 0.08) * Double(size)
            let amp = Float(g.normal(0, 0.6)), nx = cos(theta), ny = sin(theta)
            for r in 0..<size {
                let base = (Double(r) + 0.5 - hc) * ny - off
                // Columns where |d| < 3 width: d = (c + 0.5 - hc) nx + base.
                var lo = 0, hi = size - 1
                if abs(nx) > 1e-6 {
                    let a = ((-3 * width - base) / nx) + hc - 0.5, b = ((3 * width - base) / nx) + hc - 0.5
                    lo = max(0, Int(min(a, b).rounded(.down))); hi = min(size - 1, Int(max(a, b).rounded(.up)))
                } else if abs(base) >= 3 * width {
                    continue
                }
                if lo > hi { continue }
                for c in lo...hi {
                    let d = ((Double(c) + 0.5 - hc) * nx + base) / width
                    w[r * size + c] += amp * Float(exp(-d * d))
                }
            }
        }
        let sg = Float(sigma)
        for k in 0..<n { p[k] += sg * w[k] }
    }

    /// A small skin marker on the anterior chest wall whose value is the series'
    /// LargestImagePixelValue, so image maxima vary between series as in the real data.
    private func paintMarker(_ pixels: inout [UInt16]) {
        let s = spacing, h = Double(size) / 2
        let geo = LevelGeometry(anatomy, z: plan.zMM(index: 0))
        let x = 0.3 * geo.a, y = -geo.b * (1 - 0.045) - 3
        let col = Int(((x + anatomy.bodyOffsetXMM) / s + h)), row = Int(((y + anatomy.bodyOffsetYMM) / s + h))
        let half = max(0, Int((2 / s).rounded()))
        for r in (row - half)...(row + half) where r >= 0 && r < size {
            for c in (col - half)...(col + half) where c >= 0 && c < size {
                pixels[r * size + c] = UInt16(min(4095, max(0, plan.largestPixelValue)))
            }
        }
    }
}
