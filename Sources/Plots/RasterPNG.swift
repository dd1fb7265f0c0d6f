import AtomicFiles
import CPNG
import Foundation

/// Lossless PNG export and import of raw pixel buffers through libpng's simplified API
/// (`png_image_*`, which reports errors through return codes instead of `setjmp`).
///
/// - 16-bit grayscale: stored values (e.g. CT slices as HU + 1024) are written unchanged.
///   libpng marks 16-bit data it writes as linear (gAMA 1.0); that chunk is removed so viewers
///   show the stored values as they are, and libpng reads 16-bit files without gamma
///   information as linear, so `readGray16(writeGray16(x)) == x` bit for bit.
/// - 8-bit RGB: written as sRGB.
public enum RasterPNG {
    /// Writes `pixels` (row-major, `width * height` values) as a 16-bit grayscale PNG, atomically.
    /// - Precondition: `pixels.count == width * height`, both positive.
    public static func writeGray16(_ pixels: [UInt16], width: Int, height: Int, to path: String) throws {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "writeGray16: size mismatch")
        var bytes = try encode(pixels, width: width, height: height, format: UInt32(PNG_FORMAT_LINEAR_Y), path: path)
        bytes = removeChunk("gAMA", from: bytes)
        try AtomicFile.write(bytes, to: path)
    }

    /// Writes an RGB image as an 8-bit RGB PNG, atomically.
    public static func writeRGB8(_ image: RGBImage, to path: String) throws {
        precondition(image.width > 0 && image.height > 0, "writeRGB8: empty image")
        let bytes = try encode(image.pixels, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_RGB), path: path)
        try AtomicFile.write(bytes, to: path)
    }

    /// Reads any PNG as 16-bit linear grayscale (exact for files written by `writeGray16`).
    public static func readGray16(_ path: String) throws -> (pixels: [UInt16], width: Int, height: Int) {
        let (buffer, w, h): ([UInt16], Int, Int) = try decode(path, format: UInt32(PNG_FORMAT_LINEAR_Y), channels: 1, fill: 0)
        return (buffer, w, h)
    }

    /// Reads any PNG as 8-bit RGB (alpha composited on black by libpng; figures are opaque).
    public static func readRGB8(_ path: String) throws -> RGBImage {
        let (buffer, w, h): ([UInt8], Int, Int) = try decode(path, format: UInt32(PNG_FORMAT_RGB), channels: 3, fill: 0)
        return RGBImage(width: w, height: h, pixels: buffer)
    }

    // MARK: - libpng

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func encode<T>(_ pixels: [T], width: Int, height: Int, format: UInt32, path: String) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        var size: Int = 0
        let ok1 = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        guard ok1 != 0, size > 0 else {
            throw PlotsError.writeFailed(path: path, reason: "libpng: \(message(&image))")
        }
        var out = [UInt8](repeating: 0, count: size)
        let ok2 = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        guard ok2 != 0 else { throw PlotsError.writeFailed(path: path, reason: "libpng: \(message(&image))") }
        return Array(out.prefix(size))
    }

    private static func decode<T>(_ path: String, format: UInt32, channels: Int, fill: T) throws -> ([T], Int, Int) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw PlotsError.readFailed(path: path, reason: "libpng: \(message(&image))")
        }
        image.format = format
        let w = Int(image.width), h = Int(image.height)
        var buffer = [T](repeating: fill, count: w * h * channels)
        let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else {
            let reason = message(&image)
            png_image_free(&image)
            throw PlotsError.readFailed(path: path, reason: "libpng: \(reason)")
        }
        return (buffer, w, h)
    }

    /// `png` without any chunk of type `type` (chunks are length, type, data, CRC).
    static func removeChunk(_ type: String, from png: [UInt8]) -> [UInt8] {
        let tag = Array(type.utf8)
        var out = Array(png.prefix(8))
        var i = 8
        while i + 12 <= png.count {
            let length = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            let end = i + 12 + length
            guard end <= png.count else { break }
            if Array(png[(i + 4)..<(i + 8)]) != tag { out += png[i..<end] }
            i = end
        }
        return out
    }
}
