import Foundation
#if canImport(Glibc)
import Glibc
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let posixWrite = Darwin.write
#endif

/// Writes files so that a reader never sees a half-written one.
///
/// The data goes to a temporary file in the same directory, which is then renamed over the
/// destination (`rename(2)` is atomic within a file system). Parent folders are created.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    /// - Throws: `PipelineError.io` with the file and the reason.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.io(file: url.path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        func failure(_ what: String) -> PipelineError {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return PipelineError.io(file: url.path, reason: "\(what): \(reason)")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure("cannot create a temporary file beside it") }
        var offset = 0
        let result: Int = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return 0 }
            while offset < raw.count {
                let n = posixWrite(fd, base + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return -1 }
                offset += n
            }
            return 0
        }
        if result != 0 { let e = failure("cannot write (nothing replaced)"); close(fd); throw e }
        if close(fd) != 0 { throw failure("cannot write (nothing replaced)") }
        if rename(temporary, url.path) != 0 { throw failure("rename failed") }
    }

    /// Writes a UTF-8 string to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
