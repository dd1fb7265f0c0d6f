import Foundation

/// A drawable panel in a figure's grid: an `Axes` or a `Diagram`.
protocol Panel: AnyObject {
    var row: Int { get }
    var col: Int { get }
    /// Room needed around the plotting box of size `box` (points).
    func insets(canvas: Canvas, box: Size) -> Insets
    /// Width / height the plotting box keeps (nil: fills its cell).
    var aspect: Double? { get }
    /// Draws into the plotting box `rect` (decorations go outside it, within the insets).
    func draw(on canvas: Canvas, rect: Rect)
}

/// A figure: a page of `width` x `height` inches holding an optional title and a grid of
/// panels (matplotlib's `Figure` with `subplots`).
///
/// Margins come from measured text: every panel reports the room its tick labels, axis
/// labels, titles, captions and colour bar need; columns and rows share the largest, plotting
/// boxes in a row (column) get equal heights (widths), and a final check moves the outer
/// margins until every drawn text box lies inside the figure. Coordinates are points (1/72 in);
/// PNG output has `width * dpi` x `height * dpi` pixels, SVG output is in points.
///
///     let fig = Figure(width: 6.4, height: 4.8, dpi: 100)
///     let ax = fig.addAxes(row: 0, col: 0)
///     ax.line(x: [1, 2, 3], y: [0.5, 0.7, 0.8], label: "train", marker: .circle)
///     try fig.savePNG("accuracy.png"); try fig.saveSVG("accuracy.svg")
public final class Figure {
    /// Size in inches.
    public let width: Double, height: Double
    /// Pixels per inch of PNG output.
    public var dpi: Double
    /// Title above all panels (matplotlib's `suptitle`, 12 pt).
    public var title: String?
    /// Text boxes drawn by the last render, in figure points.
    public private(set) var textBoxes: [TextBox] = []

    var panels: [Panel] = []
    /// Top of the figure title under the current layout, points.
    private var titleTop = 0.0

    /// - Precondition: positive size and dpi.
    public init(width: Double = 6.4, height: Double = 4.8, dpi: Double = 100) {
        precondition(width > 0 && height > 0 && dpi > 0, "Figure needs a positive size and dpi")
        self.width = width; self.height = height; self.dpi = dpi
    }

    /// Adds an axes in grid cell (`row`, `col`); the grid grows to hold every panel.
    /// - Precondition: the cell is free and indices are non-negative.
    @discardableResult
    public func addAxes(row: Int = 0, col: Int = 0) -> Axes {
        checkCell(row, col)
        let ax = Axes(row: row, col: col)
        panels.append(ax)
        return ax
    }

    /// Adds a box-and-arrow diagram in grid cell (`row`, `col`).
    @discardableResult
    public func addDiagram(row: Int = 0, col: Int = 0) -> Diagram {
        checkCell(row, col)
        let d = Diagram(row: row, col: col)
        panels.append(d)
        return d
    }

    /// All axes, in the order added.
    public var axes: [Axes] { panels.compactMap { $0 as? Axes } }

    private func checkCell(_ row: Int, _ col: Int) {
        precondition(row >= 0 && col >= 0, "Figure cell indices must be non-negative")
        precondition(!panels.contains { $0.row == row && $0.col == col }, "Figure cell (\(row), \(col)) is taken")
    }

    /// The figure's size in points.
    public var size: Size { Size(width: width * 72, height: height * 72) }

    /// The PNG size in pixels.
    public var pixelSize: (width: Int, height: Int) {
        (Int((width * dpi).rounded()), Int((height * dpi).rounded()))
    }

    // MARK: - Layout

    /// Plotting rectangles of the panels (same order as `panels`), given outer margins.
    private func gridRects(canvas: Canvas, outer: Insets) -> [Rect] {
        let rows = (panels.map(\.row).max() ?? 0) + 1, cols = (panels.map(\.col).max() ?? 0) + 1
        let S = size
        let titleHeight = title.map { canvas.measure($0, size: Style.figureTitleSize).height + Style.titlePad } ?? 0
        let availW = S.width - outer.left - outer.right - Style.panelGap * Double(cols - 1)
        let availH = S.height - outer.top - outer.bottom - titleHeight - Style.panelGap * Double(rows - 1)
        var plotW = availW / Double(cols) * 0.75, plotH = availH / Double(rows) * 0.75
        var L = [Double](repeating: 0, count: cols), R = L, T = [Double](repeating: 0, count: rows), B = T
        for _ in 0..<3 {  // insets depend on tick counts and wrapping, which depend on the box size
            L = Array(repeating: 0, count: cols); R = L; T = Array(repeating: 0, count: rows); B = T
            for p in panels {
                let i = p.insets(canvas: canvas, box: Size(width: plotW, height: plotH))
                L[p.col] = max(L[p.col], i.left); R[p.col] = max(R[p.col], i.right)
                T[p.row] = max(T[p.row], i.top); B[p.row] = max(B[p.row], i.bottom)
            }
            plotW = max(10, (availW - L.reduce(0, +) - R.reduce(0, +)) / Double(cols))
            plotH = max(10, (availH - T.reduce(0, +) - B.reduce(0, +)) / Double(rows))
        }
        // Panels with a fixed aspect (images, matrices) need less than the full cell: shrink
        // such rows and columns and centre the grid, so no band of white opens between them.
        var rowH = [Double](repeating: plotH, count: rows), colW = [Double](repeating: plotW, count: cols)
        for r in 0..<rows {
            let inRow = panels.filter { $0.row == r }
            if !inRow.isEmpty { rowH[r] = inRow.map { p in p.aspect.map { min(plotH, plotW / $0) } ?? plotH }.max()! }
        }
        for c in 0..<cols {
            let inCol = panels.filter { $0.col == c }
            if !inCol.isEmpty { colW[c] = inCol.map { p in p.aspect.map { min(plotW, rowH[p.row] * $0) } ?? plotW }.max()! }
        }
        let extraW = plotW * Double(cols) - colW.reduce(0, +), extraH = plotH * Double(rows) - rowH.reduce(0, +)
        titleTop = outer.top + extraH / 2
        return panels.map { p in
            var x = outer.left + extraW / 2
            for c in 0..<p.col { x += L[c] + colW[c] + R[c] + Style.panelGap }
            var y = outer.top + extraH / 2 + titleHeight
            for r in 0..<p.row { y += T[r] + rowH[r] + B[r] + Style.panelGap }
            return Rect(x: x + L[p.col], y: y + T[p.row], width: colW[p.col], height: rowH[p.row])
        }
    }

    /// Draws everything on `canvas` with outer margins `outer`.
    private func drawAll(on canvas: Canvas, outer: Insets, rects: [Rect]) {
        if let title {
            canvas.text(title, at: Point(x: size.width / 2, y: titleTop), h: .center, v: .top, size: Style.figureTitleSize)
        }
        for (p, r) in zip(panels, rects) { p.draw(on: canvas, rect: r) }
    }

    /// Computes the layout: outer margins grow until every text box lies inside the figure.
    private func computeLayout() -> (outer: Insets, rects: [Rect]) {
        let pad = Style.figurePad
        var outer = Insets(left: pad, right: pad, top: pad, bottom: pad)
        var rects: [Rect] = []
        for _ in 0..<4 {
            rects = gridRects(canvas: Canvas.measuring(), outer: outer)
            let probe = Canvas.measuring()
            drawAll(on: probe, outer: outer, rects: rects)
            guard let first = probe.textBoxes.first?.rect else { break }
            let all = probe.textBoxes.dropFirst().reduce(first) { $0.union($1.rect) }
            let dl = pad - all.minX, dr = all.maxX - (size.width - pad)
            let dt = pad - all.minY, db = all.maxY - (size.height - pad)
            if max(dl, dr, dt, db) <= 0.01 { break }
            outer.left += max(0, dl) + 0.5; outer.right += max(0, dr) + 0.5
            outer.top += max(0, dt) + 0.5; outer.bottom += max(0, db) + 0.5
        }
        return (outer, rects)
    }

    /// Lays the figure out, setting every axes' `transform` (figure points).
    public func layout() {
        let (outer, rects) = computeLayout()
        let probe = Canvas.measuring()
        drawAll(on: probe, outer: outer, rects: rects)
        textBoxes = probe.textBoxes
    }

    /// Renders onto `canvas` (already scaled to points and painted white).
    func render(on canvas: Canvas) {
        let (outer, rects) = computeLayout()
        drawAll(on: canvas, outer: outer, rects: rects)
        textBoxes = canvas.textBoxes
    }
}
