import Foundation
import XCTest

@testable import Report

/// The report's prose paragraphs (`Resources/prose/`): every key the code asks for exists,
/// every paragraph is used, and filling placeholders is exact.
final class ProseTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/Report")

    func testEveryKeyInTheCodeHasAParagraphAndEveryParagraphIsUsed() throws {
        var used = Set<String>()
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)!
        let pattern = try NSRegularExpression(pattern: #"Prose\.text\(\s*"([A-Za-z0-9+]+\.[0-9]+)""#)
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                used.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        XCTAssertFalse(used.isEmpty)
        XCTAssertEqual(used, Set(Prose.paragraphs.keys))
    }

    func testParagraphsJoinTheirLinesWithSingleSpaces() {
        let text = "# comment\n# more\n\n[A.1]\nfirst line\nsecond {{1}} line\n\n[A.2]\none\n"
        let parsed = Prose.parse(text)
        XCTAssertEqual(parsed.map(\.key), ["A.1", "A.2"])
        XCTAssertEqual(parsed.map(\.text), ["first line second {{1}} line", "one"])
    }

    func testPlaceholdersAreFilledInOrderAndValuesAreNotRescanned() {
        XCTAssertEqual(Prose.fill("a {{2}} b {{1}} c {{2}}", ["x", "{{1}}"], key: "t"), "a {{1}} b x c {{1}}")
        XCTAssertEqual(Prose.fill("plain", [], key: "t"), "plain")
    }
}
