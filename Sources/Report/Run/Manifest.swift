import Analysis
import Foundation

/// `report/manifest.json`: every number in the report and everything needed to redo it.
///
/// Two blocks: `report` is a function of the inputs (two runs of the same preset on the same
/// tree give byte-identical blocks), `timing` holds wall-clock facts and nothing else.
public struct Manifest: Codable, Sendable, Equatable {
    /// The deterministic block.
    public struct Body: Codable, Sendable, Equatable {
        /// Format version of this file.
        public var schema: Int
        public var preset: String
        /// SHA-256 of the preset's canonical JSON.
        public var presetHash: String
        /// `preset` -> the preset seed; `stage:<name>` -> the seed derived for that stage.
        public var seeds: [String: UInt64]
        public var dataSource: DataSourceIdentity
        public var gitCommit: String
        public var gitDirty: Bool
        public var versions: [String: String]
        public var cores: Int
        /// Stage name -> cache key.
        public var stages: [String: String]
        /// Entry slug -> `reproduced` or `not yet reproduced — <reason>`.
        public var entries: [String: String]
        /// Every number in the report, by a stable dotted key
        /// (`table3.epochs.paper`, `table3.epochs.ours`, `audit.table4.covidImages.recomputed`).
        public var numbers: [String: Double]
        /// Every verdict, by the same keys without the last part (`table3.epochs`).
        public var verdicts: [String: String]
    }

    /// Wall-clock facts, kept apart so the rest stays byte-identical between runs.
    public struct Timing: Codable, Sendable, Equatable {
        /// Stage name -> seconds its work took (0 when reused from the cache).
        public var stageSeconds: [String: Double]
        /// Seconds for the whole command.
        public var totalSeconds: Double
        /// ISO 8601 start time.
        public var startedAt: String
        /// Numbers of wall-clock entries (Table 7), by the same dotted keys as `report.numbers`.
        public var measurements: [String: Double]? = nil
    }

    public var report: Body
    public var timing: Timing

    /// Pretty canonical JSON (sorted keys), `report` before `timing`.
    public func encoded() -> Data { CanonicalJSON.encodePretty(self) }

    /// Reads a manifest file.
    /// - Throws: `ReportError.manifest` naming the file.
    public static func read(_ url: URL) throws -> Manifest {
        do { return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url)) } catch {
            throw ReportError.manifest(file: url.path, reason: "\(error)")
        }
    }
}
