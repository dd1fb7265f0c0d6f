import AtomicFiles
import Foundation

/// The `patient-counts` stage: patients by infection, sex and age group (Fig. 3, §2.1).
///
/// Reads the real `Patient_details.csv` published with COVID-CTset (bundled with Analysis;
/// 377 rows) and counts patients per (infection, sex, ten-year age group). The cohort's
/// metadata is real even when the images are synthetic, so these counts compare directly
/// with the paper's Fig. 3.
public enum PatientCountsStage: Stage {
    /// The stage's name.
    public static let name = "patient-counts"
    /// Output file name: CSV `infection,sex,age_group,patients`, sorted, one row per
    /// non-empty group. `infection` is `covid` or `normal`, `sex` is `F` or `M`, `age_group`
    /// is like `30_39` (the paper's labels).
    public static let file = "patients.csv"

    /// One output row.
    public struct Count: Sendable, Equatable {
        public var infection: String
        public var sex: String
        public var ageGroup: String
        public var patients: Int
    }

    /// The bundled `Patient_details.csv`.
    public static var detailsURL: URL {
        guard let url = Bundle.module.url(forResource: "covid-ctset/Patient_details", withExtension: "csv") else {
            preconditionFailure("Patient_details.csv missing from the Analysis bundle")
        }
        return url
    }

    /// The bundled `Patient_details.csv`, identified by its SHA-256.
    public struct Config: Codable, Sendable, Equatable {
        var format = 1
        public var patientDetails: String
    }

    /// The stage definition: the counts of the bundled `Patient_details.csv`.
    public static func definition() throws -> StageDefinition {
        StageDefinition(PatientCountsStage.self, config: Config(patientDetails: try StageKey.sha256(file: detailsURL)))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let source = detailsURL
        guard try StageKey.sha256(file: source) == config.patientDetails else {
            throw PipelineError.io(file: source.path, reason: "changed since the stage was defined")
        }
        let text = try String(contentsOf: source, encoding: .utf8)
        let counts = try count(patientDetails: text, file: source.path)
        var csv = "infection,sex,age_group,patients\n"
        for c in counts { csv += "\(c.infection),\(c.sex),\(c.ageGroup),\(c.patients)\n" }
        try AtomicFile.write(csv, to: context.outputDirectory.appendingPathComponent(file))
    }

    public static func count(patientDetails text: String, file: String) throws -> [Count] {
        var table: [String: Int] = [:]
        let lines = text.split(whereSeparator: \.isNewline)
        for (number, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 5 else {
                throw PipelineError.io(file: file, reason: "line \(number + 1): expected at least 5 fields")
            }
            let sex = fields[1]
            let infection: String
            switch fields[4] {
            case "Positive": infection = "covid"
            case "Negative": infection = "normal"
            default: throw PipelineError.io(file: file, reason: "line \(number + 1): infection '\(fields[4])'")
            }
            guard sex == "M" || sex == "F" else {
                throw PipelineError.io(file: file, reason: "line \(number + 1): sex '\(sex)'")
            }
            guard fields[2].hasSuffix("Y"), let age = Int(fields[2].dropLast()) else {
                throw PipelineError.io(file: file, reason: "line \(number + 1): age '\(fields[2])'")
            }
            let low = age / 10 * 10
            table["\(infection),\(sex),\(low)_\(low + 9)", default: 0] += 1
        }
        return table.keys.sorted().map { key in
            let parts = key.split(separator: ",").map(String.init)
            return Count(infection: parts[0], sex: parts[1], ageGroup: parts[2], patients: table[key]!)
        }
    }

    /// Reads the stage's output from its folder.
    public static func read(from directory: URL) throws -> [Count] {
        let url = directory.appendingPathComponent(file)
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw PipelineError.io(file: url.path, reason: "\(error)")
        }
        return try text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 4, let n = Int(f[3]) else { throw PipelineError.io(file: url.path, reason: "bad row '\(line)'") }
            return Count(infection: f[0], sex: f[1], ageGroup: f[2], patients: n)
        }
    }
}
