import Foundation

/// The `twin` stage: writes the synthetic digital twin of COVID-CTset (`SyntheticTwin`) in
/// the real raw layout under `dataset/` of its output folder; the `index` stage reads it
/// from there.
///
/// Patients: the first `syntheticCovidPatients` COVID-19 and `syntheticNormalPatients` normal
/// patients of the real `Patient_details.csv`, in file order (all 377 when the counts are
/// the cohort's). Slices are `syntheticImageSize` px; every pixel is a function of the
/// preset seed and the slice's identity.
public enum TwinStage {
    /// The stage's name.
    public static let name = "twin"
    /// The dataset's folder inside the stage's output.
    public static let folder = "dataset"

    /// The stage definition for `preset`.
    public static func definition(preset: Preset) throws -> StageDefinition {
        let ids = try patientIDs(covid: preset.data.syntheticCovidPatients, normal: preset.data.syntheticNormalPatients)
        struct Configuration: Codable { var format = 2; var size: Int; var seed: UInt64; var patients: [String] }
        let size = preset.data.syntheticImageSize, seed = preset.seed
        let configuration = CanonicalJSON.encode(Configuration(size: size, seed: seed, patients: ids))
        return StageDefinition(name: name, configuration: configuration) { context in
            let all = ids.count == 377
            let twin = try SyntheticTwin(config: SynthConfig(size: size, patients: all ? .all : .ids(ids), seed: seed))
            _ = try twin.write(to: context.outputDirectory.appendingPathComponent(folder).path) { _, _ in }
        }
    }

    /// The first `covid` COVID-19 and `normal` normal patient ids of `Patient_details.csv`.
    static func patientIDs(covid: Int, normal: Int) throws -> [String] {
        let text = try String(contentsOf: PatientCountsStage.detailsURL, encoding: .utf8)
        var c: [String] = [], n: [String] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 5 else { continue }
            if f[4] == "Positive", c.count < covid { c.append(f[0]) }
            if f[4] == "Negative", n.count < normal { n.append(f[0]) }
        }
        return c + n
    }
}
