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

/// Package.swift lists, for each library and the executable, exactly the modules its sources
/// import (besides the system's).
final class PackageDependencyTests: XCTestCase {
    static let system: Set<String> = ["Foundation", "Dispatch", "Glibc", "Darwin", "Synchronization"]

    func testEveryTargetListsExactlyTheModulesItImports() throws {
        let checkout = ArchitectureDocumentTests.checkout
        let manifest = try String(contentsOf: checkout.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = [
            "AtomicFiles": "AtomicFiles", "NeuralNet": "NeuralNet", "Analysis": "Analysis", "Plots": "Plots",
            "Report": "Report", "paper-repro": "paper-repro"
        ]
        let importPattern = try NSRegularExpression(pattern: #"(?m)^(?:@testable )?import ([A-Za-z]+)"#)
        let namePattern = try NSRegularExpression(pattern: #""([A-Za-z-]+)""#)
        for (target, folder) in targets.sorted(by: { $0.key < $1.key }) {
            // The target's declaration up to its closing parenthesis at the end of a line.
            guard
                let start = manifest.range(of: ".target(name: \"\(target)\"") ?? manifest.range(of: ".executableTarget(name: \"\(target)\"")
            else { XCTFail("no target \(target)"); continue }
            let rest = manifest[start.upperBound...]
            // Up to the next target's declaration.
            let end =
                ["\n        .target(", "\n        .executableTarget(", "\n        .testTarget(", "\n        // MARK"]
                .compactMap { rest.range(of: $0)?.lowerBound }.min() ?? rest.endIndex
            let declaration = String(rest[..<end])
            var listed = Set<String>()
            if let deps = declaration.range(of: "dependencies: [") {
                let list = declaration[deps.upperBound...]
                let text = String(list[..<(list.range(of: "]")?.lowerBound ?? list.endIndex)])
                for m in namePattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let name = String(text[Range(m.range(at: 1), in: text)!])
                    if !name.hasPrefix("swift-") { listed.insert(name) }
                }
            }
            var imported = Set<String>()
            let files = FileManager.default.enumerator(
                at: checkout.appendingPathComponent("Sources/\(folder)"),
                includingPropertiesForKeys: nil)!
            for case let file as URL in files where file.pathExtension == "swift" {
                let text = try String(contentsOf: file, encoding: .utf8)
                for m in importPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    imported.insert(String(text[Range(m.range(at: 1), in: text)!]))
                }
            }
            XCTAssertEqual(
                listed, imported.subtracting(Self.system),
                "\(target): Package.swift lists \(listed.sorted()), the sources import \(imported.subtracting(Self.system).sorted())")
        }
    }
}
