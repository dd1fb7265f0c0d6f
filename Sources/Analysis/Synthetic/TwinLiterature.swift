import Foundation

/// The twin's disease against the published descriptions of COVID-19 pneumonia on CT (issue 15):
/// each modelled property as the literature reports it beside what the twin's ground truth
/// measures on a generated dataset (`disease_truth.csv` and the series' `ground_truth.csv`).
/// Sources are listed in `Synthetic/README.md`.
public enum TwinLiterature {
    /// One property: the published figure (text and the range counted as agreement), the twin's.
    public struct Row: Sendable, Equatable {
        public let property: String
        public let published: String
        public let source: String
        /// The twin's figure as text, and as a number in the unit of `agreement`.
        public let twin: String
        public let value: Double
        /// Values counted as agreeing with the literature.
        public let agreement: ClosedRange<Double>
        public var agrees: Bool { agreement.contains(value) }
    }

    /// What the twin's ground truth measures, before comparison.
    public struct Measures: Sendable, Equatable {
        public var covidPatients = 0
        public var groundGlass = 0.0, consolidation = 0.0, crazyPaving = 0.0
        public var peripheral = 0.0, posterior = 0.0, rightLower = 0.0, leftLower = 0.0, bilateral = 0.0
        public var meanScore = 0.0, medianScore = 0.0, scoreQ1 = 0.0, scoreQ3 = 0.0
        public var meanLobeScores: [Double] = [0, 0, 0, 0, 0]
        public var labelledSlices = 0
        public var shareMedian = 0.0, shareQ1 = 0.0, shareQ3 = 0.0, shareMin = 0.0
        public var normalPatientsWithDisease = 0
    }

    /// Measures the twin written under `root` (a `SyntheticTwin.write` output).
    /// Throws `SynthError` when the ground truth is missing or malformed.
    public static func measure(root: URL) throws -> Measures {
        let truth = try DiseaseTruth.read(root.appendingPathComponent(DiseaseTruth.fileName))
        var m = measure(truth: truth)
        let covid = truth.filter { $0.label == .covid }
        guard !covid.isEmpty else { return m }
        // Lesion share of the lung on every labelled slice of the COVID patients.
        let ids = Set(covid.map(\.patientID))
        var shares: [Double] = []
        for url in try groundTruthFiles(under: root) {
            let patient = url.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
            guard ids.contains(patient) else { continue }
            shares += try labelledShares(url)
        }
        shares.sort()
        m.labelledSlices = shares.count
        if !shares.isEmpty {
            (m.shareQ1, m.shareMedian, m.shareQ3) = (quantile(shares, 0.25), quantile(shares, 0.5), quantile(shares, 0.75))
            m.shareMin = shares[0]
        }
        return m
    }

    /// The patient-level measures (every row but the labelled slices' lesion share, which needs
    /// the rendered slices' ground truth) of `truth`.
    public static func measure(truth: [DiseaseTruth]) -> Measures {
        let covid = truth.filter { $0.label == .covid }
        var m = Measures()
        m.covidPatients = covid.count
        m.normalPatientsWithDisease = truth.filter { $0.label == .normal && $0.hasDisease }.count
        guard !covid.isEmpty else { return m }
        let n = Double(covid.count)
        func share(_ p: (DiseaseTruth) -> Bool) -> Double { Double(covid.filter(p).count) / n }
        m.groundGlass = share { $0.kindShares[0] + $0.kindShares[1] > 0 }
        m.consolidation = share { $0.kindShares[2] > 0 }
        m.crazyPaving = share { $0.kindShares[1] > 0 }
        m.peripheral = share { $0.peripheralShare > 0.5 }
        m.posterior = share { $0.posteriorShare > 0.5 }
        m.rightLower = share { $0.measuredLobeShares[2] > 0 }
        m.leftLower = share { $0.measuredLobeShares[4] > 0 }
        m.bilateral = share { $0.rightInvolved && $0.leftInvolved }
        let scores = covid.map { Double($0.measuredTotalScore) }.sorted()
        m.meanScore = scores.reduce(0, +) / n
        (m.scoreQ1, m.medianScore, m.scoreQ3) = (quantile(scores, 0.25), quantile(scores, 0.5), quantile(scores, 0.75))
        m.meanLobeScores = (0..<5).map { i in covid.reduce(0.0) { $0 + Double($1.measuredLobeScores[i]) } / n }
        return m
    }

    /// The comparison rows for measured `m`.
    public static func rows(_ m: Measures) -> [Row] {
        func pct(_ v: Double) -> String { String(format: "%.0f%%", 100 * v) }
        func num(_ v: Double) -> String { String(format: "%.1f", v) }
        let sari = "Sari, Iran, March 2020, n = 552 (PMC7355135)"
        let haseli = "Haseli et al. 2020, Tehran, n = 63"
        let lobes = m.meanLobeScores.map(num).joined(separator: " / ")
        return [
            Row(
                property: "Ground-glass opacity (patients)", published: "87.3%; peripheral GGO 92.1%", source: "\(sari); \(haseli)",
                twin: pct(m.groundGlass), value: m.groundGlass, agreement: 0.8...0.97),
            Row(
                property: "Consolidation (patients)", published: "42.9% (a minority)", source: haseli,
                twin: pct(m.consolidation), value: m.consolidation, agreement: 0.25...0.55),
            Row(
                property: "Crazy paving (patients)", published: "7.8%", source: "Hospitalised cohort, n = 515 (Research Square rs-97828)",
                twin: pct(m.crazyPaving), value: m.crazyPaving, agreement: 0.03...0.25),
            Row(
                property: "Peripheral / subpleural predominance (patients)", published: "82.4%", source: sari,
                twin: pct(m.peripheral), value: m.peripheral, agreement: 0.75...0.95),
            Row(
                property: "Posterior predominance (patients)", published: "81.5%", source: sari,
                twin: pct(m.posterior), value: m.posterior, agreement: 0.72...0.9),
            Row(
                property: "Right lower lobe involved (patients)", published: "87.3%", source: haseli,
                twin: pct(m.rightLower), value: m.rightLower, agreement: 0.78...0.96),
            Row(
                property: "Left lower lobe involved (patients)", published: "85.7%", source: haseli,
                twin: pct(m.leftLower), value: m.leftLower, agreement: 0.76...0.95),
            Row(
                property: "Bilateral (patients)", published: "86.9%", source: "Ahvaz, Iran, 2020, n = 375",
                twin: pct(m.bilateral), value: m.bilateral, agreement: 0.78...0.95),
            Row(
                property: "CT severity score, total of 5 lobes × 0–5 (mean)",
                published: "mean lobe scores 2.15 / 1.81 / 2.56 / 2.40 / 2.33, total ≈ 11.3",
                source: "Hospitalised cohort, n = 515 (Research Square rs-97828)",
                twin: "\(num(m.meanScore)) (median \(num(m.medianScore)), IQR \(num(m.scoreQ1))–\(num(m.scoreQ3))); lobes \(lobes)",
                value: m.meanScore, agreement: 8...14),
            Row(
                property: "Lesion share of the lung on labelled COVID slices (median)",
                published: "score 2–3 per lobe: 5–50% of a lobe; slices labelled where infection is clear",
                source: "Score bands (Pan et al. 2020); COVID-CTset README",
                twin:
                    "\(pct(m.shareMedian)) (IQR \(pct(m.shareQ1))–\(pct(m.shareQ3)), least \(String(format: "%.1f%%", 100 * m.shareMin)), \(m.labelledSlices) slices)",
                value: m.shareMedian, agreement: 0.08...0.5)
        ]
    }

    // MARK: - Files

    /// Every `ground_truth.csv` under `root`, sorted by path.
    static func groundTruthFiles(under root: URL) throws -> [URL] {
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw SynthError.io(path: root.path, reason: "cannot list the folder")
        }
        var out: [URL] = []
        for case let url as URL in e where url.lastPathComponent == "ground_truth.csv" { out.append(url) }
        return out.sorted { $0.path < $1.path }
    }

    /// `lesion_share` of the labelled rows of one `ground_truth.csv`.
    static func labelledShares(_ url: URL) throws -> [Double] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw SynthError.io(path: url.path, reason: error.localizedDescription)
        }
        let lines = text.split(whereSeparator: \.isNewline)
        guard let head = lines.first?.split(separator: ",").map(String.init),
            let lab = head.firstIndex(of: "labelled"), let sh = head.firstIndex(of: "lesion_share")
        else {
            throw SynthError.badTruth(path: url.path, reason: "no labelled / lesion_share columns (written by an older twin?)")
        }
        var out: [Double] = []
        for (k, line) in lines.dropFirst().enumerated() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == head.count, let v = Double(f[sh]) else {
                throw SynthError.badTruth(path: url.path, reason: "line \(k + 2) is malformed")
            }
            if f[lab] == "yes" { out.append(v) }
        }
        return out
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let x = q * Double(sorted.count - 1)
        let i = Int(x.rounded(.down)), f = x - Double(i)
        return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
