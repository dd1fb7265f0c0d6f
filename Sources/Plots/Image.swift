/// A single-channel image, row-major, `pixels[y * width + x]`, y = 0 the top row.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [Float]

    /// - Precondition: `pixels.count == width * height`.
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(
            width >= 0 && height >= 0 && pixels.count == width * height,
            "GrayImage: \(pixels.count) pixels for \(width)x\(height)")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// From 16-bit stored values (e.g. CT slices stored as HU + 1024).
    public init(width: Int, height: Int, pixels: [UInt16]) {
        self.init(width: width, height: height, pixels: pixels.map { Float($0) })
    }

    /// The value at (x, y).
    public subscript(x: Int, y: Int) -> Float { pixels[y * width + x] }

    /// Bilinear resampling to `w` x `h` (pixel centres aligned, edges clamped).
    public func resized(width w: Int, height h: Int) -> GrayImage {
        precondition(w > 0 && h > 0 && width > 0 && height > 0, "resized: empty image")
        if w == width && h == height { return self }
        var out = [Float](repeating: 0, count: w * h)
        let sx = Double(width) / Double(w), sy = Double(height) / Double(h)
        for y in 0..<h {
            let fy = min(max((Double(y) + 0.5) * sy - 0.5, 0), Double(height - 1))
            let y0 = Int(fy), y1 = min(y0 + 1, height - 1), ty = Float(fy - Double(y0))
            for x in 0..<w {
                let fx = min(max((Double(x) + 0.5) * sx - 0.5, 0), Double(width - 1))
                let x0 = Int(fx), x1 = min(x0 + 1, width - 1), tx = Float(fx - Double(x0))
                let top = pixels[y0 * width + x0] * (1 - tx) + pixels[y0 * width + x1] * tx
                let bottom = pixels[y1 * width + x0] * (1 - tx) + pixels[y1 * width + x1] * tx
                out[y * w + x] = top * (1 - ty) + bottom * ty
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }
}

/// An 8-bit RGB image, row-major, 3 bytes a pixel (r, g, b), y = 0 the top row.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    /// - Precondition: `pixels.count == width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// The (r, g, b) at (x, y).
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

/// A display window on stored values: `center ± width / 2` maps to black...white, values
/// outside are clipped (radiology's window level / width; a CT lung window W 1200, L -600 on
/// values stored as HU + 1024 is `DisplayWindow(center: 424, width: 1200)`).
public struct DisplayWindow: Sendable, Equatable {
    public var center: Double
    public var width: Double
    /// - Precondition: `width > 0`.
    public init(center: Double, width: Double) {
        precondition(width > 0, "DisplayWindow width must be positive")
        self.center = center; self.width = width
    }
    /// The window spanning `range`.
    public init(range: ClosedRange<Double>) {
        let w = range.upperBound - range.lowerBound
        self.init(center: (range.lowerBound + range.upperBound) / 2, width: w > 0 ? w : 1)
    }
    /// The lowest and highest value of the window.
    public var lower: Double { center - width / 2 }
    public var upper: Double { center + width / 2 }
    /// `v` mapped to 0...1 and clipped.
    public func normalized(_ v: Double) -> Double { min(max((v - lower) / width, 0), 1) }
}

/// Heat overlay of an image: values mapped through a colormap and alpha-blended over the
/// image, `out = (1 - alpha) * image + alpha * colormap(value)`, per channel, before rounding.
public struct HeatOverlay: Sendable {
    public var values: GrayImage
    public var colormap: Colormap
    public var alpha: Double
    public var range: ClosedRange<Double>?
    public init(values: GrayImage, colormap: Colormap = .jet, alpha: Double = 0.4, range: ClosedRange<Double>? = nil) {
        precondition((0...1).contains(alpha), "HeatOverlay alpha must lie in 0...1")
        self.values = values; self.colormap = colormap; self.alpha = alpha; self.range = range
    }
}

/// Composes a grey image through a window and colormap, with an optional heat overlay
/// (resampled bilinearly to the image's size), into 8-bit RGB.
public func composeImage(
    _ image: GrayImage, window: DisplayWindow? = nil, colormap: Colormap = .gray,
    overlay: HeatOverlay? = nil
) -> RGBImage {
    let w = window ?? DisplayWindow(range: finiteRange(image.pixels.lazy.map(Double.init)) ?? 0...1)
    // A 1024-entry lookup would be faster; images here are small enough to map directly.
    var base = [Double](repeating: 0, count: image.pixels.count * 3)
    for (i, v) in image.pixels.enumerated() {
        let c = colormap.color(at: w.normalized(Double(v)))
        base[3 * i] = c.r; base[3 * i + 1] = c.g; base[3 * i + 2] = c.b
    }
    if let overlay, image.width > 0, image.height > 0 {
        let heat = overlay.values.resized(width: image.width, height: image.height)
        let r = overlay.range ?? finiteRange(heat.pixels.lazy.map(Double.init)) ?? 0...1
        let a = overlay.alpha
        for (i, v) in heat.pixels.enumerated() {
            let c = overlay.colormap.color(for: Double(v), in: r)
            base[3 * i] = (1 - a) * base[3 * i] + a * c.r
            base[3 * i + 1] = (1 - a) * base[3 * i + 1] + a * c.g
            base[3 * i + 2] = (1 - a) * base[3 * i + 2] + a * c.b
        }
    }
    return RGBImage(
        width: image.width, height: image.height,
        pixels: base.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
}
