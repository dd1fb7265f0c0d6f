import Foundation
import XCTest

/// A fresh directory under the system temporary folder, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL
    init(_ name: String = "paper-repro-test") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ component: String) -> String { url.appendingPathComponent(component).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Compares two arrays and reports only the count and the first differing index, so a failure
/// does not print thousands of values.
func assertSameElements<T: Equatable>(
    _ got: [T]?, _ expected: [T], _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    guard let got else { return XCTFail("nil array \(message)", file: file, line: line) }
    if got.count != expected.count {
        return XCTFail("count \(got.count) != \(expected.count) \(message)", file: file, line: line)
    }
    if let i = got.indices.first(where: { got[$0] != expected[$0] }) {
        XCTFail("first difference at \(i): \(got[i]) != \(expected[i]) \(message)", file: file, line: line)
    }
}
