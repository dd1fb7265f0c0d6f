import Foundation

/// Writes files atomically: the bytes go to a temporary file in the destination's directory,
/// which is then renamed over the destination, so readers never see a partial file.
enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating missing parent directories.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw PlotsError.writeFailed(path: path, reason: "cannot create directory: \(error)")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard let f = fopen(tmp, "wb") else {
            throw PlotsError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
        let closed = fclose(f)
        guard written == bytes.count, closed == 0 else {
            unlink(tmp)
            throw PlotsError.writeFailed(path: path, reason: "short write")
        }
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw PlotsError.writeFailed(path: path, reason: reason)
        }
    }
}
