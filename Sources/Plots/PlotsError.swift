/// Errors from writing or reading figures and rasters (data and I/O problems, not misuse).
public enum PlotsError: Error, CustomStringConvertible {
    /// A file could not be written.
    case writeFailed(path: String, reason: String)
    /// A file could not be read or decoded.
    case readFailed(path: String, reason: String)
    /// Cairo reported an error while rendering.
    case renderFailed(reason: String)

    public var description: String {
        switch self {
        case let .writeFailed(path, reason): return "cannot write \(path): \(reason)"
        case let .readFailed(path, reason): return "cannot read \(path): \(reason)"
        case let .renderFailed(reason): return "rendering failed: \(reason)"
        }
    }
}
