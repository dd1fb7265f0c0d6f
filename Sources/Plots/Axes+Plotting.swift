import Foundation

/// The public plotting calls of an axes (matplotlib's `plot`, `bar`, `hist`, `imshow`, ...).
extension Axes {
    // MARK: - Lines

    /// A line through (x[i], y[i]) (matplotlib's `plot`). Colour defaults to the next of the
    /// tab10 cycle. Non-finite points break the line.
    /// - Precondition: `x.count == y.count`.
    public func line(
        x: [Double], y: [Double], label: String? = nil, color: Color? = nil, marker: Marker = .none,
        style: LineStyle = .solid, width: Double = 1.5, markerSize: Double = 6
    ) {
        add(
            LineSeries(
                x: x, y: y, label: label, color: color ?? nextCycleColor(), marker: marker, style: style,
                width: width, markerSize: markerSize))
    }

    /// Markers only, no line (matplotlib's `scatter` with uniform size).
    public func scatter(
        x: [Double], y: [Double], label: String? = nil, color: Color? = nil, marker: Marker = .circle,
        markerSize: Double = 6
    ) {
        add(
            LineSeries(
                x: x, y: y, label: label, color: color ?? nextCycleColor(), marker: marker, style: .solid,
                width: 0, markerSize: markerSize))
    }

    /// A horizontal line across the axes at `y` (matplotlib's `axhline`); does not change limits.
    public func horizontalLine(
        y: Double, label: String? = nil, color: Color = .gray, style: LineStyle = .dashed,
        width: Double = 1
    ) {
        add(ReferenceLine(value: y, horizontal: true, label: label, color: color, style: style, width: width))
    }

    /// A vertical line across the axes at `x` (matplotlib's `axvline`); does not change limits.
    public func verticalLine(
        x: Double, label: String? = nil, color: Color = .gray, style: LineStyle = .dashed,
        width: Double = 1
    ) {
        add(ReferenceLine(value: x, horizontal: false, label: label, color: color, style: style, width: width))
    }

    /// Text anchored at data point (x, y); does not change limits.
    public func text(
        _ text: String, x: Double, y: Double, h: HAlign = .left, v: VAlign = .baseline,
        color: Color = .black, size: Double = 10
    ) {
        add(TextSeries(text: text, x: x, y: y, h: h, v: v, color: color, size: size))
    }

    // MARK: - Bars

    /// Bars for categories: `values[s][c]` is series s at category c. Grouped bars sit side by
    /// side within 0.8 of a category's width; stacked bars pile up in series order. Category
    /// names become the x tick labels. `valueLabels` writes each value above (grouped) or
    /// inside (stacked) its bar, formatted by `format` (default: shortest exact form).
    /// - Precondition: one label per series (if given); every series has one value per category.
    public func bars(
        categories: [String], values: [[Double]], labels: [String]? = nil, mode: BarMode = .grouped,
        colors: [Color]? = nil, valueLabels: Bool = false, format: ((Double) -> String)? = nil
    ) {
        precondition(values.allSatisfy { $0.count == categories.count }, "bars: one value per category in each series")
        precondition(labels == nil || labels!.count == values.count, "bars: one label per series")
        precondition(colors == nil || colors!.count >= values.count, "bars: one colour per series")
        let n = values.count, m = categories.count
        let total = 0.8
        var base = [Double](repeating: 0, count: m)
        let fmt = format ?? { Ticks.labels([$0])[0] }
        for (s, vals) in values.enumerated() {
            let color = colors?[s] ?? nextCycleColor()
            let text = valueLabels ? vals.map(fmt) : nil
            switch mode {
            case .grouped:
                let w = total / Double(max(n, 1))
                let left = (0..<m).map { Double($0) - total / 2 + Double(s) * w }
                add(
                    BarSeries(
                        left: left, width: Array(repeating: w, count: m), bottom: Array(repeating: 0, count: m),
                        height: vals, label: labels?[s], color: color, valueLabels: text))
            case .stacked:
                let left = (0..<m).map { Double($0) - total / 2 }
                add(
                    BarSeries(
                        left: left, width: Array(repeating: total, count: m), bottom: base, height: vals,
                        label: labels?[s], color: color, valueLabels: text, labelsInside: true))
                for c in 0..<m { base[c] += vals[c] }
            }
        }
        xCategories = categories
    }

    /// One series of bars (see `bars(categories:values:...)`).
    public func bar(
        categories: [String], values: [Double], label: String? = nil, color: Color? = nil,
        valueLabels: Bool = false
    ) {
        bars(
            categories: categories, values: [values], labels: label.map { [$0] }, colors: color.map { [$0] },
            valueLabels: valueLabels)
    }

    /// A histogram of `values` in `bins` equal bins over `range` (default: the data range),
    /// drawn as touching bars (matplotlib's `hist`). Returns the bin edges and counts.
    @discardableResult
    public func histogram(
        _ values: [Double], bins: Int = 10, range: ClosedRange<Double>? = nil, label: String? = nil,
        color: Color? = nil, edgeColor: Color? = nil
    ) -> (edges: [Double], counts: [Int]) {
        let h = Plots.histogram(values, bins: bins, range: range)
        let left = Array(h.edges.dropLast())
        let widths = zip(h.edges.dropFirst(), h.edges).map { $0 - $1 }
        add(
            BarSeries(
                left: left, width: widths, bottom: Array(repeating: 0, count: bins), height: h.counts.map(Double.init),
                label: label, color: color ?? nextCycleColor(), edgeColor: edgeColor))
        return h
    }

    // MARK: - Matrices

    /// A matrix as coloured cells (row 0 at the top) with optional centred cell text in a
    /// contrasting colour and a colour bar (matplotlib's annotated `imshow`). `range` defaults
    /// to the values' range. Row/column labels become tick labels.
    public func heatmap(
        _ values: [[Double]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
        colormap: Colormap = .viridis, range: ClosedRange<Double>? = nil, cellText: [[String]]? = nil,
        colorbar: Bool = true, colorbarLabel: String? = nil
    ) {
        let r = range ?? finiteRange(values.joined()) ?? 0...1
        let hm = HeatmapSeries(values: values, colormap: colormap, range: r, cellText: cellText)
        add(hm)
        xCategories = columnLabels ?? (0..<hm.cols).map(String.init)
        yCategories = rowLabels ?? (0..<hm.rows).map(String.init)
        yInverted = true
        aspectEqual = true
        if colorbar { colorbarSpec = ColorbarSpec(colormap: colormap, range: r, label: colorbarLabel) }
    }

    /// How confusion-matrix percentages are computed.
    public enum PercentOf: Sendable { case total, row }

    /// A confusion matrix: `counts[true][predicted]`, each cell showing the count and its
    /// percentage (of all samples, or of its true-class row) on a second line and coloured by
    /// that share — by row, a rare class's correct cell is as bright as a common class's.
    /// Axis labels default to "Predicted label" / "True label" (scikit-learn's display).
    public func confusionMatrix(
        _ counts: [[Int]], classNames: [String], percentOf: PercentOf = .total,
        colormap: Colormap = .viridis, colorbar: Bool = true
    ) {
        precondition(
            counts.count == classNames.count && counts.allSatisfy { $0.count == classNames.count },
            "confusionMatrix: counts must be square with one row per class")
        let total = counts.joined().reduce(0, +)
        let text = counts.map { row -> [String] in
            let denominator = percentOf == .total ? total : row.reduce(0, +)
            return row.map { c in
                let pct = denominator > 0 ? 100 * Double(c) / Double(denominator) : 0
                return "\(c)\n" + String(format: "%.1f%%", pct)
            }
        }
        let shares = counts.map { row -> [Double] in
            let denominator = percentOf == .total ? total : row.reduce(0, +)
            return row.map { denominator > 0 ? Double($0) / Double(denominator) : 0 }
        }
        heatmap(
            shares, rowLabels: classNames, columnLabels: classNames,
            colormap: colormap, range: 0...1, cellText: text, colorbar: colorbar,
            colorbarLabel: percentOf == .total ? "share of all" : "share of the true class")
        if xLabel == nil { xLabel = "Predicted label" }
        if yLabel == nil { yLabel = "True label" }
    }

    /// A colour bar for `colormap` over `range` beside the axes.
    public func colorbar(
        colormap: Colormap, range: ClosedRange<Double>, label: String? = nil,
        formatter: ((Double) -> String)? = nil
    ) {
        colorbarSpec = ColorbarSpec(colormap: colormap, range: range, label: label, formatter: formatter)
    }

    // MARK: - Images

    /// A grey image through a display window (default: its min...max) and colormap (default
    /// gray), shown with square pixels and no axis; data coordinates are pixel edges, y down.
    /// An optional heat overlay is alpha-blended on top.
    public func image(
        _ image: GrayImage, window: DisplayWindow? = nil, colormap: Colormap = .gray,
        overlay: HeatOverlay? = nil
    ) {
        self.image(composeImage(image, window: window, colormap: colormap, overlay: overlay))
    }

    /// An RGB image with square pixels and no axis.
    public func image(_ rgb: RGBImage) {
        add(ImageSeries(image: rgb))
        aspectEqual = true
        yInverted = true
        showAxis = false
    }

    /// An unfilled rectangle in data coordinates (pixel units on an image), e.g. a region.
    public func rectangle(
        x: Double, y: Double, width: Double, height: Double, color: Color = .pureRed,
        lineWidth: Double = 1.5, fill: Color? = nil, label: String? = nil
    ) {
        add(
            RectangleSeries(
                x: x, y: y, width: width, height: height, color: color, lineWidth: lineWidth,
                fill: fill, label: label))
    }

    /// Frames the axes box with a coloured border (highlighting a panel).
    public func highlight(color: Color = .pureRed, width: Double = 3) { border = (color, width) }
}
