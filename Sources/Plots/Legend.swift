/// Where a legend goes inside the axes. `.best` picks the candidate that covers the fewest
/// data points, line segments and bar areas (matplotlib's `loc="best"`, same candidate order).
public enum LegendLocation: Sendable, CaseIterable {
    case best, upperRight, upperLeft, lowerLeft, lowerRight, right, centerLeft, centerRight,
        lowerCenter, upperCenter, center,
        /// Outside the box, to the right, top-aligned (the figure makes room for it).
        outsideRight,
        none
}

extension Axes {
    /// Legend geometry in font-size units, matplotlib's defaults.
    private enum L {
        static let borderPad = 0.4, labelSpacing = 0.5, handleLength = 2.0, handleTextPad = 0.8, borderAxesPad = 0.5
    }

    /// Gap between the box (or colour bar) and an outside legend, points.
    static let outsideLegendPad = 8.0

    /// The legend box of size `size` at `loc` inside `box`.
    static func legendRect(_ loc: LegendLocation, size: Size, box: Rect) -> Rect {
        let pad = L.borderAxesPad * Style.fontSize
        let left = box.minX + pad, right = box.maxX - pad - size.width, cx = box.midX - size.width / 2
        let top = box.minY + pad, bottom = box.maxY - pad - size.height, cy = box.midY - size.height / 2
        let (x, y): (Double, Double)
        switch loc {
        case .upperRight, .best, .none: (x, y) = (right, top)
        case .upperLeft: (x, y) = (left, top)
        case .lowerLeft: (x, y) = (left, bottom)
        case .lowerRight: (x, y) = (right, bottom)
        case .right, .centerRight: (x, y) = (right, cy)
        case .centerLeft: (x, y) = (left, cy)
        case .lowerCenter: (x, y) = (cx, bottom)
        case .upperCenter: (x, y) = (cx, top)
        case .center: (x, y) = (cx, cy)
        case .outsideRight: (x, y) = (box.maxX + outsideLegendPad, box.minY)
        }
        return Rect(x: x, y: y, width: size.width, height: size.height)
    }

    /// How much of the data a legend at `r` would hide: points inside, segments crossing,
    /// and overlapped bar area (in units of the legend's area).
    static func legendBadness(_ r: Rect, _ occ: [Occupancy]) -> Double {
        var bad = 0.0
        for o in occ {
            bad += Double(o.points.filter { r.contains($0) }.count)
            bad += Double(o.segments.filter { segmentIntersects($0.0, $0.1, r) }.count)
            bad += o.rects.reduce(0) { $0 + r.overlapArea($1) } / max(r.width * r.height, 1) * 10
        }
        return bad
    }

    /// The location `.best` resolves to for the current data.
    func resolvedLegendLocation(size: Size, transform t: AxesTransform) -> LegendLocation {
        guard legendLocation == .best else { return legendLocation }
        let occ = series.map { $0.occupancy(t) }
        let candidates: [LegendLocation] = [
            .upperRight, .upperLeft, .lowerLeft, .lowerRight, .right,
            .centerLeft, .centerRight, .lowerCenter, .upperCenter, .center
        ]
        var best = LegendLocation.upperRight, bestBad = Double.infinity
        for c in candidates {
            let bad = Axes.legendBadness(Axes.legendRect(c, size: size, box: t.box), occ)
            if bad < bestBad { best = c; bestBad = bad }
        }
        return best
    }

    /// The legend's rectangle (figure points) under the last layout, nil if there is no legend.
    public var legendFrame: Rect? { legendFrame(canvas: Canvas.measuring()) }

    func legendFrame(canvas c: Canvas) -> Rect? {
        guard let t = transform else { return nil }
        guard let size = legendSize(canvas: c) else { return nil }
        var r = Axes.legendRect(resolvedLegendLocation(size: size, transform: t), size: size, box: t.box)
        if legendLocation == .outsideRight, let cb = colorbarSpec {
            r.x += cb.extent(canvas: c, length: t.box.height)
        }
        return r
    }

    private func legendEntries() -> [Series] { series.filter { $0.label?.isEmpty == false } }

    func legendSize(canvas: Canvas) -> Size? {
        let entries = legendEntries()
        guard legendLocation != .none, !entries.isEmpty else { return nil }
        let fs = Style.fontSize
        let sizes = entries.map { canvas.measure($0.label!, size: fs) }
        let width = 2 * L.borderPad * fs + L.handleLength * fs + L.handleTextPad * fs + (sizes.map(\.width).max() ?? 0)
        let height = 2 * L.borderPad * fs + sizes.map(\.height).reduce(0, +) + Double(entries.count - 1) * L.labelSpacing * fs
        return Size(width: width, height: height)
    }

    func drawLegend(on canvas: Canvas, transform t: AxesTransform) {
        guard let frame = legendFrame(canvas: canvas) else { return }
        let fs = Style.fontSize
        canvas.rect(
            frame, fill: Color.white.withAlpha(Style.legendFrameAlpha),
            stroke: Style.legendEdge.withAlpha(Style.legendFrameAlpha), width: 1, radius: 0.2 * fs)
        var y = frame.minY + L.borderPad * fs
        for s in legendEntries() {
            let h = canvas.measure(s.label!, size: fs).height
            let handle = Rect(x: frame.minX + L.borderPad * fs, y: y, width: L.handleLength * fs, height: h)
            s.drawLegendHandle(on: canvas, in: handle)
            canvas.text(s.label!, at: Point(x: handle.maxX + L.handleTextPad * fs, y: y), h: .left, v: .top, size: fs)
            y += h + L.labelSpacing * fs
        }
    }
}
