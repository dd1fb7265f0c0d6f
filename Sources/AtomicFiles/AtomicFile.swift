import Foundation

#if canImport(Glibc)
import Glibc
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let posixWrite = Darwin.write
#endif

/// A file that could not be written, and why. Nothing was replaced.
public struct AtomicWriteError: Error, Equatable, CustomStringConvertible {
    /// The destination.
    public let file: String
    /// What went wrong, in words (the system's reason included).
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}

/// Writes files so that a reader never sees a half-written one, and a failed write never
/// damages the file it was meant to replace.
///
/// The bytes go to a temporary file in the destination's folder, which is then renamed over
/// the destination (`rename(2)` is atomic within a file system). Missing parent folders are
/// created. Writes go through POSIX calls, so a full disk is an error with the system's reason,
/// never a trap. Every module that writes files writes them through here.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try data.withUnsafeBytes { try write(raw: $0, to: url.path) }
    }

    /// Writes a UTF-8 string to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write(raw: $0, to: path) }
    }

    /// Lets `produce` write the file at a temporary path beside `path` (for libraries that
    /// write to a path themselves), then renames it into place. When `produce` throws, the
    /// temporary file is removed, the destination is untouched and the error is rethrown.
    public static func replace(_ path: String, by produce: (_ temporaryPath: String) throws -> Void) throws {
        try createFolder(for: path)
        let temporary = temporaryPath(for: path)
        do {
            try produce(temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AtomicWriteError(file: path, reason: "rename failed: \(reason)")
        }
    }

    /// A unique temporary name beside `path` (same folder, so the rename is atomic); hidden,
    /// and named after the destination so a leftover is recognisable.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    private static func createFolder(for path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AtomicWriteError(file: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
    }

    private static func write(raw: UnsafeRawBufferPointer, to path: String) throws {
        try replace(path) { temporary in
            func failure(_ what: String) -> AtomicWriteError {
                AtomicWriteError(file: path, reason: "\(what): \(String(cString: strerror(errno)))")
            }
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw failure("cannot create a temporary file beside it") }
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let error = failure("cannot write (nothing replaced)")
                    close(fd)
                    throw error
                }
                offset += n
            }
            if close(fd) != 0 { throw failure("cannot write (nothing replaced)") }
        }
    }
}
