/// A seeded pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// Deterministic across platforms and runs; the engine never reads a global random source.
/// `split(_:)` derives an independent child stream (e.g. one per layer or per stage).
public struct RNG: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words from SplitMix64(seed).
    public init(seed: UInt64) {
        var sm = seed
        func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (next(), next(), next(), next())
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = RNG.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = RNG.rotl(s.3, 45)
        return result
    }

    /// A child generator whose stream depends on this generator's state and `salt`;
    /// advances `self` by one draw.
    public mutating func split(_ salt: UInt64 = 0) -> RNG {
        RNG(seed: next() ^ (salt &* 0xD1B5_4A32_D192_ED03))
    }

    /// Uniform Double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform Double in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

    /// Standard normal draw (Box–Muller, one value per call).
    public mutating func normal() -> Double {
        var u1 = uniform()
        while u1 <= 0 { u1 = uniform() }
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A tensor of uniform values in [lo, hi).
    public mutating func uniformTensor(_ dims: [Int], _ lo: Double = -1, _ hi: Double = 1) -> Tensor {
        var t = Tensor.zeros(dims)
        for i in 0..<t.count { t.data[i] = Float(uniform(lo, hi)) }
        return t
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
