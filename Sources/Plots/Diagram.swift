import Foundation

/// A box-and-arrow diagram laid out on a grid of rows and columns: pipelines, flowcharts with
/// decision diamonds, network architectures with tensor shapes as box text.
///
/// Nodes sit at (row, column) cells; every column is as wide as its widest node and every row
/// as tall as its tallest (measured text plus padding); boxes in a column share its width.
/// Edges are straight when the nodes share a row or column, otherwise one elbow. The whole
/// diagram is scaled uniformly (at most 1.5x) to fit its panel and centred.
///
///     let d = fig.addDiagram()
///     d.node("in", row: 0, col: 0, "CT slice\n512×512", shape: .ellipse)
///     d.node("sel", row: 0, col: 1, "Dark pixels\n< threshold?", shape: .diamond)
///     d.edge("in", "sel")
public final class Diagram: Panel {
    /// Node outlines.
    public enum Shape: Sendable { case box, roundedBox, diamond, ellipse }
    /// Elbow routing for nodes in different rows and columns.
    public enum Route: Sendable {
        /// Leave sideways, enter from the top or bottom.
        case horizontalFirst
        /// Leave from the top or bottom, enter sideways.
        case verticalFirst
    }

    struct Node {
        var id: String, row: Int, col: Int, text: String, shape: Shape, fill: Color, stroke: Color
    }
    struct Edge { var from: String, to: String, label: String?, route: Route, color: Color }

    public let row: Int, col: Int
    /// Title above the diagram.
    public var title: String?
    /// Natural gaps between columns and rows, points (before scaling).
    public var columnGap = 34.0, rowGap = 26.0
    /// Font size of node text before scaling.
    public var fontSize = 9.0

    private(set) var nodes: [Node] = []
    private(set) var edges: [Edge] = []
    /// Node outlines and edge polylines (tip last) of the last layout, figure points.
    private(set) var nodeFrames: [String: Rect] = [:]
    private(set) var edgePaths: [[Point]] = []

    init(row: Int, col: Int) { self.row = row; self.col = col }

    /// Default fills and outlines per shape (pale tab10 tints).
    static func defaultColors(_ shape: Shape) -> (Color, Color) {
        switch shape {
        case .box, .roundedBox: return (Color(hex: "#dbe8f5"), Color(hex: "#1f77b4"))
        case .diamond: return (Color(hex: "#ffe7cf"), Color(hex: "#ff7f0e"))
        case .ellipse: return (Color(hex: "#d9f0d7"), Color(hex: "#2ca02c"))
        }
    }

    /// Adds a node; `text` may have several lines.
    /// - Precondition: `id` is new and the cell is free.
    public func node(
        _ id: String, row: Int, col: Int, _ text: String, shape: Shape = .roundedBox,
        fill: Color? = nil, stroke: Color? = nil
    ) {
        precondition(!nodes.contains { $0.id == id }, "Diagram node \(id) exists")
        precondition(!nodes.contains { $0.row == row && $0.col == col }, "Diagram cell (\(row), \(col)) is taken")
        let (f, s) = Diagram.defaultColors(shape)
        nodes.append(Node(id: id, row: row, col: col, text: text, shape: shape, fill: fill ?? f, stroke: stroke ?? s))
    }

    /// Adds an arrow from node `from` to node `to`, with an optional label on its first segment.
    /// - Precondition: both nodes exist.
    public func edge(
        _ from: String, _ to: String, label: String? = nil, route: Route = .horizontalFirst,
        color: Color = Color(gray: 0.25)
    ) {
        precondition(nodes.contains { $0.id == from } && nodes.contains { $0.id == to }, "Diagram edge \(from)->\(to): unknown node")
        edges.append(Edge(from: from, to: to, label: label, route: route, color: color))
    }

    // MARK: - Layout

    /// Whether other nodes sit strictly between the edge's ends in their shared row / column.
    private func blocked(_ e: Edge) -> (row: Bool, col: Bool) {
        guard let na = nodes.first(where: { $0.id == e.from }), let nb = nodes.first(where: { $0.id == e.to }) else {
            return (false, false)
        }
        let row = na.row == nb.row && nodes.contains { $0.row == na.row && $0.col > min(na.col, nb.col) && $0.col < max(na.col, nb.col) }
        let col = na.col == nb.col && nodes.contains { $0.col == na.col && $0.row > min(na.row, nb.row) && $0.row < max(na.row, nb.row) }
        return (row, col)
    }

    /// Room left of (above) the grid for detours round a column (over a row), natural points.
    private func detourMargins(_ canvas: Canvas) -> (left: Double, top: Double) {
        var left = 0.0, top = 0.0
        for e in edges {
            let b = blocked(e)
            if b.col {
                let label = e.label.map { canvas.measure($0, size: fontSize - 1).width + 3 } ?? 0
                left = max(left, columnGap / 2 + label + 2)
            }
            if b.row { top = max(top, rowGap / 2 + (e.label == nil ? 0 : canvas.measure("X", size: fontSize - 1).height) + 2) }
        }
        return (left, top)
    }

    private static let padX = 8.0, padY = 6.0

    /// Natural (unscaled) size of node `n`'s outline.
    private func nodeSize(_ n: Node, _ canvas: Canvas) -> Size {
        let t = canvas.measure(n.text, size: fontSize)
        let w = t.width + 2 * Diagram.padX, h = t.height + 2 * Diagram.padY
        switch n.shape {
        case .diamond: return Size(width: w * 1.6, height: h * 1.7)
        case .ellipse: return Size(width: w * 1.25, height: h * 1.25)
        default: return Size(width: w, height: h)
        }
    }

    /// Node rectangles in natural units, and the natural size.
    private func naturalLayout(_ canvas: Canvas) -> (rects: [String: Rect], size: Size) {
        guard !nodes.isEmpty else { return ([:], .zero) }
        let rows = nodes.map(\.row).max()! + 1, cols = nodes.map(\.col).max()! + 1
        var colW = [Double](repeating: 0, count: cols), rowH = [Double](repeating: 0, count: rows)
        let sizes = nodes.map { nodeSize($0, canvas) }
        for (n, s) in zip(nodes, sizes) { colW[n.col] = max(colW[n.col], s.width); rowH[n.row] = max(rowH[n.row], s.height) }
        let margin = detourMargins(canvas)
        var xs = [Double](repeating: margin.left, count: cols), ys = [Double](repeating: margin.top, count: rows)
        for c in 1..<max(cols, 1) where c < cols { xs[c] = xs[c - 1] + colW[c - 1] + (colW[c - 1] > 0 ? columnGap : 0) }
        for r in 1..<max(rows, 1) where r < rows { ys[r] = ys[r - 1] + rowH[r - 1] + (rowH[r - 1] > 0 ? rowGap : 0) }
        var rects: [String: Rect] = [:]
        for (n, s) in zip(nodes, sizes) {
            let w = (n.shape == .box || n.shape == .roundedBox) ? colW[n.col] : s.width
            let cx = xs[n.col] + colW[n.col] / 2, cy = ys[n.row] + rowH[n.row] / 2
            rects[n.id] = Rect(x: cx - w / 2, y: cy - s.height / 2, width: w, height: s.height)
        }
        return (rects, Size(width: xs[cols - 1] + colW[cols - 1], height: ys[rows - 1] + rowH[rows - 1]))
    }

    /// The unscaled size the diagram needs, points (for choosing a figure size).
    public var naturalSize: Size { naturalLayout(Canvas.measuring()).size }

    var aspect: Double? { nil }

    func insets(canvas: Canvas, box: Size) -> Insets {
        var i = Insets()
        if let title { i.top = Style.titlePad + canvas.measure(title, size: Style.titleSize).height }
        return i
    }

    // MARK: - Drawing

    func draw(on canvas: Canvas, rect: Rect) {
        let (natural, size) = naturalLayout(canvas)
        guard size.width > 0, size.height > 0 else { return }
        let s = min(1.5, rect.width / size.width, rect.height / size.height)
        let ox = rect.midX - size.width * s / 2, oy = rect.midY - size.height * s / 2
        func map(_ r: Rect) -> Rect { Rect(x: ox + r.x * s, y: oy + r.y * s, width: r.width * s, height: r.height * s) }
        let rects = natural.mapValues(map)
        nodeFrames = rects
        edgePaths = []
        if let title {
            let top = rects.values.map(\.minY).min() ?? rect.minY
            canvas.text(title, at: Point(x: rect.midX, y: top - Style.titlePad), h: .center, v: .bottom, size: Style.titleSize)
        }
        for e in edges { drawEdge(e, rects: rects, scale: s, canvas: canvas) }
        for n in nodes {
            let r = rects[n.id]!
            let lw = 1.0 * max(s, 0.6)
            switch n.shape {
            case .box: canvas.rect(r, fill: n.fill, stroke: n.stroke, width: lw)
            case .roundedBox: canvas.rect(r, fill: n.fill, stroke: n.stroke, width: lw, radius: 4 * s)
            case .ellipse: canvas.ellipse(r, fill: n.fill, stroke: n.stroke, width: lw)
            case .diamond:
                canvas.polygon(
                    [
                        Point(x: r.midX, y: r.minY), Point(x: r.maxX, y: r.midY),
                        Point(x: r.midX, y: r.maxY), Point(x: r.minX, y: r.midY)
                    ],
                    fill: n.fill, stroke: n.stroke, width: lw)
            }
            canvas.text(n.text, at: r.center, h: .center, v: .center, size: fontSize * s)
        }
    }

    private func drawEdge(_ e: Edge, rects: [String: Rect], scale s: Double, canvas: Canvas) {
        guard let a = rects[e.from], let b = rects[e.to] else { return }
        let na = nodes.first { $0.id == e.from }!, nb = nodes.first { $0.id == e.to }!
        var pts: [Point]
        let (blockedRow, blockedCol) = blocked(e)
        if blockedRow {
            // Over the top of the row.
            let top = nodes.filter { $0.row == na.row }.compactMap { rects[$0.id]?.minY }.min()! - rowGap * s / 2
            pts = [Point(x: a.midX, y: a.minY), Point(x: a.midX, y: top), Point(x: b.midX, y: top), Point(x: b.midX, y: b.minY)]
        } else if blockedCol {
            // Round the left-hand side of the column.
            let left = nodes.filter { $0.col == na.col }.compactMap { rects[$0.id]?.minX }.min()! - columnGap * s / 2
            pts = [Point(x: a.minX, y: a.midY), Point(x: left, y: a.midY), Point(x: left, y: b.midY), Point(x: b.minX, y: b.midY)]
        } else if na.row == nb.row {
            let right = b.midX > a.midX
            pts = [Point(x: right ? a.maxX : a.minX, y: a.midY), Point(x: right ? b.minX : b.maxX, y: a.midY)]
        } else if na.col == nb.col {
            let down = b.midY > a.midY
            pts = [Point(x: a.midX, y: down ? a.maxY : a.minY), Point(x: a.midX, y: down ? b.minY : b.maxY)]
        } else if e.route == .horizontalFirst {
            let right = b.midX > a.midX, down = b.midY > a.midY
            pts = [
                Point(x: right ? a.maxX : a.minX, y: a.midY), Point(x: b.midX, y: a.midY),
                Point(x: b.midX, y: down ? b.minY : b.maxY)
            ]
        } else {
            let right = b.midX > a.midX, down = b.midY > a.midY
            pts = [
                Point(x: a.midX, y: down ? a.maxY : a.minY), Point(x: a.midX, y: b.midY),
                Point(x: right ? b.minX : b.maxX, y: b.midY)
            ]
        }
        edgePaths.append(pts)
        let head = 7 * max(s, 0.6), lw = 1.1 * max(s, 0.6)
        // Shorten the last segment so the line ends under the arrowhead.
        let tip = pts[pts.count - 1], prev = pts[pts.count - 2]
        let dx = tip.x - prev.x, dy = tip.y - prev.y, len = max(hypot(dx, dy), 1e-9)
        let ux = dx / len, uy = dy / len
        var line = pts
        line[line.count - 1] = Point(x: tip.x - ux * head * 0.8, y: tip.y - uy * head * 0.8)
        canvas.polyline(line, color: e.color, width: lw)
        let base = Point(x: tip.x - ux * head, y: tip.y - uy * head)
        canvas.polygon(
            [
                tip, Point(x: base.x - uy * head * 0.4, y: base.y + ux * head * 0.4),
                Point(x: base.x + uy * head * 0.4, y: base.y - ux * head * 0.4)
            ], fill: e.color)
        if let label = e.label {
            // On the first segment, or the longest one for detours.
            let k = (blockedRow || blockedCol) ? 1 : 0
            let p0 = pts[k], p1 = pts[k + 1]
            let mid = Point(x: (p0.x + p1.x) / 2, y: (p0.y + p1.y) / 2)
            let fs = (fontSize - 1) * s
            if abs(p1.y - p0.y) < 1e-6 {
                canvas.text(label, at: Point(x: mid.x, y: mid.y - 2 * s), h: .center, v: .bottom, size: fs, color: e.color)
            } else if blockedCol {
                canvas.text(label, at: Point(x: mid.x - 3 * s, y: mid.y), h: .right, v: .center, size: fs, color: e.color)
            } else {
                canvas.text(label, at: Point(x: mid.x + 3 * s, y: mid.y), h: .left, v: .center, size: fs, color: e.color)
            }
        }
    }
}
