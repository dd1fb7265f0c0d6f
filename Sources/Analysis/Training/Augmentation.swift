import Dispatch
import Foundation
import NeuralNet

/// Applies drawn augmentations to single-channel images (§2.4, Table 3) as Keras's
/// `apply_affine_transform` followed by the flips of `ImageDataGenerator.apply_transform`.
///
/// Every output pixel `o = (x, y)` (column, row) samples the input at
/// `p = C + A·(o − C) + t`, with `[A | t]` = `AugmentationSample.matrix` and the centre
/// `C = ((W − 1)/2, (H − 1)/2)` — the exact pixel centre, which Keras uses since
/// keras-preprocessing 1.1.2 (Nov. 2020; earlier versions used `W/2 + 0.5`, one pixel off).
/// Sampling is bilinear (scipy `order=1`) and positions outside the image take the nearest
/// border pixel (fill mode 'nearest'): the position is clamped to `[0, W−1] × [0, H−1]`.
/// Positions within 1e-9 of an integer are snapped to it, so a 90° rotation or a whole-pixel
/// shift moves pixels exactly. The flips are applied to the transformed image.
public enum Augmentation {
    /// Transforms one image stored row-major (`height` rows of `width` values).
    /// The identity sample returns the input unchanged (bit for bit).
    public static func apply(_ image: [Float], width: Int, height: Int, sample: AugmentationSample) -> [Float] {
        precondition(image.count == width * height, "image has \(image.count) values, expected \(width)×\(height)")
        var out = [Float](repeating: 0, count: image.count)
        image.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                apply(src.baseAddress!, dst.baseAddress!, width: width, height: height, sample: sample)
            }
        }
        return out
    }

    /// Transforms `src` into `dst` (both `width·height` values, not overlapping).
    public static func apply(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, width W: Int, height H: Int,
        sample: AugmentationSample
    ) {
        if sample.isAffineIdentity {
            dst.update(from: src, count: W * H)
        } else {
            let m = sample.matrix
            let cx = Double(W - 1) / 2, cy = Double(H - 1) / 2
            let maxX = Double(W - 1), maxY = Double(H - 1)
            for y in 0..<H {
                let ry = Double(y) - cy
                for x in 0..<W {
                    let rx = Double(x) - cx
                    // p = C + A·(o − C) + t
                    let px = min(max(snap(cx + m.a * rx + m.b * ry + m.c), 0), maxX)
                    let py = min(max(snap(cy + m.d * rx + m.e * ry + m.f), 0), maxY)
                    let x0 = Int(px), y0 = Int(py)
                    let fx = px - Double(x0), fy = py - Double(y0)
                    let x1 = min(x0 + 1, W - 1), y1 = min(y0 + 1, H - 1)
                    let v00 = Double(src[y0 * W + x0]), v01 = Double(src[y0 * W + x1])
                    let v10 = Double(src[y1 * W + x0]), v11 = Double(src[y1 * W + x1])
                    let top = fx == 0 ? v00 : v00 + (v01 - v00) * fx
                    let bottom = fx == 0 ? v10 : v10 + (v11 - v10) * fx
                    dst[y * W + x] = Float(fy == 0 ? top : top + (bottom - top) * fy)
                }
            }
        }
        if sample.flipHorizontal {
            for y in 0..<H {
                let row = dst + y * W
                var i = 0, j = W - 1
                while i < j { let t = row[i]; row[i] = row[j]; row[j] = t; i += 1; j -= 1 }
            }
        }
        if sample.flipVertical {
            var i = 0, j = H - 1
            while i < j {
                for x in 0..<W { let t = dst[i * W + x]; dst[i * W + x] = dst[j * W + x]; dst[j * W + x] = t }
                i += 1; j -= 1
            }
        }
    }

    /// Transforms `count` images of `width × height` stored back to back, image `k` with
    /// `samples[k]`, spreading the images over both cores (`DispatchQueue.concurrentPerform`).
    /// Each image is independent, so the result does not depend on the scheduling.
    public static func applyBatch(_ images: [Float], width: Int, height: Int, samples: [AugmentationSample]) -> [Float] {
        let n = width * height
        precondition(
            images.count == n * samples.count, "batch holds \(images.count) values, expected \(samples.count) images of \(width)×\(height)")
        var out = [Float](repeating: 0, count: images.count)
        images.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                Parallel.run(workers: samples.count) { k in
                    apply(s + k * n, d + k * n, width: width, height: height, sample: samples[k])
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func snap(_ v: Double) -> Double {
        let r = v.rounded()
        return abs(v - r) < 1e-9 ? r : v
    }
}
