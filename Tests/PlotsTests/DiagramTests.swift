import XCTest

@testable import Plots

final class DiagramTests: XCTestCase {
    /// Nodes do not overlap, arrows end on their target's outline, and an edge between nodes
    /// with others in between goes round them.
    func testDiagramLayout() {
        let fig = Figure(width: 5, height: 4)
        let d = fig.addDiagram()
        d.node("a", row: 0, col: 0, "Start", shape: .ellipse)
        d.node("b", row: 1, col: 0, "A step with\ntwo lines")
        d.node("c", row: 2, col: 0, "Decide?", shape: .diamond)
        d.node("d", row: 2, col: 1, "Other")
        d.edge("a", "b"); d.edge("b", "c"); d.edge("c", "d", label: "no")
        d.edge("c", "a", label: "again")
        fig.layout()
        let frames = d.nodeFrames
        XCTAssertEqual(frames.count, 4)
        let ids = frames.keys.sorted()
        for (i, p) in ids.enumerated() {
            for q in ids[(i + 1)...] { XCTAssertFalse(frames[p]!.intersects(frames[q]!), "\(p) overlaps \(q)") }
        }
        XCTAssertEqual(d.edgePaths.count, 4)
        // a -> b ends on b's top edge.
        XCTAssertEqual(d.edgePaths[0].last!.y, frames["b"]!.minY, accuracy: 1e-9)
        // c -> a (back edge past b) stays left of b.
        let back = d.edgePaths[3]
        XCTAssertTrue(
            back.allSatisfy { $0.x <= frames["b"]!.minX + 1e-9 || $0.y >= frames["c"]!.minY || $0.y <= frames["a"]!.maxY },
            "the back edge must not cross node b: \(back)")
        for i in 0..<(back.count - 1) {
            XCTAssertFalse(segmentIntersects(back[i], back[i + 1], frames["b"]!.insetBy(1)), "segment \(i) crosses b")
        }
        // Everything fits in the figure.
        let bounds = Rect(x: 0, y: 0, width: fig.size.width, height: fig.size.height)
        for f in frames.values { XCTAssertTrue(bounds.contains(f)) }
        for t in fig.textBoxes { XCTAssertTrue(bounds.contains(t.rect), "'\(t.text)' leaves the figure") }
    }
}
