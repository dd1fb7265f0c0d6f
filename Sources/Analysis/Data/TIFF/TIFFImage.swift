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
        case .deflate: return 8  // COMPRESSION_ADOBE_DEFLATE
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
    /// Images (directories) in the file; a CT slice has one.
    public var pages: Int = 1

    /// The sample type in words: "16-bit unsigned", "16-bit signed", "8-bit unsigned", ….
    public var sampleDescription: String {
        let kind = sampleFormat == 2 ? "signed" : (sampleFormat == 3 ? "float" : "unsigned")
        return "\(bitsPerSample)-bit \(kind)"
    }
}

/// A TIFF file that cannot be read or written, with the path and the reason.
public enum TIFFError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case empty(path: String)
    case notATIFF(path: String)
    case truncated(path: String, detail: String)
    case unsupportedLayout(path: String, reason: String)
    case zeroDimensions(path: String)
    /// The header describes an image this program refuses to allocate: a side above
    /// `TIFFLimits.maxSide`, or more pixel bytes than the file can hold.
    case implausibleSize(path: String, reason: String)
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
        case .implausibleSize(let p, let r): return "\(p): corrupt TIFF header: \(r)"
        case .invalidRows(let p, let r, let h):
            return "\(p): rows \(r.lowerBound)..<\(r.upperBound) outside the image height \(h)"
        case .writeFailed(let p, let r): return "\(p): cannot write TIFF: \(r)"
        }
    }
}

/// What a TIFF header may claim before anything is allocated: no file, however corrupt, makes
/// the readers allocate more than its pixels could need.
public enum TIFFLimits {
    /// The largest side accepted (CT slices are 512; whole-slide images are tiled far larger,
    /// but nothing this program reads is).
    public static let maxSide = 16_384
    /// The largest ratio of decoded to stored bytes accepted for compressed data (Deflate's
    /// ceiling is about 1,032:1).
    public static let maxCompressionRatio = 1_100

    /// Checks a header's dimensions against `maxSide` and the file's size.
    /// - Parameters:
    ///   - bytesPerSample: 1, 2 or 4.
    ///   - compressed: whether the pixel data are compressed (then the ratio bound applies).
    /// - Throws: `TIFFError.implausibleSize` naming the file and the numbers.
    public static func check(path: String, width: Int, height: Int, bytesPerSample: Int, compressed: Bool, fileSize: Int) throws {
        guard width <= maxSide, height <= maxSide else {
            throw TIFFError.implausibleSize(path: path, reason: "\(width) × \(height) pixels (at most \(maxSide) on a side)")
        }
        let needed = width * height * bytesPerSample
        let bound = compressed ? fileSize * maxCompressionRatio : fileSize
        guard needed <= bound else {
            throw TIFFError.implausibleSize(
                path: path,
                reason: "\(width) × \(height) pixels of \(bytesPerSample) bytes need \(needed) bytes, "
                    + (compressed ? "over \(maxCompressionRatio) times the file's \(fileSize)" : "more than the file's \(fileSize)"))
        }
    }

    /// The size of an open file, or nil.
    static func fileSize(_ fd: Int32) -> Int? {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : nil
    }
}
