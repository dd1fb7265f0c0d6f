import Foundation
import XCTest

@testable import Plots

/// Compares `svg` with the golden file `Snapshots/<test name>.svg`. A missing golden file is
/// recorded (and the test fails so the recording is noticed); `PLOTS_RECORD_SNAPSHOTS=1`
/// re-records every golden file.
func assertSVGSnapshot(_ svg: String, testName: String = #function, file: StaticString = #filePath, line: UInt = #line) {
    let name = testName.replacingOccurrences(of: "()", with: "")
    let dir = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let golden = dir.appendingPathComponent("\(name).svg")
    let record = ProcessInfo.processInfo.environment["PLOTS_RECORD_SNAPSHOTS"] == "1"
    guard !record, let expected = try? String(contentsOf: golden, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? svg.write(to: golden, atomically: true, encoding: .utf8)
        XCTFail("recorded snapshot \(golden.path); run the test again", file: file, line: line)
        return
    }
    if svg != expected {
        let actualPath = NSTemporaryDirectory() + "\(name).actual.svg"
        try? svg.write(toFile: actualPath, atomically: true, encoding: .utf8)
        let a = svg.components(separatedBy: "\n"), e = expected.components(separatedBy: "\n")
        let first = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
        XCTFail(
            "SVG differs from \(golden.lastPathComponent) at line \(first + 1) (actual written to \(actualPath)):\n"
                + "expected: \(first < e.count ? e[first] : "<end>")\nactual:   \(first < a.count ? a[first] : "<end>")",
            file: file, line: line)
    }
}

/// The pixel of `image` under figure point `p` for a figure at `dpi`.
func pixel(_ image: RGBImage, at p: Point, dpi: Double) -> (UInt8, UInt8, UInt8) {
    let s = dpi / 72
    let x = min(max(Int(p.x * s), 0), image.width - 1), y = min(max(Int(p.y * s), 0), image.height - 1)
    return image[x, y]
}

/// Asserts two 8-bit colours agree within `tolerance` per channel.
func assertColor(
    _ actual: (UInt8, UInt8, UInt8), _ expected: (UInt8, UInt8, UInt8), tolerance: Int = 1,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    let d = max(abs(Int(actual.0) - Int(expected.0)), abs(Int(actual.1) - Int(expected.1)), abs(Int(actual.2) - Int(expected.2)))
    XCTAssertLessThanOrEqual(d, tolerance, "colour \(actual) != expected \(expected) \(message)", file: file, line: line)
}

/// A fresh temporary directory for one test.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "plots-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
