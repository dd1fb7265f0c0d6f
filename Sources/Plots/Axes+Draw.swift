import Foundation

extension Axes {
    /// Draws the axes into the cell rectangle `rect` (the box before aspect fitting).
    func draw(on canvas: Canvas, rect: Rect) {
        layout(rect: rect)
        guard let t = transform else { return }
        let box = t.box
        let d = decorations(canvas: canvas, box: Size(width: box.width, height: box.height))
        let tickOut = Style.tickLength + Style.tickPad

        // Grid below the data.
        if grid && showAxis {
            for (v, _) in d.xTicks {
                let x = t.point(v, t.y.lowerBound).x
                canvas.line(Point(x: x, y: box.minY), Point(x: x, y: box.maxY), color: Style.gridColor, width: Style.gridWidth)
            }
            for (v, _) in d.yTicks {
                let y = t.point(t.x.lowerBound, v).y
                canvas.line(Point(x: box.minX, y: y), Point(x: box.maxX, y: y), color: Style.gridColor, width: Style.gridWidth)
            }
        }

        // Data, clipped to the box.
        canvas.save()
        canvas.clip(box)
        for s in series { s.draw(on: canvas, transform: t) }
        canvas.restore()
        for s in series { s.drawAnnotations(on: canvas, transform: t) }

        if showAxis {
            canvas.rect(box, fill: nil, stroke: .black, width: Style.spineWidth)
            for (v, label) in d.xTicks {
                let x = t.point(v, t.y.lowerBound).x
                canvas.line(Point(x: x, y: box.maxY), Point(x: x, y: box.maxY + Style.tickLength), color: .black, width: Style.tickWidth)
                if xTickLabelRotation == 0 {
                    canvas.text(label, at: Point(x: x, y: box.maxY + tickOut), h: .center, v: .top)
                } else {
                    // Rotated labels hang from their end (matplotlib's ha="right", rotation_mode="anchor").
                    let s = canvas.measure(label, size: Style.fontSize)
                    let a = xTickLabelRotation * .pi / 180
                    let anchor = Point(x: x, y: box.maxY + tickOut + s.height / 2 * cos(a))
                    canvas.text(label, at: anchor, h: .right, v: .center, rotation: xTickLabelRotation)
                }
            }
            for (v, label) in d.yTicks {
                let y = t.point(t.x.lowerBound, v).y
                canvas.line(Point(x: box.minX, y: y), Point(x: box.minX - Style.tickLength, y: y), color: .black, width: Style.tickWidth)
                canvas.text(label, at: Point(x: box.minX - tickOut, y: y), h: .right, v: .center)
            }
        }
        if let xLabel = d.xLabelText {
            canvas.text(xLabel, at: Point(x: box.midX, y: box.maxY + d.xTickBand + Style.labelPad), h: .center, v: .top)
        }
        if let yLabel = d.yLabelText {
            canvas.text(
                yLabel, at: Point(x: box.minX - d.yTickBand - Style.labelPad, y: box.midY),
                h: .center, v: .bottom, rotation: 90)
        }
        let frame = border.map { $0.width / 2 } ?? 0
        if let title = d.titleText {
            canvas.text(
                title, at: Point(x: box.midX, y: box.minY - Style.titlePad - frame), h: .center, v: .bottom,
                size: Style.titleSize)
        }
        if let caption = d.captionText {
            canvas.text(
                caption, at: Point(x: box.midX, y: box.maxY + d.xTickBand + d.xLabelHeight + Style.labelPad + frame),
                h: .center, v: .top)
        }
        if let border {
            canvas.rect(box, fill: nil, stroke: border.color, width: border.width)
        }
        if let cb = colorbarSpec {
            cb.draw(on: canvas, beside: box)
        }
        drawLegend(on: canvas, transform: t)
    }
}
