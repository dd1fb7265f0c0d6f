/// An RGB raster shown on an axes over x in 0...width, y in 0...height (y down), so data
/// coordinates are pixel edges: pixel (c, r) covers c...c+1, r...r+1 (unlike matplotlib's
/// centred convention, this makes rectangle overlays in pixel units exact).
final class ImageSeries: Series {
    let image: RGBImage
    let label: String? = nil

    init(image: RGBImage) { self.image = image }

    var bounds: DataBounds? {
        let w = Double(image.width), h = Double(image.height)
        return DataBounds(x: 0...w, y: 0...h, stickyX: [0, w], stickyY: [0, h])
    }

    func draw(on canvas: Canvas, transform t: AxesTransform) {
        let r = t.rect(x0: 0, y0: 0, x1: Double(image.width), y1: Double(image.height))
        canvas.image(rgb: image.pixels, width: image.width, height: image.height, in: r)
    }

    func occupancy(_ t: AxesTransform) -> Occupancy { Occupancy(rects: [t.box]) }
}

/// An unfilled rectangle in data coordinates (for images: pixel units), e.g. a region of interest.
final class RectangleSeries: Series {
    let x: Double, y: Double, width: Double, height: Double
    let color: Color
    let lineWidth: Double
    let fill: Color?
    let label: String?

    init(x: Double, y: Double, width: Double, height: Double, color: Color, lineWidth: Double, fill: Color?, label: String?) {
        self.x = x; self.y = y; self.width = width; self.height = height
        self.color = color; self.lineWidth = lineWidth; self.fill = fill; self.label = label
    }

    var bounds: DataBounds? { nil }

    func draw(on canvas: Canvas, transform t: AxesTransform) {
        canvas.rect(t.rect(x0: x, y0: y, x1: x + width, y1: y + height), fill: fill, stroke: color, width: lineWidth)
    }

    func drawLegendHandle(on canvas: Canvas, in r: Rect) {
        canvas.rect(Rect(x: r.minX + 2, y: r.midY - 4, width: r.width - 4, height: 8), fill: fill, stroke: color, width: lineWidth)
    }

    func occupancy(_ t: AxesTransform) -> Occupancy {
        Occupancy(rects: [t.rect(x0: x, y0: y, x1: x + width, y1: y + height)])
    }
}
