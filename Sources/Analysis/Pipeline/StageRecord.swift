import Foundation

/// The `stage.json` written beside a finished stage's outputs.
///
/// Everything but `wallSeconds` and `finishedAt` is a function of the inputs, so two runs
/// that reuse or rebuild a stage agree on it.
public struct StageRecord: Codable, Sendable, Equatable {
    /// The stage's name (`index`, `train`, ...).
    public var stage: String
    /// The cache key (folder name under `runs/<preset>/<stage>/`).
    public var key: String
    /// Canonical JSON of the stage's configuration, as text.
    public var configuration: String
    /// Upstream stage name -> its combined output hash (the inputs of the key).
    public var upstream: [String: String]
    /// Output file (relative path) -> SHA-256 of its bytes.
    public var outputs: [String: String]
    /// `StageKey.combine(outputs)`: what downstream keys are computed from.
    public var outputHash: String
    /// The seed the stage's generator was derived with.
    public var seed: UInt64
    /// Library and tool versions the stage ran with.
    public var versions: [String: String]
    /// Wall-clock seconds the stage's work took.
    public var wallSeconds: Double
    /// ISO 8601 time the stage finished.
    public var finishedAt: String
    /// The stage's code version (`StageDefinition.codeVersion`); absent in records written
    /// before versions existed, which were version 1.
    public var codeVersion: Int? = nil

    /// The record's file name in a finished stage's folder.
    public static let fileName = "stage.json"

    /// The record of the finished stage whose folder is `directory`.
    public static func read(from directory: URL) throws -> StageRecord {
        let url = directory.appendingPathComponent(fileName)
        do { return try JSONDecoder().decode(StageRecord.self, from: Data(contentsOf: url)) } catch {
            throw PipelineError.io(file: url.path, reason: "not a stage record: \(error)")
        }
    }
}
