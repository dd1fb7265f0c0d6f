import Foundation

/// What a stage's work sees while it runs.
public struct StageContext: Sendable {
    /// The stage's name.
    public let stage: String
    /// Its cache key.
    public let key: String
    /// The folder to write outputs into. It is `<key>.partial` while the stage runs and is
    /// kept if the run is interrupted, so long stages can resume from checkpoints kept there;
    /// on success it is renamed to `<key>`.
    public let outputDirectory: URL
    /// Finished upstream stage name -> its output folder.
    public let upstreamDirectories: [String: URL]
    /// Seed for this stage's generator (derived from the preset seed and the key).
    public let seed: UInt64

    /// The output folder of upstream stage `name`; a programmer error if it was not declared.
    public func upstream(_ name: String) -> URL {
        guard let url = upstreamDirectories[name] else {
            preconditionFailure("stage '\(stage)' reads undeclared upstream '\(name)'")
        }
        return url
    }
}

/// One node of the stage graph: a pure function of `configuration` and upstream outputs.
public struct StageDefinition: Sendable {
    /// Unique name, also the folder name under `runs/<preset>/`.
    public let name: String
    /// Names of the stages whose outputs this one reads.
    public let upstream: [String]
    /// Canonical JSON of everything else the stage depends on (preset fields, code version).
    public let configuration: Data
    /// The work: writes every output file into `context.outputDirectory`.
    public let run: @Sendable (StageContext) throws -> Void
    /// Output files (relative paths) that record wall times beside their results — a training
    /// history — and so are left out of the output hash that downstream keys depend on.
    public var isTimingRecord: @Sendable (String) -> Bool = { _ in false }
    /// The version of the code that computes the stage, part of its key: raise it whenever a
    /// change to that code changes the stage's outputs, and the next run recomputes the stage
    /// and everything downstream instead of reusing old results (`StageCodeVersions`).
    public var codeVersion: Int = 1

    public init(
        name: String, upstream: [String] = [], configuration: Data,
        run: @escaping @Sendable (StageContext) throws -> Void
    ) {
        self.name = name
        self.upstream = upstream
        self.configuration = configuration
        self.run = run
    }
}

/// The outcome of asking for one stage.
public struct StageResult: Sendable {
    /// The stage's record (read from `stage.json` when reused).
    public let record: StageRecord
    /// The folder holding its outputs.
    public let directory: URL
    /// True when a cached result was reused instead of running the stage.
    public let reused: Bool
}

/// Progress events, for the command line's display.
public enum StageEvent: Sendable {
    /// `stage` starts; it is number `index` (1-based) of `total` stages to resolve.
    case started(stage: String, index: Int, total: Int)
    /// `stage` finished after `seconds` (0 when reused).
    case finished(stage: String, index: Int, total: Int, seconds: Double, reused: Bool)
    /// `stage` will be computed rather than reused, and why ("first run", "code version 1 → 2",
    /// "configuration changed", "upstream index changed", "--force", …).
    case computing(stage: String, reason: String)
}
