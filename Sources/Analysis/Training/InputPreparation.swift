import Foundation

/// How stored pixel values become network inputs.
///
/// The authors feed the stored 16-bit values as floats, unscaled (§2.1 argues against scaling
/// each image by its own maximum, which would change the meaning of a value between images).
public enum InputScaling: String, Codable, CaseIterable, Sendable {
    /// The stored values as Float32 (0…65535): the paper's input.
    case raw
    /// Divided by 65535, the 16-bit range: same contrast between images, values in [0, 1].
    case fixed
    /// Divided by the image's own maximum (an all-zero image stays zero): the ablation the
    /// paper argues against.
    case perImageMax = "per-image-max"
}

/// How a stored image is resized to the model's input size.
public enum ResizeMethod: String, Codable, CaseIterable, Sendable {
    /// Box filter with fractional pixel coverage along an axis that shrinks (OpenCV
    /// `INTER_AREA`): every stored pixel contributes in proportion to its overlap, so
    /// 512 → 96 does not alias. An axis that grows falls back to bilinear.
    case area
    /// Bilinear with half-pixel centres (`tf.image.resize` bilinear without antialiasing,
    /// OpenCV `INTER_LINEAR`): source position `(i + 0.5)·in/out − 0.5`, clamped.
    case bilinear
}

/// Reads a stored slice and turns it into a square model input: Float32 values, resized to
/// `size × size`, then scaled. The resize happens before augmentation (the authors augment at
/// 512 px and feed 512 px; at a reduced input size we augment the reduced image — the same
/// affine transform relative to the image, at lower resolution).
public struct InputPreparation: Codable, Equatable, Hashable, Sendable {
    public var size: Int
    public var scaling: InputScaling
    public var resize: ResizeMethod

    public init(size: Int, scaling: InputScaling = .raw, resize: ResizeMethod = .area) {
        precondition(size > 0, "input size must be positive")
        self.size = size; self.scaling = scaling; self.resize = resize
    }

    /// The prepared image of the TIFF file at `path`: `size·size` values, row-major.
    /// Throws `TIFFError` when the file cannot be read.
    public func load(_ path: String) throws -> [Float] {
        let image = try TIFFReader.read(path)
        return prepare(image.float32, width: image.width, height: image.height)
    }

    /// Resizes (when the stored size differs) and scales `pixels` (`height` rows of `width`).
    public func prepare(_ pixels: [Float], width: Int, height: Int) -> [Float] {
        precondition(pixels.count == width * height && width > 0 && height > 0, "bad image dimensions")
        var out =
            (width == size && height == size)
            ? pixels
            : Self.resample(
                pixels, width: width, height: height,
                to: size, size, method: resize)
        switch scaling {
        case .raw: break
        case .fixed: for i in out.indices { out[i] /= 65535 }
        case .perImageMax:
            let m = out.max() ?? 0
            if m > 0 { for i in out.indices { out[i] /= m } }
        }
        return out
    }

    // MARK: - Resampling

    /// Separable resampling of a row-major image to `outWidth × outHeight`.
    public static func resample(
        _ pixels: [Float], width: Int, height: Int, to outWidth: Int, _ outHeight: Int,
        method: ResizeMethod
    ) -> [Float] {
        let wx = weights(input: width, output: outWidth, method: method)
        let wy = weights(input: height, output: outHeight, method: method)
        // Rows first: [height, outWidth] in Double, then columns.
        var tmp = [Double](repeating: 0, count: height * outWidth)
        for y in 0..<height {
            for (ox, taps) in wx.enumerated() {
                var s = 0.0
                for (i, w) in taps { s += w * Double(pixels[y * width + i]) }
                tmp[y * outWidth + ox] = s
            }
        }
        var out = [Float](repeating: 0, count: outHeight * outWidth)
        for (oy, taps) in wy.enumerated() {
            for ox in 0..<outWidth {
                var s = 0.0
                for (i, w) in taps { s += w * tmp[i * outWidth + ox] }
                out[oy * outWidth + ox] = Float(s)
            }
        }
        return out
    }

    /// For each output index along one axis, the input indices and weights (summing to 1).
    static func weights(input n: Int, output m: Int, method: ResizeMethod) -> [[(Int, Double)]] {
        let scale = Double(n) / Double(m)
        if method == .area && m < n {
            return (0..<m).map { o in
                let lo = Double(o) * scale, hi = Double(o + 1) * scale
                var taps: [(Int, Double)] = []
                var i = Int(lo.rounded(.down))
                while Double(i) < hi && i < n {
                    let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                    if overlap > 1e-12 { taps.append((i, overlap / scale)) }
                    i += 1
                }
                return taps
            }
        }
        return (0..<m).map { o in
            let p = min(max((Double(o) + 0.5) * scale - 0.5, 0), Double(n - 1))
            let i0 = Int(p), f = p - Double(i0)
            let i1 = min(i0 + 1, n - 1)
            return f == 0 || i1 == i0 ? [(i0, 1)] : [(i0, 1 - f), (i1, f)]
        }
    }
}
