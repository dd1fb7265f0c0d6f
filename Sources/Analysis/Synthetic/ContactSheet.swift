import Foundation
import NeuralNet

/// A grayscale contact sheet of synthetic slices at a display window, written as an 8-bit PNG
/// (stored deflate blocks, no external library) for looking at the twin (issue 3 `--preview`).
public enum ContactSheet {
    /// Maps stored values (HU + 1024) to 8-bit gray at window `center`/`width` in HU
    /// (lung window: -600 / 1200, i.e. stored 424 +- 600).
    public static func window(_ pixels: [UInt16], centerHU: Double = -600, widthHU: Double = 1200) -> [UInt8] {
        let lo = centerHU + 1024 - widthHU / 2
        return pixels.map { v in UInt8(min(255, max(0, ((Double(v) - lo) / widthHU * 255).rounded()))) }
    }

    /// Tiles `tiles` (each `tileSize` x `tileSize`, 8-bit) `columns` per row with a `gap` px
    /// black border. Returns (width, height, gray).
    public static func tile(_ tiles: [[UInt8]], tileSize: Int, columns: Int, gap: Int = 4) -> (Int, Int, [UInt8]) {
        precondition(columns > 0 && tiles.allSatisfy { $0.count == tileSize * tileSize })
        let rows = max(1, (tiles.count + columns - 1) / columns)
        let w = columns * tileSize + (columns + 1) * gap, h = rows * tileSize + (rows + 1) * gap
        var out = [UInt8](repeating: 0, count: w * h)
        for (k, t) in tiles.enumerated() {
            let x0 = gap + (k % columns) * (tileSize + gap), y0 = gap + (k / columns) * (tileSize + gap)
            for r in 0..<tileSize { for c in 0..<tileSize { out[(y0 + r) * w + x0 + c] = t[r * tileSize + c] } }
        }
        return (w, h, out)
    }

    /// Draws a 1-px rectangle outline of value `value` (e.g. to mark selected slices or the region).
    public static func outline(_ gray: inout [UInt8], width: Int, x0: Int, y0: Int, x1: Int, y1: Int, value: UInt8) {
        for x in x0...x1 { gray[y0 * width + x] = value; gray[y1 * width + x] = value }
        for y in y0...y1 { gray[y * width + x0] = value; gray[y * width + x1] = value }
    }

    /// Encodes an 8-bit grayscale PNG (zlib stream of stored blocks) and writes it atomically.
    public static func writePNG(gray: [UInt8], width: Int, height: Int, to path: String) throws {
        precondition(gray.count == width * height)
        var raw = [UInt8](); raw.reserveCapacity((width + 1) * height)
        for r in 0..<height { raw.append(0); raw.append(contentsOf: gray[(r * width)..<((r + 1) * width)]) }
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, raw.count - i)
            z.append(i + n == raw.count ? 1 : 0)
            z += [UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
            z += raw[i..<(i + n)]
            i += n
        } while i < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for v in raw { a = (a + UInt32(v)) % 65521; b = (b + a) % 65521 }
        z += be32((b << 16) | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) {
            png += be32(UInt32(data.count))
            let td = Array(type.utf8) + data
            png += td
            png += be32(crc32(td))
        }
        chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 0, 0, 0, 0])
        chunk("IDAT", z)
        chunk("IEND", [])
        do { try Data(png).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw SynthError.io(path: path, reason: error.localizedDescription)
        }
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for v in data { c = crcTable[Int((c ^ UInt32(v)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

extension SyntheticTwin {
    /// Renders a contact sheet of one series: every `step`-th slice (at most `maxSlices`),
    /// lung window, tiles `tileSize` px (nearest-neighbour resampled), the selection region
    /// outlined. Returns (width, height, gray).
    public func previewSheet(
        patient: String, series: String, maxSlices: Int = 24, tileSize: Int = 128,
        columns: Int = 8
    ) throws -> (Int, Int, [UInt8]) {
        guard let p = plan().first(where: { $0.patientID == patient && $0.series == series }) else {
            throw SynthError.unknownSeries(patient: patient, series: series)
        }
        let step = max(1, (p.sliceCount + maxSlices - 1) / maxSlices)
        let numbers = stride(from: 0, to: p.sliceCount, by: step).map { p.imageNumbers[$0] }
        var tiles: [[UInt8]] = Array(repeating: [], count: numbers.count)
        let size = config.size
        try tiles.withUnsafeMutableBufferPointer { tb in
            let buf = tb
            var err: Error?
            let lock = NSLock()
            Parallel.run(workers: numbers.count) { k in
                do {
                    let (px, _) = try renderSlice(patient: patient, series: series, imageNumber: numbers[k])
                    var g = ContactSheet.window(px)
                    let (rows, cols) = region
                    ContactSheet.outline(
                        &g, width: size, x0: cols.lowerBound, y0: rows.lowerBound,
                        x1: cols.upperBound - 1, y1: rows.upperBound - 1, value: 255)
                    var t = [UInt8](repeating: 0, count: tileSize * tileSize)
                    for r in 0..<tileSize {
                        for c in 0..<tileSize { t[r * tileSize + c] = g[(r * size / tileSize) * size + c * size / tileSize] }
                    }
                    buf[k] = t
                } catch { lock.lock(); err = error; lock.unlock() }
            }
            if let err { throw err }
        }
        return ContactSheet.tile(tiles, tileSize: tileSize, columns: columns)
    }
}
