import AtomicFiles
import CCairo
import Foundation

/// Rendering a figure to PNG (raster, at `dpi`) and SVG (vector, in points).
extension Figure {
    /// Renders to an ARGB32 Cairo image of `pixelSize`, on white, and passes it to `body`.
    private func withRaster<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        let (w, h) = pixelSize
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w), Int32(h)),
            cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
        else {
            throw PlotsError.renderFailed(reason: "cannot create a \(w)x\(h) image surface")
        }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, Double(w) / size.width, Double(h) / size.height)
        render(on: Canvas(cr: cr))
        cairo_surface_flush(surface)
        if cairo_status(cr) != CAIRO_STATUS_SUCCESS {
            throw PlotsError.renderFailed(reason: String(cString: cairo_status_to_string(cairo_status(cr))))
        }
        return try body(surface)
    }

    /// The figure rendered at `dpi` as 8-bit RGB (for checks and for composing images).
    public func renderRGB() throws -> RGBImage {
        try withRaster { surface in
            let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
            let stride = Int(cairo_image_surface_get_stride(surface))
            let data = cairo_image_surface_get_data(surface)!
            var out = [UInt8](repeating: 0, count: w * h * 3)
            data.withMemoryRebound(to: UInt32.self, capacity: stride / 4 * h) { px in
                for y in 0..<h {
                    for x in 0..<w {
                        let v = px[y * (stride / 4) + x]  // opaque, so premultiplication is the identity
                        let i = (y * w + x) * 3
                        out[i] = UInt8((v >> 16) & 0xff); out[i + 1] = UInt8((v >> 8) & 0xff); out[i + 2] = UInt8(v & 0xff)
                    }
                }
            }
            return RGBImage(width: w, height: h, pixels: out)
        }
    }

    /// PNG bytes of the figure at `dpi`, with a pHYs chunk recording the resolution.
    public func pngData() throws -> [UInt8] {
        try withRaster { surface in
            let sink = ByteSink()
            let status = cairo_surface_write_to_png_stream(surface, byteSinkWrite, Unmanaged.passUnretained(sink).toOpaque())
            guard status == CAIRO_STATUS_SUCCESS else {
                throw PlotsError.renderFailed(reason: String(cString: cairo_status_to_string(status)))
            }
            return PNGChunks.insertPhysicalResolution(sink.bytes, dpi: dpi)
        }
    }

    /// SVG text of the figure (size in points; text as glyph outlines). Element ids are
    /// renumbered in order of appearance so the output is identical for identical figures.
    public func svgString() throws -> String {
        let sink = ByteSink()
        guard
            let surface = cairo_svg_surface_create_for_stream(
                byteSinkWrite, Unmanaged.passUnretained(sink).toOpaque(),
                size.width, size.height)
        else {
            throw PlotsError.renderFailed(reason: "cannot create an SVG surface")
        }
        cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_1)
        cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT)
        let cr = cairo_create(surface)!
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        render(on: Canvas(cr: cr))
        let status = cairo_status(cr)
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotsError.renderFailed(reason: String(cString: cairo_status_to_string(status)))
        }
        return SVGNormalizer.normalize(String(decoding: sink.bytes, as: UTF8.self))
    }

    /// Writes the figure as PNG at `dpi` to `path`, atomically.
    public func savePNG(_ path: String) throws { try AtomicFile.write(pngData(), to: path) }

    /// Writes the figure as SVG to `path`, atomically.
    public func saveSVG(_ path: String) throws { try AtomicFile.write(Array(svgString().utf8), to: path) }
}

/// Collects bytes from Cairo's stream callbacks.
final class ByteSink { var bytes: [UInt8] = [] }

/// Cairo write callback appending to a `ByteSink` passed as the closure pointer.
let byteSinkWrite: cairo_write_func_t = { closure, data, length in
    let sink = Unmanaged<ByteSink>.fromOpaque(closure!).takeUnretainedValue()
    if let data, length > 0 { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length))) }
    return CAIRO_STATUS_SUCCESS
}

/// Makes Cairo's SVG deterministic: Cairo numbers some ids (surfaces, images, sources) from
/// process-wide counters, so the same figure gets different ids depending on what was drawn
/// before. Ids of the form `<prefix><digits>` are renumbered from 1 per prefix in order of
/// first appearance; glyph ids (`glyph<font>-<n>`) are per document and left alone.
enum SVGNormalizer {
    static let prefixes = ["surface", "image", "source", "pattern", "clip", "mask", "linear", "radial", "filter"]

    static func normalize(_ svg: String) -> String {
        var text = svg
        for prefix in prefixes {
            guard let re = try? NSRegularExpression(pattern: "\\b\(prefix)([0-9]+)\\b") else { continue }
            let ns = text as NSString
            var mapping: [String: Int] = [:]
            var result = ""
            var last = 0
            for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let num = ns.substring(with: m.range(at: 1))
                let id =
                    mapping[num]
                    ?? {
                        let n = mapping.count + 1; mapping[num] = n; return n
                    }()
                result += ns.substring(with: NSRange(location: last, length: m.range.location - last))
                result += "\(prefix)\(id)"
                last = m.range.location + m.range.length
            }
            result += ns.substring(from: last)
            text = result
        }
        return text
    }
}

/// PNG chunk helpers.
enum PNGChunks {
    /// CRC-32 (ISO 3309, as PNG uses) of `bytes`.
    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xffff_ffff
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xedb8_8320 : 0) }
        }
        return crc ^ 0xffff_ffff
    }

    /// Inserts a pHYs chunk (pixels per metre) after IHDR, so viewers know the intended DPI.
    static func insertPhysicalResolution(_ png: [UInt8], dpi: Double) -> [UInt8] {
        // Signature (8) + IHDR (4 length + 4 type + 13 data + 4 CRC) = 33 bytes.
        guard png.count > 33 else { return png }
        let ppm = UInt32((dpi / 0.0254).rounded())
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
        let body: [UInt8] = Array("pHYs".utf8) + be(ppm) + be(ppm) + [1]
        let chunk = be(9) + body + be(crc32(body))
        return Array(png[0..<33]) + chunk + Array(png[33...])
    }
}
