import Foundation

/// An exclusive lock on a stage cache folder (`runs/<preset>`), held while a runner works in
/// it: a second `paper-repro` on the same folder is refused with a message naming the holder,
/// instead of both writing the same stages. The lock is `flock(2)` on `<folder>/.lock`, so the
/// kernel releases it when the holder exits, however it exits (even by SIGKILL).
public final class CacheLock {
    public let file: URL
    private let fd: Int32

    /// Takes the lock, creating the folder and the lock file when needed.
    /// - Throws: `PipelineError.locked` when another process (or another `CacheLock` in this
    ///   one) holds it, with the holder's pid and start time; `PipelineError.io` when the file
    ///   cannot be created.
    public init(folder: URL) throws {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        file = folder.appendingPathComponent(".lock")
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PipelineError.io(file: file.path, reason: "cannot create the lock file: \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw PipelineError.locked(path: folder.path, holder: holder.map { $0.isEmpty ? "unknown process" : $0 } ?? "unknown process")
        }
        self.fd = fd
        let note = "pid \(getpid()), since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
