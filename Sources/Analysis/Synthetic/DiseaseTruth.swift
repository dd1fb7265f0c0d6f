import Foundation

/// Ground truth of one twin patient's disease, as written to `disease_truth.csv` at the twin's
/// root: the drawn CT severity score per lobe, the patterns, and what the whole-lung sampling
/// measured (involved share per lobe, subpleural / posterior / lower-lobe shares of the lesion
/// volume, which lungs are involved, lesion volume by kind).
public struct DiseaseTruth: Sendable, Hashable {
    public static let fileName = "disease_truth.csv"
    public static let lobeCodes = ["RUL", "RML", "RLL", "LUL", "LLL"]

    public var patientID: String
    public var label: ClassLabel
    /// The severity score drawn per lobe (0...5; RUL, RML, RLL, LUL, LLL).
    public var lobeScores: [Int]
    /// The involved share of each lobe measured on the patient's lung, and the score it gives.
    public var measuredLobeShares: [Double]
    public var measuredLobeScores: [Int]
    public var groundGlass: Bool, consolidation: Bool, crazyPaving: Bool
    /// Shares of the lesion volume: outer third of the lung, posterior half, lower lobes.
    public var peripheralShare: Double, posteriorShare: Double, lowerLobeShare: Double
    public var rightInvolved: Bool, leftInvolved: Bool
    /// Shares of the lesion volume that are ground glass, crazy paving, consolidation.
    public var kindShares: [Double]

    public var totalScore: Int { lobeScores.reduce(0, +) }
    public var measuredTotalScore: Int { measuredLobeScores.reduce(0, +) }
    public var hasDisease: Bool { measuredLobeShares.contains { $0 > 0 } }

    init(patientID: String, label: ClassLabel, disease: Disease?) {
        self.patientID = patientID; self.label = label
        if let d = disease {
            lobeScores = d.lobeScores
            measuredLobeShares = d.measured.lobeShare; measuredLobeScores = d.measured.lobeScores
            groundGlass = d.groundGlass; consolidation = d.consolidation; crazyPaving = d.crazyPaving
            peripheralShare = d.measured.peripheralShare; posteriorShare = d.measured.posteriorShare
            lowerLobeShare = d.measured.lowerLobeShare
            rightInvolved = d.measured.rightInvolved; leftInvolved = d.measured.leftInvolved
            kindShares = d.measured.kindShares
        } else {
            lobeScores = [0, 0, 0, 0, 0]; measuredLobeShares = [0, 0, 0, 0, 0]; measuredLobeScores = [0, 0, 0, 0, 0]
            groundGlass = false; consolidation = false; crazyPaving = false
            peripheralShare = 0; posteriorShare = 0; lowerLobeShare = 0
            rightInvolved = false; leftInvolved = false; kindShares = [0, 0, 0]
        }
    }

    // MARK: - CSV

    static let header =
        ["patient", "label"] + lobeCodes.map { "score_\($0)" } + lobeCodes.map { "share_\($0)" }
        + [
            "ground_glass", "consolidation", "crazy_paving", "peripheral_share", "posterior_share", "lower_lobe_share",
            "right_involved", "left_involved", "ground_glass_volume", "crazy_paving_volume", "consolidation_volume"
        ]

    /// The CSV text of `rows` (header first; shares with 4 decimals).
    public static func csv(_ rows: [DiseaseTruth]) -> String {
        func f(_ v: Double) -> String { String(format: "%.4f", v) }
        func b(_ v: Bool) -> String { v ? "yes" : "no" }
        var out = header.joined(separator: ",") + "\n"
        for r in rows {
            let fields: [String] =
                [r.patientID, r.label.rawValue] + r.lobeScores.map(String.init) + r.measuredLobeShares.map(f)
                + [
                    b(r.groundGlass), b(r.consolidation), b(r.crazyPaving), f(r.peripheralShare), f(r.posteriorShare), f(r.lowerLobeShare),
                    b(r.rightInvolved), b(r.leftInvolved)
                ] + r.kindShares.map(f)
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Reads `disease_truth.csv`. Throws `SynthError.badTruth` naming the file and the line.
    public static func read(_ url: URL) throws -> [DiseaseTruth] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw SynthError.io(path: url.path, reason: error.localizedDescription)
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let head = lines.first, head == header.joined(separator: ",") else {
            throw SynthError.badTruth(path: url.path, reason: "the header is not the expected \(header.count) columns")
        }
        lines.removeFirst()
        var out: [DiseaseTruth] = []
        for (k, line) in lines.enumerated() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func bad(_ why: String) -> SynthError { SynthError.badTruth(path: url.path, reason: "line \(k + 2): \(why)") }
            guard f.count == header.count else { throw bad("\(f.count) fields, expected \(header.count)") }
            guard let label = ClassLabel(rawValue: f[1]) else { throw bad("unknown label \(f[1])") }
            func int(_ i: Int) throws -> Int { guard let v = Int(f[i]) else { throw bad("\(header[i]) is not an integer") }; return v }
            func dbl(_ i: Int) throws -> Double {
                guard let v = Double(f[i]), v.isFinite else { throw bad("\(header[i]) is not a number") }; return v
            }
            func yes(_ i: Int) throws -> Bool {
                switch f[i] {
                case "yes": return true;
                case "no": return false;
                default: throw bad("\(header[i]) is not yes/no")
                }
            }
            var r = DiseaseTruth(patientID: f[0], label: label, disease: nil)
            r.lobeScores = try (2..<7).map(int)
            r.measuredLobeShares = try (7..<12).map(dbl)
            r.measuredLobeScores = r.measuredLobeShares.map { Disease.score(share: $0) }
            r.groundGlass = try yes(12); r.consolidation = try yes(13); r.crazyPaving = try yes(14)
            r.peripheralShare = try dbl(15); r.posteriorShare = try dbl(16); r.lowerLobeShare = try dbl(17)
            r.rightInvolved = try yes(18); r.leftInvolved = try yes(19)
            r.kindShares = try (20..<23).map(dbl)
            out.append(r)
        }
        return out
    }
}
