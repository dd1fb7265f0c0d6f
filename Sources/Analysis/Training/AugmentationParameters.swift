import Foundation
import NeuralNet

/// The ranges of the random augmentation (§2.4, Table 3), with the semantics of the authors'
/// Keras `ImageDataGenerator(horizontal_flip=True, vertical_flip=True, rotation_range=360,
/// zoom_range=0.05, width_shift_range=0.05, height_shift_range=0.05, shear_range=0.05,
/// fill_mode='nearest')`.
///
/// - rotation: θ uniform in `[-rotationRangeDegrees, +rotationRangeDegrees]` (Keras draws
///   `uniform(-rg, rg)`; with 360 every angle of 0–360° is equally likely, Table 3's "0 - 360").
/// - shifts: `tx` uniform in `±widthShiftFraction · width` pixels (columns), `ty` in
///   `±heightShiftFraction · height` pixels (rows); Keras multiplies a fraction < 1 by the size.
/// - shear: **degrees**, as Keras's `ImageDataGenerator` documents `shear_range` ("shear angle in
///   counter-clockwise direction in degrees") and converts with `np.deg2rad` in
///   `apply_affine_transform`. So 0.05 means ±0.05°, a shear of at most 8.7e-4 — practically none,
///   but that is what the authors' generator does, and it is kept.
/// - zoom: `zx`, `zy` drawn independently, uniform in `[1 - zoomRange, 1 + zoomRange]` (Keras).
///   A factor > 1 samples a larger area, so the content shrinks (Keras's convention).
/// - flips: each with probability 0.5, applied after the affine transform (Keras's order).
public struct AugmentationParameters: Codable, Equatable, Hashable, Sendable {
    public var rotationRangeDegrees: Double
    public var widthShiftFraction: Double
    public var heightShiftFraction: Double
    public var shearRangeDegrees: Double
    public var zoomRange: Double
    public var horizontalFlip: Bool
    public var verticalFlip: Bool

    public init(
        rotationRangeDegrees: Double = 360, widthShiftFraction: Double = 0.05, heightShiftFraction: Double = 0.05,
        shearRangeDegrees: Double = 0.05, zoomRange: Double = 0.05, horizontalFlip: Bool = true, verticalFlip: Bool = true
    ) {
        self.rotationRangeDegrees = rotationRangeDegrees
        self.widthShiftFraction = widthShiftFraction; self.heightShiftFraction = heightShiftFraction
        self.shearRangeDegrees = shearRangeDegrees; self.zoomRange = zoomRange
        self.horizontalFlip = horizontalFlip; self.verticalFlip = verticalFlip
    }

    /// Table 3 and the authors' generator.
    public static let paper = AugmentationParameters()
    /// No augmentation at all (every draw is the identity).
    public static let disabled = AugmentationParameters(
        rotationRangeDegrees: 0, widthShiftFraction: 0, heightShiftFraction: 0,
        shearRangeDegrees: 0, zoomRange: 0, horizontalFlip: false, verticalFlip: false)

    /// The transform of image `index` in epoch `epoch` (both 0-based) of a run seeded `seed`:
    /// a pure function of the three, so any batch of any epoch can be regenerated.
    public func sample(seed: UInt64, epoch: Int, index: Int, width: Int, height: Int) -> AugmentationSample {
        var rng = RNG(seed: TrainingSeeds.derive(seed, "augmentation", epoch, index))
        var s = AugmentationSample.identity
        // Every draw is made whether or not its range is zero, so enabling one transform does not
        // change the others' values.
        let theta = rng.uniform(-1, 1), tx = rng.uniform(-1, 1), ty = rng.uniform(-1, 1)
        let shear = rng.uniform(-1, 1), zx = rng.uniform(-1, 1), zy = rng.uniform(-1, 1)
        let fh = rng.uniform(), fv = rng.uniform()
        s.rotationDegrees = theta * rotationRangeDegrees
        s.shiftX = tx * widthShiftFraction * Double(width)
        s.shiftY = ty * heightShiftFraction * Double(height)
        s.shearDegrees = shear * shearRangeDegrees
        s.zoomX = 1 + zx * zoomRange
        s.zoomY = 1 + zy * zoomRange
        s.flipHorizontal = horizontalFlip && fh < 0.5
        s.flipVertical = verticalFlip && fv < 0.5
        return s
    }
}

/// One drawn augmentation: the values Keras's `get_random_transform` returns.
/// Coordinates are `x` = column, `y` = row; shifts in pixels, angles in degrees.
public struct AugmentationSample: Codable, Equatable, Hashable, Sendable {
    public var rotationDegrees: Double = 0
    /// Shift along columns (pixels): output column `c` samples input column `c + shiftX`
    /// when nothing else is applied, so content moves left for a positive value.
    public var shiftX: Double = 0
    /// Shift along rows (pixels), same convention.
    public var shiftY: Double = 0
    public var shearDegrees: Double = 0
    public var zoomX: Double = 1
    public var zoomY: Double = 1
    /// Mirror left–right (columns reversed), after the affine transform.
    public var flipHorizontal = false
    /// Mirror top–bottom (rows reversed), after the affine transform.
    public var flipVertical = false

    public init() {}

    /// The sample that returns its input unchanged.
    public static let identity = AugmentationSample()

    /// Whether the affine part is exactly the identity.
    public var isAffineIdentity: Bool {
        rotationDegrees == 0 && shiftX == 0 && shiftY == 0 && shearDegrees == 0 && zoomX == 1 && zoomY == 1
    }

    /// The 2×3 matrix `[a b c; d e f]` mapping an output position relative to the image centre
    /// to an input position relative to the centre: `M = R(θ)·T(tx, ty)·Sh(s)·Z(zx, zy)`, the
    /// product Keras's `apply_affine_transform` builds, with `R = [cos −sin; sin cos]`,
    /// `Sh = [1 −sin s; 0 cos s]`, `Z = diag(zx, zy)`.
    public var matrix: (a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        let t = rotationDegrees * .pi / 180, s = shearDegrees * .pi / 180
        let (ct, st) = rotationDegrees == 0 ? (1.0, 0.0) : (cos(t), sin(t))
        // R·T: linear part R, translation R·(tx, ty)
        let c = ct * shiftX - st * shiftY, f = st * shiftX + ct * shiftY
        // ·Sh: [ct −st; st ct]·[1 −sin s; 0 cos s]
        let (ss, cs) = shearDegrees == 0 ? (0.0, 1.0) : (sin(s), cos(s))
        var a = ct, b = -ct * ss - st * cs, d = st, e = -st * ss + ct * cs
        // ·Z: scale columns
        a *= zoomX; d *= zoomX; b *= zoomY; e *= zoomY
        return (a, b, c, d, e, f)
    }
}

/// Seed derivation for the training stage: independent streams per purpose and index.
public enum TrainingSeeds {
    /// A 64-bit seed that depends on `seed`, the stream name and two integers, well mixed.
    public static func derive(_ seed: UInt64, _ stream: String, _ a: Int, _ b: Int = 0) -> UInt64 {
        var g = SplitMix64(seed: seed, stream: stream)
        var h = SplitMix64(seed: g.next() ^ (UInt64(bitPattern: Int64(a)) &* 0x9E37_79B9_7F4A_7C15))
        var k = SplitMix64(seed: h.next() ^ (UInt64(bitPattern: Int64(b)) &* 0xC2B2_AE3D_27D4_EB4F))
        return k.next()
    }
}
