import AtomicFiles
import CTIFF
import Foundation

/// Writes single-channel TIFF files with libtiff, atomically: the file is written under a
/// temporary name in the same directory and renamed into place, so an existing file is never
/// left half-overwritten.
public enum TIFFWriter {
    /// How the pixels are laid out on disk.
    public struct Options: Sendable {
        public var compression: TIFFCompression = .none
        /// Rows per strip (ignored when `tileSize` is set).
        public var rowsPerStrip: Int = 8
        /// Square tiles of this size (a multiple of 16) instead of strips.
        public var tileSize: Int? = nil
        /// Write big-endian ("MM") instead of little-endian ("II").
        public var bigEndian: Bool = false
        public init(compression: TIFFCompression = .none, rowsPerStrip: Int = 8, tileSize: Int? = nil, bigEndian: Bool = false) {
            self.compression = compression; self.rowsPerStrip = rowsPerStrip
            self.tileSize = tileSize; self.bigEndian = bigEndian
        }
    }

    /// Sample encodings the low-level writer supports (every layout the reader accepts).
    public enum SampleEncoding: Sendable {
        case uint8, uint16, int16, float32
        var bits: UInt16 {
            switch self {
            case .uint8: 8;
            case .uint16, .int16: 16;
            case .float32: 32
            }
        }
        var format: UInt16 {
            switch self {
            case .uint8, .uint16: 1;
            case .int16: 2;
            case .float32: 3
            }
        }
    }

    /// Writes a 16-bit unsigned or 32-bit float image.
    public static func write(
        _ image: TIFFImage, to path: String, compression: TIFFCompression = .none,
        rowsPerStrip: Int = 8
    ) throws {
        try write(image, to: path, options: Options(compression: compression, rowsPerStrip: rowsPerStrip))
    }

    /// Writes a 16-bit unsigned or 32-bit float image with full layout options.
    public static func write(_ image: TIFFImage, to path: String, options: Options) throws {
        switch image.pixels {
        case .uint16(let p):
            try p.withUnsafeBytes {
                try writeRaw($0, width: image.width, height: image.height, encoding: .uint16, to: path, options: options)
            }
        case .float32(let p):
            try p.withUnsafeBytes {
                try writeRaw($0, width: image.width, height: image.height, encoding: .float32, to: path, options: options)
            }
        }
    }

    /// Writes raw host-order samples (`width * height` of `encoding`) — used for every layout
    /// the reader supports, including 8-bit and signed 16-bit.
    public static func writeRaw(
        _ bytes: UnsafeRawBufferPointer, width: Int, height: Int, encoding: SampleEncoding,
        to path: String, options: Options = Options()
    ) throws {
        _ = TIFFLibrary.installHandlers
        let bps = Int(encoding.bits) / 8
        precondition(bytes.count == width * height * bps, "buffer size does not match \(width)x\(height)")
        precondition(width > 0 && height > 0, "zero-sized image")
        do {
            try AtomicFile.replace(path) { tmp in
                try encode(bytes, width: width, height: height, encoding: encoding, into: tmp, reportingAs: path, options: options)
            }
        } catch let e as AtomicWriteError {
            throw TIFFError.writeFailed(path: path, reason: e.reason)
        }
    }

    /// Writes the TIFF file at `tmp`; errors name `path`, the file the caller asked for.
    private static func encode(
        _ bytes: UnsafeRawBufferPointer, width: Int, height: Int, encoding: SampleEncoding,
        into tmp: String, reportingAs path: String, options: Options
    ) throws {
        let bps = Int(encoding.bits) / 8
        TIFFLibrary.clearLastError()
        guard let tif = TIFFOpen(tmp, options.bigEndian ? "wb" : "wl") else {
            throw TIFFError.writeFailed(path: path, reason: TIFFLibrary.lastError(or: "cannot create \(tmp)"))
        }
        var closed = false
        defer { if !closed { TIFFClose(tif) } }
        func set32(_ tag: Int32, _ v: UInt32) { _ = ctiff_set_u32(tif, UInt32(tag), v) }
        func set16(_ tag: Int32, _ v: UInt16) { _ = ctiff_set_u16(tif, UInt32(tag), v) }
        set32(TIFFTAG_IMAGEWIDTH, UInt32(width))
        set32(TIFFTAG_IMAGELENGTH, UInt32(height))
        set16(TIFFTAG_BITSPERSAMPLE, encoding.bits)
        set16(TIFFTAG_SAMPLESPERPIXEL, 1)
        set16(TIFFTAG_SAMPLEFORMAT, encoding.format)
        set16(TIFFTAG_PHOTOMETRIC, UInt16(PHOTOMETRIC_MINISBLACK))
        set16(TIFFTAG_PLANARCONFIG, UInt16(PLANARCONFIG_CONTIG))
        set16(TIFFTAG_COMPRESSION, options.compression.tagValue)
        let rowBytes = width * bps
        if let tile = options.tileSize {
            precondition(tile > 0 && tile % 16 == 0, "tile size must be a positive multiple of 16")
            set32(TIFFTAG_TILEWIDTH, UInt32(tile)); set32(TIFFTAG_TILELENGTH, UInt32(tile))
            var buffer = [UInt8](repeating: 0, count: tile * tile * bps)
            for y0 in stride(from: 0, to: height, by: tile) {
                for x0 in stride(from: 0, to: width, by: tile) {
                    for i in buffer.indices { buffer[i] = 0 }
                    let cols = min(tile, width - x0)
                    for y in y0..<min(y0 + tile, height) {
                        let src = bytes.baseAddress! + y * rowBytes + x0 * bps
                        buffer.withUnsafeMutableBytes { dst in
                            (dst.baseAddress! + (y - y0) * tile * bps).copyMemory(from: src, byteCount: cols * bps)
                        }
                    }
                    let index = TIFFComputeTile(tif, UInt32(x0), UInt32(y0), 0, 0)
                    let ok = buffer.withUnsafeMutableBytes { TIFFWriteEncodedTile(tif, index, $0.baseAddress, tmsize_t($0.count)) }
                    if ok < 0 { throw TIFFError.writeFailed(path: path, reason: TIFFLibrary.lastError(or: "tile \(index) not written")) }
                }
            }
        } else {
            let rps = max(1, min(options.rowsPerStrip, height))
            set32(TIFFTAG_ROWSPERSTRIP, UInt32(rps))
            // libtiff byte-swaps the buffer it is given in place when the file's byte order differs
            // from the host's, so each strip goes through a scratch copy, never the caller's memory.
            var scratch = [UInt8](repeating: 0, count: rps * rowBytes)
            var strip: UInt32 = 0
            for y0 in stride(from: 0, to: height, by: rps) {
                let rows = min(rps, height - y0)
                let written = scratch.withUnsafeMutableBytes { dst -> tmsize_t in
                    dst.baseAddress!.copyMemory(from: bytes.baseAddress! + y0 * rowBytes, byteCount: rows * rowBytes)
                    return TIFFWriteEncodedStrip(tif, strip, dst.baseAddress, tmsize_t(rows * rowBytes))
                }
                if written < 0 {
                    throw TIFFError.writeFailed(path: path, reason: TIFFLibrary.lastError(or: "strip \(strip) not written"))
                }
                strip += 1
            }
        }
        if TIFFWriteDirectory(tif) == 0 {
            throw TIFFError.writeFailed(path: path, reason: TIFFLibrary.lastError(or: "directory not written"))
        }
        TIFFClose(tif)
        closed = true
    }
}
