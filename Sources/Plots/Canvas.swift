import CCairo
import Foundation

/// Where a text block sits relative to its anchor point.
public enum HAlign: Sendable { case left, center, right }
/// Vertical anchor of a text block: its top, middle, the first line's baseline, or its bottom.
public enum VAlign: Sendable { case top, center, baseline, bottom }

/// A text box drawn on a figure, recorded for layout checks (figure points, axis-aligned bounds).
public struct TextBox: Equatable, Sendable {
    public var text: String
    public var rect: Rect
    /// Rotation in degrees (counter-clockwise); for 0 and 90 `rect` is the exact ink box.
    public var rotation: Double
}

/// A thin drawing layer over a Cairo context, in figure points (1/72 inch, y down).
///
/// It draws lines, shapes and text in DejaVu Sans through Cairo's toy font API and measures
/// text the same way, so layout computed from measurements matches what is drawn. Hint metrics
/// are off so measurements do not depend on the output resolution. Every drawn text's bounding
/// box is recorded in `textBoxes`.
class Canvas {
    let cr: OpaquePointer
    private(set) var textBoxes: [TextBox] = []

    /// Wraps `cr` (not owned; the caller destroys it).
    init(cr: OpaquePointer) {
        self.cr = cr
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_set_font_options(cr, options)
        cairo_font_options_destroy(options)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
    }

    /// A canvas on a private 1x1 surface, for measuring text only.
    static func measuring() -> Canvas {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        let cr = cairo_create(surface)!
        cairo_surface_destroy(surface)  // the context keeps a reference
        return MeasuringCanvas(cr: cr)
    }

    // MARK: - State

    func save() { cairo_save(cr) }
    func restore() { cairo_restore(cr) }
    func clip(_ r: Rect) { cairo_rectangle(cr, r.x, r.y, r.width, r.height); cairo_clip(cr) }

    func setColor(_ c: Color) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }

    private func setFont(size: Double, bold: Bool) {
        cairo_select_font_face(
            cr, Style.fontFamily, CAIRO_FONT_SLANT_NORMAL,
            bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    // MARK: - Text

    /// Ascent and descent of the font at `size` points.
    func fontMetrics(size: Double, bold: Bool = false) -> (ascent: Double, descent: Double) {
        setFont(size: size, bold: bold)
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        return (fe.ascent, fe.descent)
    }

    /// Advance width of one line of text.
    func lineWidth(_ line: String, size: Double, bold: Bool = false) -> Double {
        setFont(size: size, bold: bold)
        var te = cairo_text_extents_t()
        cairo_text_extents(cr, line, &te)
        return max(te.x_advance, te.x_bearing + te.width)
    }

    /// Size of a (possibly multi-line, `\n`-separated) text block, unrotated. Empty text is zero.
    func measure(_ text: String, size: Double, bold: Bool = false) -> Size {
        if text.isEmpty { return .zero }
        let lines = text.components(separatedBy: "\n")
        let m = fontMetrics(size: size, bold: bold)
        let width = lines.map { lineWidth($0, size: size, bold: bold) }.max() ?? 0
        return Size(width: width, height: Double(lines.count) * (m.ascent + m.descent))
    }

    /// `text` with each line greedily wrapped at spaces so that no line is wider than `width`
    /// points where possible (a single word wider than `width` stays whole). Text that fits within
    /// `width + slack` is returned unchanged.
    func wrapped(_ text: String, width: Double, size: Double, bold: Bool = false, slack: Double = 0) -> String {
        guard measure(text, size: size, bold: bold).width > width + slack, width > 0 else { return text }
        var out: [String] = []
        for paragraph in text.components(separatedBy: "\n") {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
                let candidate = line.isEmpty ? word : line + " " + word
                if !line.isEmpty && lineWidth(candidate, size: size, bold: bold) > width {
                    out.append(line); line = word
                } else {
                    line = candidate
                }
            }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    /// Bounding size of a text block rotated by `degrees` (counter-clockwise).
    func measure(_ text: String, size: Double, bold: Bool = false, rotation degrees: Double) -> Size {
        let s = measure(text, size: size, bold: bold)
        let a = degrees * .pi / 180
        return Size(
            width: abs(s.width * cos(a)) + abs(s.height * sin(a)),
            height: abs(s.width * sin(a)) + abs(s.height * cos(a)))
    }

    /// Draws a text block so that its anchor (`h`, `v`) lies at `p`, rotated by `degrees`
    /// counter-clockwise about `p`. Lines are aligned by `h`. Returns and records the
    /// block's axis-aligned bounding box.
    @discardableResult
    func text(
        _ text: String, at p: Point, h: HAlign = .left, v: VAlign = .baseline,
        size: Double = Style.fontSize, bold: Bool = false, color: Color = .black,
        rotation degrees: Double = 0
    ) -> Rect {
        if text.isEmpty { return Rect(x: p.x, y: p.y, width: 0, height: 0) }
        let lines = text.components(separatedBy: "\n")
        let block = measure(text, size: size, bold: bold)
        let m = fontMetrics(size: size, bold: bold)
        let lineHeight = m.ascent + m.descent
        // Block origin (top-left) relative to the anchor, before rotation.
        let ox: Double
        switch h {
        case .left: ox = 0;
        case .center: ox = -block.width / 2;
        case .right: ox = -block.width
        }
        let oy: Double
        switch v {
        case .top: oy = 0
        case .center: oy = -block.height / 2
        case .baseline: oy = -m.ascent
        case .bottom: oy = -block.height
        }
        save()
        cairo_translate(cr, p.x, p.y)
        cairo_rotate(cr, -degrees * .pi / 180)
        setColor(color)
        setFont(size: size, bold: bold)
        for (i, line) in lines.enumerated() {
            let w = lineWidth(line, size: size, bold: bold)
            let lx: Double
            switch h {
            case .left: lx = ox;
            case .center: lx = ox + (block.width - w) / 2;
            case .right: lx = ox + block.width - w
            }
            cairo_move_to(cr, lx, oy + m.ascent + Double(i) * lineHeight)
            cairo_show_text(cr, line)
        }
        restore()
        // Axis-aligned bounds of the rotated block.
        let a = degrees * .pi / 180, c = cos(a), s = sin(a)
        let corners = [(ox, oy), (ox + block.width, oy), (ox, oy + block.height), (ox + block.width, oy + block.height)]
            .map { (x, y) in Point(x: p.x + x * c + y * s, y: p.y - x * s + y * c) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        let box = Rect(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)
        textBoxes.append(TextBox(text: text, rect: box, rotation: degrees))
        return box
    }

    // MARK: - Shapes

    /// Strokes a polyline. `dash` is a pattern in points (empty: solid).
    func polyline(_ pts: [Point], color: Color, width: Double, dash: [Double] = [], closed: Bool = false) {
        guard pts.count >= 2 else { return }
        cairo_new_path(cr)
        cairo_move_to(cr, pts[0].x, pts[0].y)
        for p in pts.dropFirst() { cairo_line_to(cr, p.x, p.y) }
        if closed { cairo_close_path(cr) }
        stroke(color: color, width: width, dash: dash)
    }

    func line(_ a: Point, _ b: Point, color: Color, width: Double, dash: [Double] = []) {
        polyline([a, b], color: color, width: width, dash: dash)
    }

    /// Fills and/or strokes a polygon.
    func polygon(_ pts: [Point], fill: Color?, stroke strokeColor: Color? = nil, width: Double = 1) {
        guard pts.count >= 3 else { return }
        cairo_new_path(cr)
        cairo_move_to(cr, pts[0].x, pts[0].y)
        for p in pts.dropFirst() { cairo_line_to(cr, p.x, p.y) }
        cairo_close_path(cr)
        paint(fill: fill, stroke: strokeColor, width: width)
    }

    /// Fills and/or strokes a rectangle, optionally with rounded corners of radius `radius`.
    func rect(_ r: Rect, fill: Color?, stroke strokeColor: Color? = nil, width: Double = 1, radius: Double = 0) {
        cairo_new_path(cr)
        if radius > 0 {
            let rr = min(radius, r.width / 2, r.height / 2)
            cairo_arc(cr, r.maxX - rr, r.minY + rr, rr, -.pi / 2, 0)
            cairo_arc(cr, r.maxX - rr, r.maxY - rr, rr, 0, .pi / 2)
            cairo_arc(cr, r.minX + rr, r.maxY - rr, rr, .pi / 2, .pi)
            cairo_arc(cr, r.minX + rr, r.minY + rr, rr, .pi, 3 * .pi / 2)
            cairo_close_path(cr)
        } else {
            cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        }
        paint(fill: fill, stroke: strokeColor, width: width)
    }

    /// Fills and/or strokes an ellipse inscribed in `r`.
    func ellipse(_ r: Rect, fill: Color?, stroke strokeColor: Color? = nil, width: Double = 1) {
        cairo_new_path(cr)
        save()
        cairo_translate(cr, r.midX, r.midY)
        cairo_scale(cr, r.width / 2, r.height / 2)
        cairo_arc(cr, 0, 0, 1, 0, 2 * .pi)
        restore()
        paint(fill: fill, stroke: strokeColor, width: width)
    }

    private func paint(fill: Color?, stroke strokeColor: Color?, width: Double) {
        if let fill {
            setColor(fill)
            if strokeColor != nil { cairo_fill_preserve(cr) } else { cairo_fill(cr) }
        }
        if let strokeColor { stroke(color: strokeColor, width: width, dash: []) }
        cairo_new_path(cr)
    }

    private func stroke(color: Color, width: Double, dash: [Double]) {
        setColor(color)
        cairo_set_line_width(cr, width)
        cairo_set_dash(cr, dash, Int32(dash.count), 0)
        cairo_stroke(cr)
        cairo_set_dash(cr, nil, 0, 0)
    }

    /// Paints an RGB raster (row-major, 3 bytes a pixel) into `r`, scaled; nearest-neighbour
    /// sampling when enlarging (pixels stay crisp), box-filtered when shrinking.
    func image(rgb: [UInt8], width: Int, height: Int, in r: Rect) {
        precondition(rgb.count == width * height * 3, "RGB buffer size mismatch")
        guard width > 0, height > 0, r.width > 0, r.height > 0 else { return }
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(width)))
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else { return }
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!
        data.withMemoryRebound(to: UInt32.self, capacity: stride / 4 * height) { px in
            for y in 0..<height {
                for x in 0..<width {
                    let i = (y * width + x) * 3
                    px[y * (stride / 4) + x] = 0xff00_0000 | UInt32(rgb[i]) << 16 | UInt32(rgb[i + 1]) << 8 | UInt32(rgb[i + 2])
                }
            }
        }
        cairo_surface_mark_dirty(surface)
        save()
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        cairo_clip(cr)
        cairo_translate(cr, r.x, r.y)
        cairo_scale(cr, r.width / Double(width), r.height / Double(height))
        cairo_set_source_surface(cr, surface, 0, 0)
        let pattern = cairo_get_source(cr)
        // Device scale decides enlarging vs shrinking; compare in user space points per pixel.
        cairo_pattern_set_filter(pattern, r.width >= Double(width) ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD)
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_paint(cr)
        restore()
    }
}

/// A canvas that only measures; drawing calls are still valid but go to a 1x1 surface.
final class MeasuringCanvas: Canvas {
    deinit { cairo_destroy(cr) }
}
