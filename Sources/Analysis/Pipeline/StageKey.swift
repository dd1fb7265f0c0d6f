import Crypto
import Foundation

/// Content addresses for stages and files (docs/design.md, "Every stage is a pure function").
///
/// A stage's key is the SHA-256 of its name, its code version, its configuration's canonical
/// JSON and the output hashes of its upstream stages (sorted by stage name). Two runs with the same
/// inputs get the same key and share the cached outputs; any change upstream changes it.
public enum StageKey {
    /// The cache key of a stage, as 64 lowercase hex digits.
    /// - Parameters:
    ///   - stage: the stage's name.
    ///   - configuration: canonical JSON of everything the stage reads besides upstream outputs.
    ///   - upstream: upstream stage name -> that stage's combined output hash.
    ///   - codeVersion: the version of the stage's code; version 1 adds nothing, so keys made
    ///     before versions existed stay valid.
    public static func key(stage: String, configuration: Data, upstream: [String: String], codeVersion: Int = 1) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("stage:\(stage)\n".utf8))
        if codeVersion != 1 { hasher.update(data: Data("code:\(codeVersion)\n".utf8)) }
        hasher.update(data: Data("configuration:".utf8))
        hasher.update(data: configuration)
        hasher.update(data: Data("\n".utf8))
        for name in upstream.keys.sorted() {
            hasher.update(data: Data("upstream:\(name)=\(upstream[name]!)\n".utf8))
        }
        return hex(hasher.finalize())
    }

    /// SHA-256 of `data` as 64 lowercase hex digits.
    public static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// SHA-256 of a file's bytes.
    /// - Throws: `PipelineError.io` when the file cannot be read.
    public static func sha256(file: URL) throws -> String {
        do { return sha256(try Data(contentsOf: file)) } catch {
            throw PipelineError.io(file: file.path, reason: "\(error)")
        }
    }

    /// One hash over a set of named hashes: SHA-256 of `name=hash` lines sorted by name.
    public static func combine(_ hashes: [String: String]) -> String {
        let lines = hashes.keys.sorted().map { "\($0)=\(hashes[$0]!)\n" }.joined()
        return sha256(Data(lines.utf8))
    }

    /// A 64-bit seed derived from the preset seed and a stage key (docs/design.md, "Numerics"):
    /// the first 8 bytes, big-endian, of SHA-256("<seed>:<key>").
    public static func seed(presetSeed: UInt64, key: String) -> UInt64 {
        let digest = Array(SHA256.hash(data: Data("\(presetSeed):\(key)".utf8)))
        return digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
