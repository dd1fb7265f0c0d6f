import Foundation
import XCTest

@testable import Plots

final class OutputTests: XCTestCase {
    func testGray16RoundTripIsLossless() throws {
        let w = 37, h = 11
        let pixels = (0..<(w * h)).map { UInt16(truncatingIfNeeded: $0 &* 2654435761 >> 7) } + []
        var px = pixels; px[0] = 0; px[1] = 65535; px[2] = 424
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/slice.png"
        try RasterPNG.writeGray16(px, width: w, height: h, to: path)
        let back = try RasterPNG.readGray16(path)
        XCTAssertEqual(back.width, w); XCTAssertEqual(back.height, h)
        XCTAssertEqual(back.pixels, px)
        // A 16-bit greyscale file: IHDR bit depth 16, colour type 0.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(bytes[24], 16); XCTAssertEqual(bytes[25], 0)
    }

    func testRGB8RoundTrip() throws {
        let img = RGBImage(width: 5, height: 3, pixels: (0..<45).map { UInt8($0 * 5) })
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/rgb.png"
        try RasterPNG.writeRGB8(img, to: path)
        XCTAssertEqual(try RasterPNG.readRGB8(path), img)
        XCTAssertThrowsError(try RasterPNG.readRGB8(path + ".missing"))
    }

    func testPNGRecordsDPI() throws {
        let fig = Figure(width: 1, height: 1, dpi: 254)
        let bytes = try fig.pngData()
        let i = try XCTUnwrap(bytes.indices.dropLast(12).first { bytes[$0..<($0 + 4)].elementsEqual("pHYs".utf8) })
        let ppm = bytes[(i + 4)..<(i + 8)].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(ppm, 10000)
    }

    /// Identical figures give identical SVG even after other surfaces were created.
    func testSVGIsDeterministic() throws {
        func make() -> Figure {
            let f = Figure(width: 2, height: 2)
            f.addAxes().image(GrayImage(width: 4, height: 4, pixels: (0..<16).map(Float.init)))
            return f
        }
        let a = try make().svgString()
        _ = try make().renderRGB(); _ = try Gallery.figures()[0].figure.svgString()
        let b = try make().svgString()
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.contains("<svg"))
    }

    func testGalleryWritesEveryKind() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = try Gallery.write(to: dir)
        XCTAssertEqual(paths.count, 2 * Gallery.figures().count)
        for p in paths where p.hasSuffix(".png") {
            let img = try RasterPNG.readRGB8(p)
            XCTAssertGreaterThan(img.width, 100, p)
            XCTAssertTrue(img.pixels.contains { $0 < 128 }, "\(p) has dark pixels")
        }
        for p in paths where p.hasSuffix(".svg") {
            XCTAssertTrue(try String(contentsOfFile: p, encoding: .utf8).hasPrefix("<?xml"), p)
        }
    }
}
