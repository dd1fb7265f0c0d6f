import Foundation

/// Errors of the stage machinery: I/O under `runs/`, unknown stages, cycles, failed stages.
public enum PipelineError: Error, CustomStringConvertible {
    /// Reading or writing `file` failed.
    case io(file: String, reason: String)
    /// A stage names an upstream stage that is not defined.
    case unknownStage(name: String, neededBy: String)
    /// The stage graph has a cycle through `stage`.
    case cycle(stage: String)
    /// The stage's own work threw.
    case stageFailed(stage: String, reason: String)
    /// Another process holds the stage cache's lock.
    case locked(path: String, holder: String)

    public var description: String {
        switch self {
        case let .io(file, reason): return "\(file): \(reason)"
        case let .unknownStage(name, neededBy): return "unknown stage '\(name)' (needed by '\(neededBy)')"
        case let .cycle(stage): return "stage graph has a cycle through '\(stage)'"
        case let .stageFailed(stage, reason): return "stage '\(stage)' failed: \(reason)"
        case let .locked(path, holder):
            return
                "\(path): the stage cache is in use by another paper-repro (\(holder)); wait for it to finish, or use another --runs folder"
        }
    }
}
