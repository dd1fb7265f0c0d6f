import Analysis
import XCTest

@testable import Report

/// Figs. 5 and 8 from the `index` and `selection` stages on a small phantom series.
final class SliceFigureTests: XCTestCase {
    /// A 96 × 96 phantom: a body ellipse (stored 1100, about +76 HU) on air (0), with two lung
    /// ellipses (stored 100) whose size grows towards the middle of the sequence; the first
    /// and last four slices have no lungs (closed).
    private func phantom(slice n: Int, of total: Int, size: Int = 96) -> [UInt16] {
        let open = n > 4 && n <= total - 4
        let t = open ? sin(Double.pi * Double(n - 4) / Double(total - 7)) : 0
        var pixels = [UInt16](repeating: 0, count: size * size)
        let c = Double(size) / 2
        for y in 0..<size {
            for x in 0..<size {
                let dx = (Double(x) - c) / (0.45 * Double(size)), dy = (Double(y) - c) / (0.35 * Double(size))
                guard dx * dx + dy * dy <= 1 else { continue }
                pixels[y * size + x] = 1100
                for side in [-1.0, 1.0] {
                    let lx = (Double(x) - c - side * 0.2 * Double(size)) / (0.14 * Double(size) * t + 1e-9)
                    let ly = (Double(y) - c) / (0.22 * Double(size) * t + 1e-9)
                    if t > 0, lx * lx + ly * ly <= 1 { pixels[y * size + x] = 100 }
                }
            }
        }
        return pixels
    }

    func testFigures5And8FromAPhantomSeries() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("COVID-CTset")
        let total = 24
        for (folder, count) in [("137covid/patient1/SR_3", total), ("normal1/patient2/SR_2", 12)] {
            for n in 1...count {
                let url = data.appendingPathComponent("\(folder)/IM\(String(format: "%05d", n)).tif")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try TIFFWriter.write(TIFFImage(width: 96, height: 96, uint16: phantom(slice: n, of: count)), to: url.path)
            }
        }
        if let keep = ProcessInfo.processInfo.environment["KEEP_DATASET"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: data, to: URL(fileURLWithPath: keep))
        }
        var preset = try Fixture.preset("smoke")
        preset.data.source = .real
        preset.data.realPath = data.path
        let builder = try Fixture.builder(dir, presetValue: preset)

        let (fig8, files8) = try builder.writeEntry(EntryID(.figure, 8))
        let built8 = try XCTUnwrap(fig8.built, fig8.pendingReason ?? "")
        XCTAssertEqual(files8.map(\.lastPathComponent), ["fig08.csv", "fig08.png", "fig08.svg"])
        let csv = try String(contentsOf: files8[0], encoding: .utf8).split(separator: "\n").dropFirst()
        let selected = csv.map { $0.hasSuffix(",1") }
        XCTAssertEqual(selected.count, total)
        XCTAssertFalse(selected[0] || selected[total - 1], "closed-lung ends must be discarded")
        XCTAssertTrue(selected[total / 2], "the open middle must be kept")
        XCTAssertEqual(built8.table?.rows.first?.prefix(3), ["patient1", "SR_3", "24"])
        try assertPNG(files8[1], minWidth: 600)

        let (fig5, files5) = try builder.writeEntry(EntryID(.figure, 5))
        let rows = try XCTUnwrap(fig5.built?.table?.rows)
        XCTAssertEqual(rows.map(\.[0]), ["Closed lung (discarded)", "Open lung (kept)"])
        XCTAssertLessThan(
            Int(rows[0][2].replacingOccurrences(of: ",", with: ""))!, Int(rows[1][2].replacingOccurrences(of: ",", with: ""))!)
        XCTAssertEqual(files5.map(\.lastPathComponent), ["fig05.png", "fig05.svg"])
        try assertPNG(files5[0], minWidth: 600)
        let (fig4, files4) = try builder.writeEntry(EntryID(.figure, 4))
        XCTAssertEqual(fig4.built?.images.count, 1)
        try assertPNG(files4[0], minWidth: 600)
        let (fig2, files2) = try builder.writeEntry(EntryID(.figure, 2))
        XCTAssertEqual(fig2.built?.images.first?.alt, "Sample CT slices of COVID-19 and normal patients")
        try assertPNG(files2[0], minWidth: 300)
        let (fig7, files7) = try builder.writeEntry(EntryID(.figure, 7))
        XCTAssertEqual(fig7.built?.table?.rows.map(\.[0]), ["patient1", "patient2"])
        try assertPNG(files7[0], minWidth: 600)
        if let keep = ProcessInfo.processInfo.environment["KEEP_FIGURES"] {
            for f in files2 + files4 + files5 + files7 + files8 {
                try? FileManager.default.copyItem(at: f, to: URL(fileURLWithPath: keep).appendingPathComponent(f.lastPathComponent))
            }
        }
    }

    /// Checks the PNG signature and that the width in the IHDR chunk is at least `minWidth`.
    private func assertPNG(_ url: URL, minWidth: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        XCTAssertEqual(Array(bytes.prefix(8)), [137, 80, 78, 71, 13, 10, 26, 10], file: file, line: line)
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertGreaterThanOrEqual(width, minWidth, file: file, line: line)
    }
}
