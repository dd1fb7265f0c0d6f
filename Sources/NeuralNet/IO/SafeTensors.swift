import AtomicFiles
import Foundation

/// Errors reading or matching a weight file. Each carries the file path and a reason.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read or written.
    case io(file: String, reason: String)
    /// The file is not valid safetensors (header, offsets, sizes).
    case malformed(file: String, reason: String)
    /// A tensor has a dtype other than F32.
    case unsupportedDType(file: String, name: String, dtype: String)
    /// The model needs a tensor the file lacks.
    case missingTensor(file: String, name: String)
    /// The file holds a tensor the model does not have.
    case unexpectedTensor(file: String, name: String)
    /// A tensor's shape differs from the model's.
    case shapeMismatch(file: String, name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .io(f, r): return "\(f): \(r)"
        case let .malformed(f, r): return "\(f): not a valid safetensors file: \(r)"
        case let .unsupportedDType(f, n, d): return "\(f): tensor \(n) has dtype \(d), only F32 is supported"
        case let .missingTensor(f, n): return "\(f): missing tensor \(n)"
        case let .unexpectedTensor(f, n): return "\(f): unexpected tensor \(n) (not in the model)"
        case let .shapeMismatch(f, n, e, s): return "\(f): tensor \(n) has shape \(s), the model expects \(e)"
        }
    }
}

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length `L`,
/// `L` bytes of JSON `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
/// "__metadata__": {"key": "value"}}` (padded with spaces to a multiple of 8), then the raw
/// little-endian data; offsets are relative to the end of the header. Readable by PyTorch,
/// Keras, numpy (`safetensors` package).
public enum SafeTensors {
    /// Writes `tensors` (in the given order) atomically: a temporary file in the same
    /// directory, then a rename.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var header = "{"
        var offset = 0
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            parts.append("\"__metadata__\":{\(m)}")
        }
        for (name, t) in tensors {
            let bytes = t.count * 4
            parts.append(
                "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.dims.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            )
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        var len = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for (_, t) in tensors {
            t.data.withUnsafeBufferPointer { p in
                #if _endian(big)
                for v in p { var b = v.bitPattern.littleEndian; withUnsafeBytes(of: &b) { data.append(contentsOf: $0) } }
                #else
                data.append(
                    UnsafeBufferPointer(
                        start: UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: UInt8.self),
                        count: p.count * 4))
                #endif
            }
        }
        do { try AtomicFile.write(data, to: url) } catch let e as AtomicWriteError {
            throw WeightsError.io(file: e.file, reason: e.reason)
        }
    }

    /// Reads every tensor of a safetensors file (dtype F32 only) and its metadata.
    public static func read(from url: URL) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw WeightsError.io(file: file, reason: "\(error.localizedDescription)") }
        guard data.count >= 8 else { throw WeightsError.malformed(file: file, reason: "shorter than 8 bytes") }
        let len = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard len <= UInt64(data.count - 8) else { throw WeightsError.malformed(file: file, reason: "header length \(len) exceeds file") }
        let headerData = data.subdata(in: 8..<(8 + Int(len)))
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw WeightsError.malformed(file: file, reason: "header is not a JSON object")
        }
        let base = 8 + Int(len)
        var metadata: [String: String] = [:]
        var entries: [(String, [Int], Int, Int)] = []
        for (name, value) in json {
            guard let dict = value as? [String: Any] else { throw WeightsError.malformed(file: file, reason: "entry \(name)") }
            if name == "__metadata__" {
                for (k, v) in dict { metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let dtype = dict["dtype"] as? String else { throw WeightsError.malformed(file: file, reason: "\(name): no dtype") }
            guard dtype == "F32" else { throw WeightsError.unsupportedDType(file: file, name: name, dtype: dtype) }
            // Every dimension and offset an integer; nothing dropped, nothing that overflows.
            let rawShape = dict["shape"] as? [Any] ?? [], rawOffsets = dict["data_offsets"] as? [Any] ?? []
            let shape = rawShape.compactMap { ($0 as? NSNumber)?.intValue }
            let offs = rawOffsets.compactMap { ($0 as? NSNumber)?.intValue }
            guard dict["shape"] is [Any], shape.count == rawShape.count, offs.count == 2, rawOffsets.count == 2 else {
                throw WeightsError.malformed(file: file, reason: "\(name): bad shape or data_offsets")
            }
            var count = 1
            for d in shape {
                guard d >= 0 else { throw WeightsError.malformed(file: file, reason: "\(name): negative dimension in shape \(shape)") }
                let (c, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, c <= data.count else {
                    throw WeightsError.malformed(file: file, reason: "\(name): shape \(shape) holds more values than the file")
                }
                count = c
            }
            guard offs[0] >= 0, offs[1] >= offs[0], offs[1] - offs[0] == count * 4, offs[1] <= data.count - base else {
                throw WeightsError.malformed(file: file, reason: "\(name): data_offsets \(offs) do not fit shape \(shape)")
            }
            entries.append((name, shape, offs[0], count))
        }
        entries.sort { $0.2 < $1.2 }
        let tensors: [(String, Tensor)] = entries.map { name, shape, begin, count in
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in
                data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: (base + begin)..<(base + begin + count * 4))
            }
            #if _endian(big)
            values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
            #endif
            return (name, Tensor(shape: Shape(shape), data: values))
        }
        return (tensors, metadata)
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
