import Foundation

/// Counter-based randomness for the synthetic twin: every random quantity is a pure function of
/// a 64-bit key built from (seed, patient, series, image number, purpose), so any slice can be
/// regenerated alone and the order in which slices are produced never matters.
///
/// Nothing here reads a global random source.
struct SynthRandom {
    /// Internal state (SplitMix64).
    private(set) var state: UInt64

    /// A generator keyed by `key` (use `SynthRandom.key(...)` to build keys).
    init(key: UInt64) { state = key }

    /// A generator keyed by the seed and an ordered list of parts (strings hashed with FNV-1a).
    init(seed: UInt64, _ parts: [String]) { state = SynthRandom.key(seed: seed, parts) }

    /// Mixes `seed` and `parts` into one 64-bit key. Stable across runs and platforms.
    static func key(seed: UInt64, _ parts: [String]) -> UInt64 {
        var h: UInt64 = mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for p in parts {
            var f: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in p.utf8 { f = (f ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            h = mix(h ^ f)
        }
        return h
    }

    /// The SplitMix64 finaliser: a bijective avalanche mix of 64 bits.
    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Next 64 random bits.
    @inline(__always) mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        return SynthRandom.mix(state)
    }

    /// Uniform in [0, 1).
    @inline(__always) mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lo, hi).
    @inline(__always) mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

    /// Standard normal (Box-Muller).
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Normal with mean and standard deviation.
    mutating func normal(_ mean: Double, _ sd: Double) -> Double { mean + sd * normal() }

    /// Uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}

// MARK: - Smooth noise

/// Value noise on an integer lattice, trilinearly interpolated with smoothstep weights.
/// Output in [0, 1). `key` selects an independent field. Units of x, y, z are lattice cells.
@inline(__always) func valueNoise3(_ x: Double, _ y: Double, _ z: Double, key: UInt64) -> Double {
    let xf = x.rounded(.down), yf = y.rounded(.down), zf = z.rounded(.down)
    let xi = Int64(xf), yi = Int64(yf), zi = Int64(zf)
    var tx = x - xf, ty = y - yf, tz = z - zf
    tx = tx * tx * (3 - 2 * tx); ty = ty * ty * (3 - 2 * ty); tz = tz * tz * (3 - 2 * tz)
    @inline(__always) func h(_ a: Int64, _ b: Int64, _ c: Int64) -> Double {
        let k = SynthRandom.mix(
            key ^ (UInt64(bitPattern: a) &* 0x9E37_79B9_7F4A_7C15)
                ^ (UInt64(bitPattern: b) &* 0xC2B2_AE3D_27D4_EB4F)
                ^ (UInt64(bitPattern: c) &* 0x1656_67B1_9E37_79F9))
        return Double(k >> 11) * 0x1.0p-53
    }
    let c000 = h(xi, yi, zi), c100 = h(xi + 1, yi, zi), c010 = h(xi, yi + 1, zi), c110 = h(xi + 1, yi + 1, zi)
    let c001 = h(xi, yi, zi + 1), c101 = h(xi + 1, yi, zi + 1), c011 = h(xi, yi + 1, zi + 1), c111 = h(xi + 1, yi + 1, zi + 1)
    let x00 = c000 + (c100 - c000) * tx, x10 = c010 + (c110 - c010) * tx
    let x01 = c001 + (c101 - c001) * tx, x11 = c011 + (c111 - c011) * tx
    let y0 = x00 + (x10 - x00) * ty, y1 = x01 + (x11 - x01) * ty
    return y0 + (y1 - y0) * tz
}

/// Smoothstep from 0 at `e0` to 1 at `e1` (either order).
@inline(__always) func smoothstep(_ e0: Double, _ e1: Double, _ x: Double) -> Double {
    let t = min(max((x - e0) / (e1 - e0), 0), 1)
    return t * t * (3 - 2 * t)
}
