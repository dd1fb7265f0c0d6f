import Foundation

/// Deterministic JSON: sorted keys, no insignificant whitespace, `/` unescaped.
///
/// Used for everything that is hashed (stage keys) or compared byte for byte (manifests).
public enum CanonicalJSON {
    /// Compact canonical encoding, for hashing.
    public static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(value) } catch {
            preconditionFailure("canonical JSON encoding failed: \(error)")
        }
    }

    /// Indented canonical encoding with a final newline, for files people read.
    public static func encodePretty<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do { return try encoder.encode(value) + Data("\n".utf8) } catch {
            preconditionFailure("canonical JSON encoding failed: \(error)")
        }
    }
}
