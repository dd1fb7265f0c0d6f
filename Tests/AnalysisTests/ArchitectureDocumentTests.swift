import Foundation
import XCTest

@testable import Analysis

/// ARCHITECTURE.md's stage graph is the code's: the Mermaid block between its markers equals
/// what `PipelineStages.mermaid` prints for the default preset on the twin.
final class ArchitectureDocumentTests: XCTestCase {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testTheStageGraphInArchitectureMdMatchesTheCode() throws {
        let preset = try Preset.load(name: "default", directory: Self.checkout.appendingPathComponent("configs"))
        let expected =
            "```mermaid\n" + (try PipelineStages.mermaid(preset: preset, dataSource: try DataSourceIdentity.of(preset))) + "```\n"
        let text = try String(contentsOf: Self.checkout.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        guard let begin = text.range(of: "<!-- stage-graph:begin -->\n"), let end = text.range(of: "<!-- stage-graph:end -->") else {
            return XCTFail("ARCHITECTURE.md has no stage-graph markers")
        }
        let block = String(text[begin.upperBound..<end.lowerBound])
        XCTAssertEqual(block, expected, "run `paper-repro stages --mermaid` and paste its output between the markers")
    }

    func testTheGraphHasEveryStageAndCollapsesFolds() throws {
        let preset = try Preset.load(name: "default", directory: Self.checkout.appendingPathComponent("configs"))
        let graph = try PipelineStages.mermaid(preset: preset, dataSource: try DataSourceIdentity.of(preset))
        for name in ["twin", "index", "selection", "folds", "train", "evaluate", "identify", "gradcam", "timing"] {
            XCTAssertTrue(graph.contains("[\"\(name)\"]"), name)
        }
        XCTAssertTrue(graph.contains("[\"train-fpn-fold1…5\"]"))
        XCTAssertFalse(graph.contains("fold2"))
        XCTAssertTrue(graph.contains("index --> selection"))
    }
}
