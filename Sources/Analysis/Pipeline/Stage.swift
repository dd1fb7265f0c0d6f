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

/// A stage of the pipeline as a type: what it is configured with and what it produces.
///
/// `run` sees the configuration only as the runner hands it over, decoded from the very JSON
/// the stage's key hashes (`StageDefinition.init(_:name:upstream:config:)`), so a stage cannot
/// depend on anything its key leaves out: whatever a stage reads from a preset must be a field
/// of its `Config`. Its other inputs are upstream stages' outputs, read from their folders.
public protocol Stage: SendableMetatype {
    /// Everything the stage depends on besides its upstream outputs.
    associatedtype Config: Codable & Sendable
    /// What the stage's folder holds, as downstream stages and report entries read it.
    associatedtype Output
    /// The stage's name, also its folder under `runs/<preset>/` (per-fold stages add a suffix).
    static var name: String { get }
    /// The work: writes every output file into `context.outputDirectory`.
    static func run(_ config: Config, in context: StageContext) throws
    /// Reads the stage's output from a finished stage's folder.
    static func read(from directory: URL) throws -> Output
}

extension Stage {
    /// The configuration a finished stage ran with, from its record (`stage.json`).
    public static func recordedConfig(_ record: StageRecord) throws -> Config {
        do { return try JSONDecoder().decode(Config.self, from: Data(record.configuration.utf8)) } catch {
            throw PipelineError.io(
                file: "\(record.stage)/\(record.key)/stage.json", reason: "its configuration is not a \(Config.self): \(error)")
        }
    }
}

extension StageDefinition {
    /// The definition of stage type `S` configured with `config`: the key hashes the canonical
    /// JSON of `config`, and the work receives that JSON decoded again, never the value itself.
    /// `work` replaces `S.run` for a run that reports progress; it gets the same decoded config.
    public init<S: Stage>(
        _ stage: S.Type, name: String = S.name, upstream: [String] = [], config: S.Config,
        work: (@Sendable (S.Config, StageContext) throws -> Void)? = nil
    ) {
        let configuration = CanonicalJSON.encode(config)
        self.init(name: name, upstream: upstream, configuration: configuration) { context in
            let decoded: S.Config
            do { decoded = try JSONDecoder().decode(S.Config.self, from: configuration) } catch {
                throw PipelineError.stageFailed(stage: name, reason: "its configuration does not decode as \(S.Config.self): \(error)")
            }
            if let work { try work(decoded, context) } else { try S.run(decoded, in: context) }
        }
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
