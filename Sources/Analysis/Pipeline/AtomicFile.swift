import Foundation

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
            let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw PipelineError.io(file: url.path, reason: "rename failed: \(reason)")
            }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.io(file: url.path, reason: "\(error)")
        }
    }

    /// Writes a UTF-8 string to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
