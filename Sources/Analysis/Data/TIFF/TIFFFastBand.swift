import Foundation

/// A direct reader for the commonest slice layout — classic TIFF, one 16-bit unsigned sample
/// per pixel, uncompressed strips — that reads a band of rows with a handful of system calls
/// (open, header and directory, strip table, pixel bytes, close) instead of libtiff's full
/// directory parsing. The slice selection (§2.2) reads one band per slice, so this fixed cost
/// dominates its speed. Anything else (tiles, compression, other sample types, BigTIFF, a
/// directory it cannot parse) returns nil, and the caller falls back to libtiff, which then also
/// produces the typed errors.
enum TIFFFastBand {
    /// Reads the band `choose(info)`; nil when the file is not in the fast layout.
    static func read(_ path: String, rows choose: (TIFFInfo) -> Range<Int>) -> TIFFImage? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Header + (usually) the whole first directory in one read.
        var head = [UInt8](repeating: 0, count: 4096)
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4096, 0) }
        guard got >= 8 else { return nil }
        let little: Bool
        switch (head[0], head[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ b: [UInt8], _ o: Int) -> Int { little ? Int(b[o]) | Int(b[o + 1]) << 8 : Int(b[o]) << 8 | Int(b[o + 1]) }
        func u32(_ b: [UInt8], _ o: Int) -> Int {
            little
                ? Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24
                : Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
        }
        guard u16(head, 2) == 42 else { return nil }  // classic TIFF only
        let ifd = u32(head, 4)
        var dir = head
        var dirBase = ifd
        if ifd + 2 > got || ifd + 2 + u16(head, ifd) * 12 > got {
            // The directory lies elsewhere (libtiff writes it after the pixels).
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4096, off_t(ifd)) }
            guard n >= 2, 2 + u16(buf, 0) * 12 <= n else { return nil }
            dir = buf; dirBase = 0
        }
        let entries = u16(dir, dirBase)
        guard dirBase + 2 + entries * 12 <= dir.count else { return nil }
        var width = 0, height = 0, bps = 1, compression = 1, spp = 1, format = 1, rps = Int.max
        var offsets: (count: Int, type: Int, at: Int)? = nil, counts: (count: Int, type: Int, at: Int)? = nil
        for e in 0..<entries {
            let o = dirBase + 2 + e * 12
            let tag = u16(dir, o), type = u16(dir, o + 2), count = u32(dir, o + 4)
            let value = type == 3 ? u16(dir, o + 8) : u32(dir, o + 8)
            switch tag {
            case 256: width = value
            case 257: height = value
            case 258: bps = value
            case 259: compression = value
            case 277: spp = value
            case 278: rps = value
            case 339: format = value
            case 273: offsets = (count, type, o + 8)
            case 279: counts = (count, type, o + 8)
            case 322, 323, 324, 325: return nil  // tiles
            default: break
            }
        }
        guard width > 0, height > 0, bps == 16, spp == 1, format == 1, compression == 1,
            let offsets, let counts, offsets.count == counts.count, offsets.type == 3 || offsets.type == 4
        else { return nil }
        // Implausible sizes, and files of several pages, go to libtiff's path, which names them.
        guard width <= TIFFLimits.maxSide, height <= TIFFLimits.maxSide,
            let fileSize = TIFFLimits.fileSize(fd), width * height * 2 <= fileSize
        else { return nil }
        let next = dirBase + 2 + entries * 12
        guard next + 4 <= dir.count, u32(dir, next) == 0 else { return nil }
        rps = min(max(rps, 1), height)
        let stripCount = (height + rps - 1) / rps
        guard offsets.count == stripCount else { return nil }
        let info = TIFFInfo(
            width: width, height: height, bitsPerSample: 16, sampleFormat: 1, compression: 1,
            isTiled: false, rowsPerBlock: rps, bigEndian: !little)
        let rows = choose(info)
        guard rows.lowerBound >= 0, rows.upperBound <= height, !rows.isEmpty else { return nil }
        // The strip offsets: inline when one strip, else an array at the entry's value offset.
        let size = offsets.type == 3 ? 2 : 4
        let first = rows.lowerBound / rps, last = (rows.upperBound - 1) / rps
        var table = [Int](repeating: 0, count: last - first + 1)
        if stripCount == 1 {
            table[0] = offsets.type == 3 ? u16(dir, offsets.at) : u32(dir, offsets.at)
        } else {
            let at = u32(dir, offsets.at) + first * size
            var raw = [UInt8](repeating: 0, count: table.count * size)
            let n = raw.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
            guard n == raw.count else { return nil }
            for i in table.indices { table[i] = size == 2 ? u16(raw, i * size) : u32(raw, i * size) }
        }
        // Pixel bytes of the band: one read when the strips are contiguous (the usual case).
        let rowBytes = width * 2
        var pixels = [UInt16](repeating: 0, count: rows.count * width)
        let ok: Bool = pixels.withUnsafeMutableBytes { out in
            let contiguous = table.indices.dropFirst().allSatisfy { table[$0] == table[$0 - 1] + rps * rowBytes }
            if contiguous {
                let start = table[0] + (rows.lowerBound - first * rps) * rowBytes
                return pread(fd, out.baseAddress, out.count, off_t(start)) == out.count
            }
            for (k, s) in (first...last).enumerated() {
                let lo = max(rows.lowerBound, s * rps), hi = min(rows.upperBound, (s + 1) * rps)
                let n = (hi - lo) * rowBytes
                let src = table[k] + (lo - s * rps) * rowBytes
                if pread(fd, out.baseAddress! + (lo - rows.lowerBound) * rowBytes, n, off_t(src)) != n { return false }
            }
            return true
        }
        guard ok else { return nil }
        if !little { for i in pixels.indices { pixels[i] = pixels[i].byteSwapped } }
        return TIFFImage(width: width, height: rows.count, uint16: pixels, firstRow: rows.lowerBound)
    }
}
