import Foundation

/// The `twin` stage: writes the synthetic digital twin of COVID-CTset (`SyntheticTwin`) in
/// the real raw layout under `dataset/` of its output folder; the `index` stage reads it
/// from there.
///
/// Patients: the first `syntheticCovidPatients` COVID-19 and `syntheticNormalPatients` normal
/// patients of the real `Patient_details.csv`, in file order (all 377 when the counts are
/// the cohort's). Slices are `syntheticImageSize` px; every pixel is a function of the
/// preset seed and the slice's identity.
public enum TwinStage: Stage {
    /// The stage's name.
    public static let name = "twin"
    /// The dataset's folder inside the stage's output.
    public static let folder = "dataset"

    /// The twin's size, seed and patients.
    public struct Config: Codable, Sendable, Equatable {
        var format = 2
        public var size: Int
        public var seed: UInt64
        public var patients: [String]
    }

    /// The stage definition for `preset`.
    public static func definition(preset: Preset) throws -> StageDefinition {
        let ids = try patientIDs(covid: preset.data.syntheticCovidPatients, normal: preset.data.syntheticNormalPatients)
        return StageDefinition(TwinStage.self, config: Config(size: preset.data.syntheticImageSize, seed: preset.seed, patients: ids))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let all = config.patients.count == 377
        let twin = try SyntheticTwin(
            config: SynthConfig(size: config.size, patients: all ? .all : .ids(config.patients), seed: config.seed))
        _ = try twin.write(to: context.outputDirectory.appendingPathComponent(folder).path) { _, _ in }
    }

    /// The generated dataset's folder (the raw layout) inside the stage's folder.
    public static func read(from directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(folder)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PipelineError.io(file: url.path, reason: "the twin's dataset folder is missing")
        }
        return url
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
