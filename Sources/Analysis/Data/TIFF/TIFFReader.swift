import CTIFF
import Foundation

/// Reads single-channel TIFF files with libtiff: 8/16-bit unsigned, 16-bit signed and 32-bit
/// float samples; strips or tiles; any compression libtiff decodes (none, LZW, Deflate,
/// PackBits, ...); either byte order.
///
/// `readRows` decodes only the strips or tile rows that overlap the requested band, which is
/// what the slice-selection algorithm (§2.2) needs: rows 240..<340 of a 512-row slice.
public enum TIFFReader {
    // MARK: - Public entry points

    /// Reads the whole image. Throws `TIFFError` naming the file and the problem.
    public static func read(_ path: String) throws -> TIFFImage {
        try withOpenFile(path) { tif, layout in
            try decode(tif, layout: layout, rows: 0..<layout.info.height, path: path)
        }
    }

    /// Reads only rows `rows` (a band of the image); the result has `height == rows.count`
    /// and `firstRow == rows.lowerBound`. Identical to the same rows of a full read.
    public static func readRows(_ path: String, rows: Range<Int>) throws -> TIFFImage {
        try readRows(path) { _ in rows }
    }

    /// Reads the band of rows that `rows` chooses from the file's header, opening the file once
    /// (the selection region depends on the image size).
    public static func readRows(_ path: String, rows choose: (TIFFInfo) -> Range<Int>) throws -> TIFFImage {
        if let band = TIFFFastBand.read(path, rows: choose) { return band }
        return try withOpenFile(path) { tif, layout in
            let rows = choose(layout.info)
            guard rows.lowerBound >= 0, rows.upperBound <= layout.info.height, !rows.isEmpty else {
                throw TIFFError.invalidRows(path: path, rows: rows, height: layout.info.height)
            }
            return try decode(tif, layout: layout, rows: rows, path: path)
        }
    }

    /// Reads the header only.
    public static func info(_ path: String) throws -> TIFFInfo {
        try withOpenFile(path) { _, layout in layout.info }
    }

    // MARK: - Opening and validating

    /// How samples are converted after decoding.
    enum SampleKind { case u8, u16, i16, f32 }

    struct Layout {
        let info: TIFFInfo
        let kind: SampleKind
        var bytesPerSample: Int { info.bitsPerSample / 8 }
    }

    static func withOpenFile<T>(_ path: String, _ body: (OpaquePointer, Layout) throws -> T) throws -> T {
        _ = TIFFLibrary.installHandlers
        // One descriptor for the signature check and libtiff; read(2), no memory mapping, which
        // keeps many small band reads on several threads from contending in the kernel.
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { throw TIFFError.fileNotFound(path: path) }
            throw TIFFError.truncated(path: path, detail: String(cString: strerror(errno)))
        }
        var head = [UInt8](repeating: 0, count: 4)
        let got = pread(fd, &head, 4, 0)
        do {
            try checkSignature(Array(head.prefix(max(0, got))), path: path)
        } catch {
            close(fd)
            throw error
        }
        let fileSize = TIFFLimits.fileSize(fd) ?? 0
        TIFFLibrary.clearLastError()
        guard let tif = ctiff_fd_open_read(fd, path) else {
            close(fd)
            throw TIFFError.truncated(path: path, detail: TIFFLibrary.lastError(or: "libtiff could not open the file"))
        }
        defer { TIFFClose(tif) }  // closes the descriptor too
        let layout = try readLayout(tif, path: path, fileSize: fileSize)
        return try body(tif, layout)
    }

    /// Distinguishes empty and non-TIFF files (from their first bytes) before libtiff sees them.
    static func checkSignature(_ bytes: [UInt8], path: String) throws {
        if bytes.isEmpty { throw TIFFError.empty(path: path) }
        let validPrefix: [[UInt8]] = [
            [0x49, 0x49, 0x2A, 0x00], [0x4D, 0x4D, 0x00, 0x2A],
            [0x49, 0x49, 0x2B, 0x00], [0x4D, 0x4D, 0x00, 0x2B]
        ]
        if bytes.count < 4 {
            if validPrefix.contains(where: { Array($0.prefix(bytes.count)) == bytes }) {
                throw TIFFError.truncated(path: path, detail: "\(bytes.count)-byte file ends inside the header")
            }
            throw TIFFError.notATIFF(path: path)
        }
        if !validPrefix.contains(bytes) { throw TIFFError.notATIFF(path: path) }
    }

    static func readLayout(_ tif: OpaquePointer, path: String, fileSize: Int) throws -> Layout {
        var width: UInt32 = 0, height: UInt32 = 0
        var spp: UInt16 = 1, bps: UInt16 = 1, format: UInt16 = 1, compression: UInt16 = 1
        _ = ctiff_get_u32(tif, UInt32(TIFFTAG_IMAGEWIDTH), &width)
        _ = ctiff_get_u32(tif, UInt32(TIFFTAG_IMAGELENGTH), &height)
        _ = ctiff_get_u16(tif, UInt32(TIFFTAG_SAMPLESPERPIXEL), &spp)
        _ = ctiff_get_u16(tif, UInt32(TIFFTAG_BITSPERSAMPLE), &bps)
        _ = ctiff_get_u16(tif, UInt32(TIFFTAG_SAMPLEFORMAT), &format)
        _ = ctiff_get_u16(tif, UInt32(TIFFTAG_COMPRESSION), &compression)
        if width == 0 || height == 0 { throw TIFFError.zeroDimensions(path: path) }
        if spp != 1 {
            let what = spp == 3 ? "RGB" : (spp == 4 ? "RGBA" : (spp == 2 ? "gray + alpha" : "multi-sample"))
            throw TIFFError.unsupportedLayout(path: path, reason: "\(spp) samples per pixel (\(what)); only 1 is supported")
        }
        let kind: SampleKind
        switch (bps, format) {
        case (8, 1): kind = .u8
        case (16, 1): kind = .u16
        case (16, 2): kind = .i16
        case (32, 3): kind = .f32
        case (64, 3): throw TIFFError.unsupportedLayout(path: path, reason: "64-bit float samples")
        case (let b, _) where b < 8:
            throw TIFFError.unsupportedLayout(path: path, reason: "\(b)-bit samples")
        default:
            let name = format == 1 ? "unsigned" : (format == 2 ? "signed" : (format == 3 ? "float" : "format \(format)"))
            throw TIFFError.unsupportedLayout(path: path, reason: "\(bps)-bit \(name) samples")
        }
        // Before anything is allocated: the sizes the header claims must fit the file.
        try TIFFLimits.check(
            path: path, width: Int(width), height: Int(height), bytesPerSample: max(Int(bps) / 8, 1),
            compressed: compression != 1, fileSize: fileSize)
        let tiled = TIFFIsTiled(tif) != 0
        var block: UInt32 = 0
        if tiled {
            var tileWidth: UInt32 = 0
            _ = ctiff_get_u32(tif, UInt32(TIFFTAG_TILEWIDTH), &tileWidth)
            _ = ctiff_get_u32(tif, UInt32(TIFFTAG_TILELENGTH), &block)
            // A tile may overhang the image, but not by more than a 16 MiB buffer or 4× the image.
            let tileBytes = Int(tileWidth) * Int(block) * max(Int(bps) / 8, 1)
            guard tileWidth > 0, block > 0, tileWidth <= UInt32(TIFFLimits.maxSide), block <= UInt32(TIFFLimits.maxSide),
                tileBytes <= max(16 << 20, 4 * Int(width) * Int(height) * max(Int(bps) / 8, 1))
            else {
                throw TIFFError.implausibleSize(path: path, reason: "tiles of \(tileWidth) × \(block) pixels")
            }
        } else {
            _ = ctiff_get_u32(tif, UInt32(TIFFTAG_ROWSPERSTRIP), &block)
        }
        // Pages: count the directories, then return to the first.
        let pages = Int(TIFFNumberOfDirectories(tif))
        if pages > 1 { _ = TIFFSetDirectory(tif, 0) }
        let rows = Int(min(max(block, 1), height))
        let info = TIFFInfo(
            width: Int(width), height: Int(height), bitsPerSample: Int(bps),
            sampleFormat: Int(format), compression: Int(compression), isTiled: tiled,
            rowsPerBlock: rows, bigEndian: TIFFIsBigEndian(tif) != 0, pages: max(pages, 1))
        return Layout(info: info, kind: kind)
    }

    // MARK: - Decoding

    /// Decodes `rows` into a typed image, reading only the strips/tiles that overlap them.
    static func decode(_ tif: OpaquePointer, layout: Layout, rows: Range<Int>, path: String) throws -> TIFFImage {
        let width = layout.info.width
        let bps = layout.bytesPerSample
        // Raw decoded bytes of the band, row-major, host byte order (libtiff swaps as needed).
        var raw = [UInt8](repeating: 0, count: rows.count * width * bps)
        try raw.withUnsafeMutableBytes { out in
            if layout.info.isTiled {
                try decodeTiles(tif, layout: layout, rows: rows, into: out, path: path)
            } else {
                try decodeStrips(tif, layout: layout, rows: rows, into: out, path: path)
            }
        }
        return convert(raw, layout: layout, width: width, rows: rows)
    }

    static func decodeStrips(
        _ tif: OpaquePointer, layout: Layout, rows: Range<Int>,
        into out: UnsafeMutableRawBufferPointer, path: String
    ) throws {
        let rowBytes = layout.info.width * layout.bytesPerSample
        let rps = layout.info.rowsPerBlock
        var strip = [UInt8](repeating: 0, count: max(Int(TIFFStripSize(tif)), rps * rowBytes))
        let firstStrip = rows.lowerBound / rps, lastStrip = (rows.upperBound - 1) / rps
        try strip.withUnsafeMutableBytes { buf in
            for s in firstStrip...lastStrip {
                TIFFLibrary.clearLastError()
                let got = TIFFReadEncodedStrip(tif, UInt32(s), buf.baseAddress, -1)
                let stripRow0 = s * rps
                let stripRows = min(rps, layout.info.height - stripRow0)
                if got < 0 || Int(got) < stripRows * rowBytes {
                    throw TIFFError.truncated(path: path, detail: TIFFLibrary.lastError(or: "strip \(s) could not be decoded"))
                }
                let lo = max(rows.lowerBound, stripRow0), hi = min(rows.upperBound, stripRow0 + stripRows)
                guard lo < hi else { continue }
                let src = buf.baseAddress! + (lo - stripRow0) * rowBytes
                let dst = out.baseAddress! + (lo - rows.lowerBound) * rowBytes
                dst.copyMemory(from: src, byteCount: (hi - lo) * rowBytes)
            }
        }
    }

    static func decodeTiles(
        _ tif: OpaquePointer, layout: Layout, rows: Range<Int>,
        into out: UnsafeMutableRawBufferPointer, path: String
    ) throws {
        var tw: UInt32 = 0
        _ = ctiff_get_u32(tif, UInt32(TIFFTAG_TILEWIDTH), &tw)
        let tileW = Int(tw), tileH = layout.info.rowsPerBlock
        let bps = layout.bytesPerSample, width = layout.info.width
        let rowBytes = width * bps
        var tile = [UInt8](repeating: 0, count: max(Int(TIFFTileSize(tif)), tileW * tileH * bps))
        let firstTileRow = rows.lowerBound / tileH, lastTileRow = (rows.upperBound - 1) / tileH
        try tile.withUnsafeMutableBytes { buf in
            for tr in firstTileRow...lastTileRow {
                for x0 in stride(from: 0, to: width, by: tileW) {
                    let y0 = tr * tileH
                    let index = TIFFComputeTile(tif, UInt32(x0), UInt32(y0), 0, 0)
                    TIFFLibrary.clearLastError()
                    let got = TIFFReadEncodedTile(tif, index, buf.baseAddress, -1)
                    if got < 0 || Int(got) < tileW * tileH * bps {
                        throw TIFFError.truncated(path: path, detail: TIFFLibrary.lastError(or: "tile \(index) could not be decoded"))
                    }
                    let cols = min(tileW, width - x0)
                    let lo = max(rows.lowerBound, y0), hi = min(rows.upperBound, y0 + tileH)
                    for y in lo..<hi {
                        let src = buf.baseAddress! + ((y - y0) * tileW) * bps
                        let dst = out.baseAddress! + (y - rows.lowerBound) * rowBytes + x0 * bps
                        dst.copyMemory(from: src, byteCount: cols * bps)
                    }
                }
            }
        }
    }

    static func convert(_ raw: [UInt8], layout: Layout, width: Int, rows: Range<Int>) -> TIFFImage {
        let n = width * rows.count
        switch layout.kind {
        case .u8:
            return TIFFImage(width: width, height: rows.count, uint16: raw.map(UInt16.init), firstRow: rows.lowerBound)
        case .u16:
            let px = [UInt16](unsafeUninitializedCapacity: n) { dst, count in
                raw.withUnsafeBytes { src in _ = memcpy(dst.baseAddress!, src.baseAddress!, n * 2) }
                count = n
            }
            return TIFFImage(width: width, height: rows.count, uint16: px, firstRow: rows.lowerBound)
        case .i16:
            let px = raw.withUnsafeBytes { src in
                src.bindMemory(to: Int16.self).map(Float.init)
            }
            return TIFFImage(width: width, height: rows.count, float32: px, firstRow: rows.lowerBound)
        case .f32:
            let px = [Float](unsafeUninitializedCapacity: n) { dst, count in
                raw.withUnsafeBytes { src in _ = memcpy(dst.baseAddress!, src.baseAddress!, n * 4) }
                count = n
            }
            return TIFFImage(width: width, height: rows.count, float32: px, firstRow: rows.lowerBound)
        }
    }
}
