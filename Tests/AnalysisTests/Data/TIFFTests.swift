import Foundation
import XCTest

@testable import Analysis

final class TIFFTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("tiff") }
    override func tearDown() { dir.remove() }

    /// The fixtures' pattern (see Fixtures/tiff/make_fixtures.py).
    func pattern(_ y: Int, _ x: Int) -> Int { (y * 37 + x * 11) % 251 }
    let fh = 13, fw = 11

    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures/tiff/\(name)", withExtension: "tif")!.path
    }

    func ramp(_ w: Int, _ h: Int) -> [UInt16] {
        (0..<(w * h)).map { UInt16(($0 * 7919) % 4096) }
    }

    // MARK: - Round trips of our own writer

    func testRoundTripUInt16EveryCompressionStripsAndTiles() throws {
        let w = 37, h = 29
        let px = ramp(w, h)
        for compression in TIFFCompression.allCases {
            for layout in [
                TIFFWriter.Options(compression: compression, rowsPerStrip: 5),
                TIFFWriter.Options(compression: compression, rowsPerStrip: 1000, bigEndian: true),
                TIFFWriter.Options(compression: compression, tileSize: 16),
                TIFFWriter.Options(compression: compression, tileSize: 32, bigEndian: true)
            ] {
                let path = dir.path("rt.tif")
                try TIFFWriter.write(TIFFImage(width: w, height: h, uint16: px), to: path, options: layout)
                let back = try TIFFReader.read(path)
                XCTAssertEqual(back.width, w); XCTAssertEqual(back.height, h)
                assertSameElements(back.uint16, px, "\(compression) \(layout)")
                let info = try TIFFReader.info(path)
                XCTAssertEqual(info.isTiled, layout.tileSize != nil)
                XCTAssertEqual(info.bigEndian, layout.bigEndian)
                XCTAssertEqual(info.compression, Int(compression.tagValue))
            }
        }
    }

    func testRoundTripFloat32() throws {
        let w = 9, h = 7
        let px: [Float] = (0..<(w * h)).map { Float($0) * -0.37 + 1e-3 }
        for compression in [TIFFCompression.none, .deflate] {
            let path = dir.path("f.tif")
            try TIFFWriter.write(TIFFImage(width: w, height: h, float32: px), to: path, compression: compression)
            let back = try TIFFReader.read(path)
            guard case .float32(let got) = back.pixels else { return XCTFail("expected floats") }
            XCTAssertEqual(got, px)
        }
    }

    func testRoundTripUInt8AndInt16ThroughRawWriter() throws {
        let w = 6, h = 5
        let u8: [UInt8] = (0..<(w * h)).map { UInt8($0 * 8) }
        let path = dir.path("u8.tif")
        try u8.withUnsafeBytes { try TIFFWriter.writeRaw($0, width: w, height: h, encoding: .uint8, to: path) }
        XCTAssertEqual(try TIFFReader.read(path).uint16, u8.map(UInt16.init))
        let i16: [Int16] = (0..<(w * h)).map { Int16($0 * 100 - 1500) }
        try i16.withUnsafeBytes {
            try TIFFWriter.writeRaw(
                $0, width: w, height: h, encoding: .int16, to: path,
                options: .init(compression: .lzw, bigEndian: true))
        }
        XCTAssertEqual(try TIFFReader.read(path).float32, i16.map(Float.init))
    }

    // MARK: - Band reads

    func testBandReadEqualsFullRead() throws {
        let w = 64, h = 64
        let px = ramp(w, h)
        for options in [
            TIFFWriter.Options(rowsPerStrip: 7), TIFFWriter.Options(rowsPerStrip: 64),
            TIFFWriter.Options(compression: .deflate, rowsPerStrip: 3), TIFFWriter.Options(tileSize: 16)
        ] {
            let path = dir.path("band.tif")
            try TIFFWriter.write(TIFFImage(width: w, height: h, uint16: px), to: path, options: options)
            let full = try TIFFReader.read(path).uint16!
            for rows in [30..<42, 0..<1, 63..<64, 0..<64, 16..<32] {
                let band = try TIFFReader.readRows(path, rows: rows)
                XCTAssertEqual(band.height, rows.count)
                XCTAssertEqual(band.firstRow, rows.lowerBound)
                assertSameElements(band.uint16, Array(full[(rows.lowerBound * w)..<(rows.upperBound * w)]), "\(options) \(rows)")
            }
        }
    }

    func testBandOutsideImageIsAnError() throws {
        let path = dir.path("small.tif")
        try TIFFWriter.write(TIFFImage(width: 4, height: 4, uint16: [UInt16](repeating: 1, count: 16)), to: path)
        XCTAssertThrowsError(try TIFFReader.readRows(path, rows: 2..<9)) { error in
            XCTAssertEqual(error as? TIFFError, .invalidRows(path: path, rows: 2..<9, height: 4))
        }
    }

    func testFastBandPathEqualsLibtiffAndFallsBackOutsideItsLayout() throws {
        let w = 50, h = 40
        let px = ramp(w, h)
        func libtiffBand(_ path: String, _ rows: Range<Int>) throws -> TIFFImage {
            try TIFFReader.withOpenFile(path) { tif, layout in try TIFFReader.decode(tif, layout: layout, rows: rows, path: path) }
        }
        for options in [
            TIFFWriter.Options(rowsPerStrip: 1), TIFFWriter.Options(rowsPerStrip: 7),
            TIFFWriter.Options(rowsPerStrip: 40, bigEndian: true), TIFFWriter.Options(rowsPerStrip: 3, bigEndian: true)
        ] {
            let path = dir.path("fast.tif")
            try TIFFWriter.write(TIFFImage(width: w, height: h, uint16: px), to: path, options: options)
            for rows in [0..<40, 13..<29, 39..<40, 0..<1] {
                let fast = try XCTUnwrap(TIFFFastBand.read(path) { _ in rows }, "\(options)")
                XCTAssertEqual(fast, try libtiffBand(path, rows), "\(options) \(rows)")
            }
        }
        // Written by tifffile (directory before the pixels).
        let fixturePath = fixture("u16_none_le")
        XCTAssertEqual(try XCTUnwrap(TIFFFastBand.read(fixturePath) { _ in 2..<9 }), try libtiffBand(fixturePath, 2..<9))
        // Outside the fast layout: nil, so the caller uses libtiff.
        for name in ["u16_lzw_be", "u16_tiled_le", "u8_none_le", "f32_deflate_le", "i16_none_be"] {
            XCTAssertNil(TIFFFastBand.read(fixture(name)) { _ in 0..<2 }, name)
        }
        XCTAssertNil(TIFFFastBand.read(dir.path("missing.tif")) { _ in 0..<1 })
    }

    // MARK: - Fixtures from another writer (tifffile)

    func testFixturesFromTifffile() throws {
        for name in ["u16_none_le", "u16_lzw_be", "u16_deflate_le", "u16_packbits_be", "u16_tiled_le"] {
            let image = try TIFFReader.read(fixture(name))
            XCTAssertEqual(image.width, fw); XCTAssertEqual(image.height, fh)
            let expected = (0..<fh).flatMap { y in (0..<fw).map { x in UInt16(pattern(y, x) * 16 + 1000) } }
            XCTAssertEqual(image.uint16, expected, name)
            let band = try TIFFReader.readRows(fixture(name), rows: 5..<9)
            XCTAssertEqual(band.uint16!, Array(expected[(5 * fw)..<(9 * fw)]), name)
        }
        let u8 = try TIFFReader.read(fixture("u8_none_le"))
        XCTAssertEqual(u8.uint16, (0..<fh).flatMap { y in (0..<fw).map { x in UInt16(pattern(y, x)) } })
        let i16 = try TIFFReader.read(fixture("i16_none_be"))
        XCTAssertEqual(i16.float32, (0..<fh).flatMap { y in (0..<fw).map { x in Float(pattern(y, x) * 16 - 1024) } })
        let f32 = try TIFFReader.read(fixture("f32_deflate_le"))
        XCTAssertEqual(f32.float32, (0..<fh).flatMap { y in (0..<fw).map { x in Float(pattern(y, x)) * 0.5 - 10.25 } })
        XCTAssertTrue(try TIFFReader.info(fixture("i16_none_be")).bigEndian)
    }

    // MARK: - Errors: each names the file and the reason

    func testUnsupportedLayoutsNameTheReason() {
        XCTAssertThrowsError(try TIFFReader.read(fixture("rgb_u8"))) { error in
            guard case .unsupportedLayout(let p, let reason)? = error as? TIFFError else { return XCTFail("\(error)") }
            XCTAssertTrue(p.hasSuffix("rgb_u8.tif")); XCTAssertTrue(reason.contains("3 samples"), reason)
        }
        XCTAssertThrowsError(try TIFFReader.read(fixture("f64_none"))) { error in
            guard case .unsupportedLayout(_, let reason)? = error as? TIFFError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("64-bit float"), reason)
        }
    }

    func testTwoSamplesAndOneBitAreUnsupported() throws {
        // Write such files with libtiff directly through the raw writer's building blocks is not
        // possible (it writes one sample); craft minimal headers instead.
        let twoSamples = dir.path("two.tif")
        try Data(minimalTIFF(width: 2, height: 2, bits: 8, samples: 2, format: 1)).write(to: URL(fileURLWithPath: twoSamples))
        XCTAssertThrowsError(try TIFFReader.read(twoSamples)) { error in
            guard case .unsupportedLayout(_, let reason)? = error as? TIFFError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("2 samples"), reason)
        }
        let oneBit = dir.path("bit.tif")
        try Data(minimalTIFF(width: 8, height: 2, bits: 1, samples: 1, format: 1)).write(to: URL(fileURLWithPath: oneBit))
        XCTAssertThrowsError(try TIFFReader.read(oneBit)) { error in
            guard case .unsupportedLayout(_, let reason)? = error as? TIFFError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("1-bit"), reason)
        }
    }

    func testZeroDimensions() throws {
        let path = dir.path("zero.tif")
        try Data(minimalTIFF(width: 0, height: 3, bits: 16, samples: 1, format: 1)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TIFFReader.read(path)) { error in
            // libtiff itself may refuse a zero-width directory; either way the error names the file.
            let e = error as? TIFFError
            XCTAssertTrue(e == .zeroDimensions(path: path) || e.map { "\($0)".hasPrefix(path) } == true, "\(error)")
        }
    }

    func testNotATIFFEmptyMissingAndTruncated() throws {
        let text = dir.path("notes.tif")
        try "hello, not an image".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TIFFReader.read(text)) { XCTAssertEqual($0 as? TIFFError, .notATIFF(path: text)) }

        let empty = dir.path("empty.tif")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        XCTAssertThrowsError(try TIFFReader.read(empty)) { XCTAssertEqual($0 as? TIFFError, .empty(path: empty)) }

        let missing = dir.path("missing.tif")
        XCTAssertThrowsError(try TIFFReader.read(missing)) { XCTAssertEqual($0 as? TIFFError, .fileNotFound(path: missing)) }

        // A valid file cut in half: header fine, strips missing.
        let whole = dir.path("whole.tif")
        try TIFFWriter.write(TIFFImage(width: 64, height: 64, uint16: ramp(64, 64)), to: whole)
        let data = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = dir.path("cut.tif")
        // Keep the header and directory (written at the end by libtiff) but zero the pixel data's tail.
        var bytes = [UInt8](data)
        let head = dir.path("head.tif")
        try Data(bytes.prefix(3)).write(to: URL(fileURLWithPath: head))
        XCTAssertThrowsError(try TIFFReader.read(head)) { error in
            guard case .truncated(let p, _)? = error as? TIFFError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, head)
        }
        bytes = Array(bytes.prefix(bytes.count / 2))
        try Data(bytes).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try TIFFReader.read(cut)) { error in
            guard case .truncated(let p, _)? = error as? TIFFError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, cut)
        }
    }

    func testWriteIsAtomicAndLeavesNoTemporaryFiles() throws {
        let path = dir.path("a.tif")
        try TIFFWriter.write(TIFFImage(width: 4, height: 4, uint16: [UInt16](repeating: 7, count: 16)), to: path)
        try TIFFWriter.write(TIFFImage(width: 4, height: 4, uint16: [UInt16](repeating: 9, count: 16)), to: path)
        XCTAssertEqual(try TIFFReader.read(path).uint16, [UInt16](repeating: 9, count: 16))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path), ["a.tif"])
        // A write under a plain file (no folder can be made there) fails with a typed error and
        // does not touch anything else.
        XCTAssertThrowsError(try TIFFWriter.write(TIFFImage(width: 1, height: 1, uint16: [1]), to: dir.path("a.tif/x.tif"))) {
            guard case .writeFailed? = $0 as? TIFFError else { return XCTFail("\($0)") }
        }
    }

    func testPathsWithSpacesAndNonASCII() throws {
        let path = dir.path("größe 1 ü.tif")
        try TIFFWriter.write(TIFFImage(width: 3, height: 2, uint16: [1, 2, 3, 4, 5, 6]), to: path)
        XCTAssertEqual(try TIFFReader.read(path).uint16, [1, 2, 3, 4, 5, 6])
    }

    /// A little-endian TIFF with one strip of zero bytes and the given header fields.
    func minimalTIFF(width: UInt32, height: UInt32, bits: UInt16, samples: UInt16, format: UInt16) -> [UInt8] {
        var out: [UInt8] = [0x49, 0x49, 42, 0]
        func u16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { out += (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }
        let dataBytes = max(1, Int(width) * Int(height) * Int(samples) * max(1, Int(bits)) / 8)
        let dataOffset: UInt32 = 8
        u32(dataOffset + UInt32(dataBytes))  // IFD offset
        out += [UInt8](repeating: 0, count: dataBytes)
        let entries: [(UInt16, UInt16, UInt32)] = [  // tag, type (3 short, 4 long), value
            (256, 4, width), (257, 4, height), (258, 3, UInt32(bits)), (259, 3, 1), (262, 3, 1),
            (273, 4, dataOffset), (277, 3, UInt32(samples)), (278, 4, max(height, 1)), (279, 4, UInt32(dataBytes)),
            (284, 3, 1), (339, 3, UInt32(format))
        ]
        u16(UInt16(entries.count))
        for (tag, type, value) in entries {
            u16(tag); u16(type); u32(1)
            if type == 3 { u16(UInt16(value)); u16(0) } else { u32(value) }
        }
        u32(0)
        return out
    }
}
