import Foundation

/// Pixel storage of a single-channel image read from or written to a TIFF file.
///
/// 8- and 16-bit unsigned samples are held as `UInt16`; 16-bit signed and 32-bit float samples
/// as `Float` (every Int16 is exactly representable).
public enum TIFFPixels: Equatable, Sendable {
    case uint16([UInt16])
    case float32([Float])

    /// Number of pixels.
    public var count: Int {
        switch self {
        case .uint16(let p): return p.count
        case .float32(let p): return p.count
        }
    }
}

/// A single-channel image, row-major, `height` rows of `width` pixels.
///
/// A band read (`TIFFReader.readRows`) returns an image whose `height` is the band's row count
/// and whose `firstRow` is the band's first row in the file.
public struct TIFFImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Row of the file this image's first row comes from (0 for a full read).
    public let firstRow: Int
    public var pixels: TIFFPixels

    /// A 16-bit unsigned image; `uint16.count` must equal `width * height`.
    public init(width: Int, height: Int, uint16: [UInt16], firstRow: Int = 0) {
        precondition(uint16.count == width * height, "pixel count \(uint16.count) != \(width)x\(height)")
        self.width = width; self.height = height; self.firstRow = firstRow
        self.pixels = .uint16(uint16)
    }

    /// A 32-bit float image; `float32.count` must equal `width * height`.
    public init(width: Int, height: Int, float32: [Float], firstRow: Int = 0) {
        precondition(float32.count == width * height, "pixel count \(float32.count) != \(width)x\(height)")
        self.width = width; self.height = height; self.firstRow = firstRow
        self.pixels = .float32(float32)
    }

    /// The pixels as `UInt16`, or nil when the image holds floats.
    public var uint16: [UInt16]? {
        if case .uint16(let p) = pixels { return p }
        return nil
    }

    /// The pixels as `Float` (converting from `UInt16` when needed).
    public var float32: [Float] {
        switch pixels {
        case .float32(let p): return p
        case .uint16(let p): return p.map(Float.init)
        }
    }
}

/// Compression schemes the writer can use (the reader accepts any libtiff decodes).
public enum TIFFCompression: String, CaseIterable, Sendable {
    case none, lzw, deflate, packbits

    /// libtiff's COMPRESSION tag value.
    var tagValue: UInt16 {
        switch self {
        case .none: return 1
        case .lzw: return 5
        case .deflate: return 8      // COMPRESSION_ADOBE_DEFLATE
        case .packbits: return 32773
        }
    }
}

/// Header facts of a TIFF file.
public struct TIFFInfo: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let bitsPerSample: Int
    /// 1 unsigned integer, 2 signed integer, 3 IEEE float.
    public let sampleFormat: Int
    public let compression: Int
    public let isTiled: Bool
    /// Rows per strip (strips) or tile height (tiles).
    public let rowsPerBlock: Int
    public let bigEndian: Bool
}

/// A TIFF file that cannot be read or written, with the path and the reason.
public enum TIFFError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case empty(path: String)
    case notATIFF(path: String)
    case truncated(path: String, detail: String)
    case unsupportedLayout(path: String, reason: String)
    case zeroDimensions(path: String)
    case invalidRows(path: String, rows: Range<Int>, height: Int)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let p): return "\(p): no such file"
        case .empty(let p): return "\(p): file is empty (zero length)"
        case .notATIFF(let p): return "\(p): not a TIFF file (no II*/MM* signature)"
        case .truncated(let p, let d): return "\(p): truncated or corrupt TIFF (\(d))"
        case .unsupportedLayout(let p, let r): return "\(p): unsupported TIFF layout: \(r)"
        case .zeroDimensions(let p): return "\(p): image has zero width or height"
        case .invalidRows(let p, let r, let h):
            return "\(p): rows \(r.lowerBound)..<\(r.upperBound) outside the image height \(h)"
        case .writeFailed(let p, let r): return "\(p): cannot write TIFF: \(r)"
        }
    }
}
