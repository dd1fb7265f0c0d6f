/// A matrix drawn as coloured cells (matplotlib's `imshow` of a matrix with annotations):
/// cell (row i, column j) covers x in j-0.5...j+0.5 and y in i-0.5...i+0.5, row 0 at the top.
/// Optional cell text is drawn centred in black or white, whichever contrasts with the cell.
final class HeatmapSeries: Series {
    let values: [[Double]]
    let colormap: Colormap
    let range: ClosedRange<Double>
    let cellText: [[String]]?
    let label: String? = nil

    init(values: [[Double]], colormap: Colormap, range: ClosedRange<Double>, cellText: [[String]]?) {
        precondition(!values.isEmpty && !values[0].isEmpty, "heatmap needs at least one cell")
        precondition(values.allSatisfy { $0.count == values[0].count }, "heatmap rows differ in length")
        if let cellText {
            precondition(
                cellText.count == values.count && zip(cellText, values).allSatisfy { $0.count == $1.count },
                "heatmap: cell text must match the value matrix's shape")
        }
        self.values = values; self.colormap = colormap; self.range = range; self.cellText = cellText
    }

    var rows: Int { values.count }
    var cols: Int { values[0].count }

    var bounds: DataBounds? {
        DataBounds(
            x: -0.5...(Double(cols) - 0.5), y: -0.5...(Double(rows) - 0.5),
            stickyX: [-0.5, Double(cols) - 0.5], stickyY: [-0.5, Double(rows) - 0.5])
    }

    /// The fill colour of cell (i, j).
    func color(row i: Int, col j: Int) -> Color { colormap.color(for: values[i][j], in: range) }

    func cellRect(_ i: Int, _ j: Int, _ t: AxesTransform) -> Rect {
        t.rect(x0: Double(j) - 0.5, y0: Double(i) - 0.5, x1: Double(j) + 0.5, y1: Double(i) + 0.5)
    }

    func draw(on canvas: Canvas, transform t: AxesTransform) {
        for i in 0..<rows {
            for j in 0..<cols {
                // A hairline of the same colour closes anti-aliasing seams between cells.
                let c = color(row: i, col: j)
                canvas.rect(cellRect(i, j, t), fill: c, stroke: c, width: 0.3)
            }
        }
        guard let cellText else { return }
        // One font size for every cell: the largest (up to 10 pt) at which all texts fit.
        let cell = cellRect(0, 0, t)
        var size = Style.fontSize
        while size > 5 {
            let fits = cellText.joined().allSatisfy { text in
                let s = canvas.measure(text, size: size)
                return s.width <= cell.width * 0.92 && s.height <= cell.height * 0.92
            }
            if fits { break }
            size -= 0.5
        }
        for i in 0..<rows {
            for j in 0..<cols where !cellText[i][j].isEmpty {
                canvas.text(
                    cellText[i][j], at: cellRect(i, j, t).center, h: .center, v: .center, size: size,
                    color: color(row: i, col: j).contrastingText)
            }
        }
    }

    func occupancy(_ t: AxesTransform) -> Occupancy { Occupancy(rects: [t.box]) }
}
