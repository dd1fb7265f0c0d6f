import Foundation
import XCTest

@testable import Analysis

/// The bad-input catalogue: every kind of broken or inconsistent input this program has met or
/// can be handed, each with the message it must give and proof that the rest is still processed.
/// TIFF headers are built byte by byte so that each case breaks exactly one thing.
final class BadInputCatalogueTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("bad-input") }
    override func tearDown() { dir.remove() }

    // MARK: - A hand-made classic TIFF

    /// One page's tags; values are overridable so that a case can break one.
    struct Page {
        var width: UInt32 = 8, height: UInt32 = 8, bits: UInt16 = 16, format: UInt16 = 1, samples: UInt16 = 1
        var compression: UInt16 = 1
        var stripOffset: UInt32? = nil  // nil: where the pixels are
        var stripBytes: UInt32? = nil  // nil: the pixels' size
        var rowsPerStrip: UInt32? = nil
        var tileWidth: UInt32? = nil  // set: tiled with tiles of tileWidth × tileLength
        var tileLength: UInt32 = 8
        var pixelBytes: Int? = nil  // nil: width × height × bits / 8
        var entryCount: UInt16? = nil  // a lying entry count
    }

    /// Little-endian classic TIFF with `pages` chained directories (pixels first, then each IFD).
    func tiff(_ pages: [Page]) -> [UInt8] {
        var out: [UInt8] = [0x49, 0x49, 42, 0, 0, 0, 0, 0]
        func put16(_ v: UInt16, at o: Int) { out[o] = UInt8(v & 0xff); out[o + 1] = UInt8(v >> 8) }
        func put32(_ v: UInt32, at o: Int) { for k in 0..<4 { out[o + k] = UInt8((v >> (8 * k)) & 0xff) } }
        var linkAt = 4
        for p in pages {
            let dataAt = out.count
            let n = p.pixelBytes ?? Int(p.width) * Int(p.height) * Int(p.bits) / 8 * Int(p.samples)
            out += (0..<max(n, 0)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            if out.count % 2 == 1 { out.append(0) }
            let ifd = out.count
            put32(UInt32(ifd), at: linkAt)
            var entries: [(UInt16, UInt16, UInt32)] = [
                (256, 4, p.width), (257, 4, p.height), (258, 3, UInt32(p.bits)), (259, 3, UInt32(p.compression)), (262, 3, 1),
                (277, 3, UInt32(p.samples)), (284, 3, 1), (339, 3, UInt32(p.format))
            ]
            if let tw = p.tileWidth {
                entries += [
                    (322, 4, tw), (323, 4, p.tileLength), (324, 4, p.stripOffset ?? UInt32(dataAt)),
                    (325, 4, p.stripBytes ?? UInt32(n))
                ]
            } else {
                entries += [
                    (273, 4, p.stripOffset ?? UInt32(dataAt)), (278, 4, p.rowsPerStrip ?? max(p.height, 1)),
                    (279, 4, p.stripBytes ?? UInt32(n))
                ]
            }
            entries.sort { $0.0 < $1.0 }
            out += [0, 0]
            put16(p.entryCount ?? UInt16(entries.count), at: ifd)
            for (tag, type, value) in entries {
                let o = out.count
                out += [UInt8](repeating: 0, count: 12)
                put16(tag, at: o); put16(type, at: o + 2); put32(1, at: o + 4)
                if type == 3 { put16(UInt16(truncatingIfNeeded: value), at: o + 8) } else { put32(value, at: o + 8) }
            }
            linkAt = out.count
            out += [0, 0, 0, 0]
        }
        return out
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = dir.path(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads `path` fully and as a band; both must throw a `TIFFError` that names the file and
    /// says `expected`.
    func assertRejected(_ path: String, _ expected: String, line: UInt = #line) {
        for read in [{ try TIFFReader.read(path) }, { try TIFFReader.readRows(path, rows: 0..<1) }] {
            XCTAssertThrowsError(try read(), line: line) { error in
                guard let e = error as? TIFFError else { return XCTFail("not a TIFFError: \(error)", line: line) }
                let text = "\(e)"
                XCTAssertTrue(text.hasPrefix(path), "the message names the file: \(text)", line: line)
                XCTAssertTrue(text.contains(expected), "'\(expected)' not in: \(text)", line: line)
            }
        }
    }

    // MARK: - TIFF headers that lie (each once crashed or would allocate what the file cannot hold)

    func testHeadersThatClaimImpossibleSizesAreRejectedBeforeAllocating() throws {
        XCTAssertNoThrow(try TIFFReader.read(try file("good.tif", tiff([Page()]))))
        let cases: [(String, Page, String)] = [
            ("wide.tif", Page(width: 2_147_483_000, pixelBytes: 128), "pixels (at most 16384 on a side)"),
            ("tall.tif", Page(height: 1_000_000, pixelBytes: 128), "pixels (at most 16384 on a side)"),
            ("both.tif", Page(width: 16_384, height: 16_384, pixelBytes: 128), "more than the file's"),
            ("float-huge.tif", Page(width: 9_000, height: 9_000, bits: 32, format: 3, pixelBytes: 256), "more than the file's"),
            // libtiff refuses a zero tile itself; the others are refused before allocating.
            ("zero-tile.tif", Page(tileWidth: 0), "zero number of tiles"),
            ("huge-tile.tif", Page(tileWidth: 1 << 20, tileLength: 1 << 20), "tiles of 1048576 × 1048576 pixels"),
            ("overhanging-tile.tif", Page(tileWidth: 4096, tileLength: 4096), "tiles of 4096 × 4096 pixels")
        ]
        for (name, page, expected) in cases {
            assertRejected(try file(name, tiff([page])), expected)
        }
    }

    func testStripsOutsideTheFileAreTruncationErrors() throws {
        let cases: [(String, Page)] = [
            ("offset-past-end.tif", Page(stripOffset: 1 << 30)),
            ("offset-near-end.tif", Page(stripOffset: 1 << 20))
        ]
        for (name, page) in cases {
            let path = try file(name, tiff([page]))
            XCTAssertThrowsError(try TIFFReader.read(path), name) { error in
                XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
                XCTAssertNotNil(error as? TIFFError, "\(error)")
            }
        }
    }

    /// A byte count past the end: the pixels are all there, so a reader may decode them, or
    /// refuse; it must not trust the count for an allocation.
    func testAStripByteCountPastTheEndIsNotTrusted() throws {
        let path = try file("count-past-end.tif", tiff([Page(stripBytes: 1 << 30)]))
        do {
            let image = try TIFFReader.read(path)
            XCTAssertEqual(image.pixels.count, 64)
        } catch let e as TIFFError {
            XCTAssertTrue("\(e)".hasPrefix(path), "\(e)")
        }
    }

    func testDirectoriesThatLieAreErrors() throws {
        var bytes = tiff([Page()])
        let ifdPastEnd = try file(
            "ifd-past-end.tif",
            {
                var b = bytes; b[4] = 0xff; b[5] = 0xff; b[6] = 0xff; b[7] = 0x7f; return b
            }())
        XCTAssertThrowsError(try TIFFReader.read(ifdPastEnd)) { XCTAssertTrue("\($0)".hasPrefix(ifdPastEnd), "\($0)") }
        let manyEntries = try file("entries.tif", tiff([Page(entryCount: 65_535)]))
        XCTAssertThrowsError(try TIFFReader.read(manyEntries)) { XCTAssertTrue("\($0)".hasPrefix(manyEntries), "\($0)") }
        bytes[2] = 43  // BigTIFF's version, classic header after it
        let fakeBig = try file("fake-bigtiff.tif", bytes)
        XCTAssertThrowsError(try TIFFReader.read(fakeBig)) { XCTAssertTrue("\($0)".hasPrefix(fakeBig), "\($0)") }
    }

    func testUnsupportedSampleTypesNameTheType() throws {
        assertRejected(try file("u12.tif", tiff([Page(bits: 12)])), "12-bit")
        assertRejected(try file("f16.tif", tiff([Page(bits: 16, format: 3)])), "16-bit float")
        assertRejected(try file("rgb.tif", tiff([Page(bits: 8, samples: 3)])), "3 samples per pixel")
    }

    func testPagesAreCounted() throws {
        XCTAssertEqual(try TIFFReader.info(try file("one.tif", tiff([Page()]))).pages, 1)
        let two = try file("two.tif", tiff([Page(), Page()]))
        XCTAssertEqual(try TIFFReader.info(two).pages, 2)
        // The band reader sees the pages too (the fast path hands such files to libtiff).
        var pages = 0
        _ = try TIFFReader.readRows(two) { info in
            pages = info.pages; return 0..<1
        }
        XCTAssertEqual(pages, 2)
    }

    // MARK: - Series that cannot be used as series: left out, listed, the rest read

    /// A raw tree: a good COVID patient and a normal patient, plus `extra` files.
    func tree(_ extra: [(String, [UInt8])]) throws -> String {
        for i in 1...3 {
            _ = try file("data/137covid/patient1/SR_2/IM0000\(i).tif", tiff([Page()]))
            _ = try file("data/normal1/patient200/SR_2/IM0000\(i).tif", tiff([Page()]))
            _ = try file("data/normal1/patient200/SR_3/IM0000\(i).tif", tiff([Page()]))
        }
        for (name, bytes) in extra { _ = try file("data/" + name, bytes) }
        return dir.path("data")
    }

    func testInconsistentSeriesAreLeftOutAndTheRestIsRead() throws {
        let cases: [(String, [UInt8], String)] = [
            ("mixed size", tiff([Page(width: 16, height: 16)]), "slices of different sizes (8x8 in IM00001.tif and 16x16 in IM00004.tif)"),
            ("signed slice", tiff([Page(format: 2)]), "16-bit unsigned in IM00001.tif and 16-bit signed in IM00004.tif"),
            ("8-bit slice", tiff([Page(bits: 8)]), "16-bit unsigned in IM00001.tif and 8-bit unsigned in IM00004.tif"),
            ("two pages", tiff([Page(), Page()]), "2 images in one file")
        ]
        for (what, bytes, reason) in cases {
            try? FileManager.default.removeItem(atPath: dir.path("data"))
            let root = try tree([("normal1/patient200/SR_3/IM00004.tif", bytes)])
            let data = try DatasetReader.read(root: root)
            XCTAssertEqual(data.patients.map(\.id), ["patient1", "patient200"], what)
            XCTAssertEqual(data.patients[1].series.map(\.name), ["SR_2"], "\(what): SR_3 is left out")
            XCTAssertEqual(data.counts.normalImages, 3, what)
            XCTAssertEqual(data.excludedSeries?.count, 1, what)
            XCTAssertTrue(data.excludedSeries?.first?.path.hasSuffix("patient200/SR_3") == true, "\(what): \(data.excludedSeries ?? [])")
            XCTAssertTrue(data.excludedSeries?.first?.reason.contains(reason) == true, "\(what): \(data.excludedSeries ?? [])")
            let summary = DatasetSummary(data)
            XCTAssertTrue(summary.text.contains("series left out (1)") && summary.text.contains(reason), summary.text)
            // --strict: the same problem stops the read, naming the series.
            XCTAssertThrowsError(try DatasetReader.read(root: root, options: .init(strict: true)), what) { error in
                XCTAssertTrue("\(error)".contains("patient200/SR_3"), "\(error)")
            }
        }
    }

    func testUnreadableSlicesAreSkippedAndListed() throws {
        let root = try tree([
            ("normal1/patient200/SR_3/IM00004.tif", tiff([Page(width: 2_147_483_000, pixelBytes: 128)])),
            ("normal1/patient200/SR_3/IM00005.tif", Array("not a tiff".utf8)),
            ("normal1/patient200/SR_3/IM00006.tif", [])
        ])
        let data = try DatasetReader.read(root: root)
        XCTAssertEqual(data.counts.normalImages, 6, "the three readable slices of each series")
        let skipped = data.skippedFiles ?? []
        XCTAssertEqual(skipped.map { ($0.path as NSString).lastPathComponent }, ["IM00004.tif", "IM00005.tif", "IM00006.tif"])
        XCTAssertTrue(skipped[0].reason.contains("at most 16384"), skipped[0].reason)
        XCTAssertTrue(skipped[1].reason.contains("not a TIFF"), skipped[1].reason)
        XCTAssertTrue(skipped[2].reason.contains("empty"), skipped[2].reason)
        XCTAssertThrowsError(try DatasetReader.read(root: root, options: .init(strict: true))) { error in
            XCTAssertTrue("\(error)".contains("IM00004.tif"), "\(error)")
        }
    }

    func testSelectionLeavesOutAMisreadSeriesAndRunsTheRest() throws {
        let root = try tree([("normal1/patient200/SR_3/IM00004.tif", tiff([Page(format: 2)]))])
        let data = try DatasetReader.read(root: root, options: .init(checkSlices: false))
        let result = SliceSelector.select(dataset: data)
        XCTAssertEqual(result.series.count, 2, "patient1/SR_2 and patient200/SR_2 are selected")
        XCTAssertEqual(result.failures.map { "\($0.patientID)/\($0.series)" }, ["patient200/SR_3"])
        XCTAssertTrue(
            result.failures[0].reason.contains("16-bit signed samples, the series' first slice 16-bit unsigned"),
            result.failures[0].reason)
    }

    // MARK: - Metadata that parses but says something wrong: warnings, the rest read

    func testImplausibleMetadataIsWarnedAbout() throws {
        let root = try tree([])
        let csv = """
            Patient ID,SEX,AGE,Date,COVID-19 Infection,SR_2 Folder thickness(mm),SR_3 Folder thickness(mm),SR_4 Folder thickness(mm)
            patient1,X,abc,20201345,Positive,6,1.5,N/A
            patient200,F,041Y,20200230,Positive,6,1.5,N/A

            """
        try csv.write(toFile: dir.path("data/Patient_details.csv"), atomically: true, encoding: .utf8)
        let data = try DatasetReader.read(root: root)
        XCTAssertEqual(data.patients.count, 2, "the data are read")
        func note(_ text: String) -> String? { data.notes.first { $0.contains(text) } }
        XCTAssertTrue(note("SEX is neither M nor F")?.contains("patient1 'X'") == true, "\(data.notes)")
        XCTAssertTrue(note("without a readable AGE")?.contains("patient1") == true, "\(data.notes)")
        let dates = note("Date is not a YYYYMMDD day") ?? ""
        XCTAssertTrue(dates.contains("patient1 '20201345'") && dates.contains("patient200 '20200230'"), dates)
        XCTAssertTrue(note("disagree on the class")?.contains("patient200 (folder normal1: normal; CSV: covid)") == true, "\(data.notes)")
        XCTAssertEqual(data.patients.first { $0.id == "patient200" }?.label, .normal, "the folder's class is used")
        XCTAssertTrue(PatientDetails.isDay("20200229"))
        XCTAssertFalse(PatientDetails.isDay("20190229"))
    }

    // MARK: - Mutations: no file crashes the readers

    /// A few thousand mutations of valid files from fixed seeds — bit flips in the header and
    /// directory, truncations, smashed 32-bit values — read fully and as a band: every read
    /// returns an image of the size it claims or throws a `TIFFError` naming the file.
    func testMutatedFilesNeverCrashTheReaders() throws {
        var seeds: [[UInt8]] = [
            tiff([Page()]), tiff([Page(width: 32, height: 24, rowsPerStrip: 5)]), tiff([Page(bits: 8)]),
            tiff([Page(bits: 32, format: 3)]), tiff([Page(tileWidth: 16, tileLength: 16)]), tiff([Page(), Page()])
        ]
        let fixtureFolder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/tiff", withExtension: nil))
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtureFolder.path).filter({ $0.hasSuffix(".tif") }).sorted() {
            seeds.append([UInt8](try Data(contentsOf: fixtureFolder.appendingPathComponent(name))))
        }
        let written = dir.path("written.tif")
        try TIFFWriter.write(TIFFImage(width: 40, height: 30, uint16: (0..<1200).map { UInt16($0) }), to: written, compression: .deflate)
        seeds.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: written))))

        var rng = SplitMix64(seed: 20_201_129)
        var decoded = 0, rejected = 0
        let path = dir.path("mutant.tif")
        for i in 0..<3_000 {
            var bytes = seeds[i % seeds.count]
            switch rng.next() % 4 {
            case 0:  // flip bits anywhere in the first 512 bytes
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let o = Int(rng.next() % UInt64(min(bytes.count, 512))); bytes[o] ^= UInt8(1 << (rng.next() % 8))
                }
            case 1:  // truncate
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            case 2:  // smash a 32-bit value with an extreme one
                if bytes.count >= 4 {
                    let o = Int(rng.next() % UInt64(bytes.count - 3))
                    let v: [UInt32] = [0, 1, 0xFFFF, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, UInt32(bytes.count)]
                    let x = v[Int(rng.next() % UInt64(v.count))]
                    for k in 0..<4 { bytes[o + k] = UInt8((x >> (8 * k)) & 0xff) }
                }
            default:  // random bytes over a stretch
                let o = Int(rng.next() % UInt64(bytes.count)), n = min(1 + Int(rng.next() % 16), bytes.count - o)
                for k in 0..<n { bytes[o + k] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for band in [false, true] {
                do {
                    let image = band ? try TIFFReader.readRows(path) { info in 0..<min(info.height, 3) } : try TIFFReader.read(path)
                    XCTAssertEqual(image.pixels.count, image.width * image.height)
                    decoded += 1
                } catch let e as TIFFError {
                    XCTAssertTrue("\(e)".hasPrefix(path), "\(e)")
                    rejected += 1
                } catch {
                    XCTFail("mutation \(i): not a TIFFError: \(error)")
                }
            }
        }
        XCTAssertEqual(decoded + rejected, 6_000)
        XCTAssertGreaterThan(rejected, 1_000, "the mutations break most files")
        XCTAssertGreaterThan(decoded, 100, "and leave some readable")
    }
}
