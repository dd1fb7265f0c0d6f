import Foundation

/// An exclusive lock on a stage cache folder (`runs/<preset>`), held while a runner works in
/// it: a second `paper-repro` on the same folder is refused with a message naming the holder,
/// instead of both writing the same stages. The lock is `flock(2)` on `<folder>/.lock`, so the
/// kernel releases it when the holder exits, however it exits (even by SIGKILL).
///
/// Processes that share a cache on purpose (the tasks of a cluster job array, each training one
/// stage) take the folder's lock `.shared` instead: they coexist with one another but not with
/// an exclusive holder, and each stage they compute is guarded by its own `.waitExclusive` lock
/// on `<folder>/<stage>/.lock`, so two tasks that need the same stage compute it once (the
/// second waits, then finds it finished).
public final class CacheLock {
    public enum Mode: Sendable {
        /// One holder; refused while anyone holds the lock (the default).
        case exclusive
        /// Any number of shared holders; refused while an exclusive holder has it.
        case shared
        /// One holder; waits for the others to let go.
        case waitExclusive
    }

    public let file: URL
    private let fd: Int32
    private let mode: Mode

    /// Takes the lock, creating the folder and the lock file when needed.
    /// - Throws: `PipelineError.locked` when another process (or another `CacheLock` in this
    ///   one) holds it incompatibly (never for `.waitExclusive`, which waits), with the holder's
    ///   pid and start time; `PipelineError.io` when the file cannot be created.
    public init(folder: URL, mode: Mode = .exclusive) throws {
        self.mode = mode
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        file = folder.appendingPathComponent(".lock")
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PipelineError.io(file: file.path, reason: "cannot create the lock file: \(String(cString: strerror(errno)))")
        }
        let operation: Int32
        switch mode {
        case .exclusive: operation = LOCK_EX | LOCK_NB
        case .shared: operation = LOCK_SH | LOCK_NB
        case .waitExclusive: operation = LOCK_EX
        }
        var status = flock(fd, operation)
        while status != 0 && errno == EINTR && mode == .waitExclusive { status = flock(fd, operation) }
        if status != 0 {
            let holder = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw PipelineError.locked(path: folder.path, holder: holder.map { $0.isEmpty ? "unknown process" : $0 } ?? "unknown process")
        }
        self.fd = fd
        let note =
            "pid \(getpid())\(mode == .shared ? " (and other shared holders)" : ""), since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        if mode != .shared { _ = ftruncate(fd, 0) }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
