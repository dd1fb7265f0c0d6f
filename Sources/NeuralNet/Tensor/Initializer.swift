/// Keras's weight initialisers, seeded.
///
/// - `glorotUniform`: U(-l, l), l = sqrt(6 / (fanIn + fanOut)); for a kernel `[KH, KW, C, OC]`
///   fanIn = KH·KW·C and fanOut = KH·KW·OC (Keras `compute_fans`); for `[C, OC]` fanIn = C,
///   fanOut = OC; for a depthwise kernel `[KH, KW, C, 1]` fanIn = KH·KW·C, fanOut = KH·KW.
/// - `zeros`, `ones`: constants (biases, BN beta/gamma/moving statistics).
/// - `randomNormal(mean, stddev)`: N(mean, stddev²), e.g. the paper's heads use (0, 0.001).
///   (Keras draws from its own generator, so values match in distribution, not bit for bit.)
public enum Initializer: Sendable, Equatable {
    case glorotUniform
    case zeros
    case ones
    case constant(Float)
    case randomNormal(mean: Double, stddev: Double)

    /// Keras `compute_fans` for a kernel shape.
    public static func fans(_ dims: [Int]) -> (fanIn: Double, fanOut: Double) {
        switch dims.count {
        case 0: return (1, 1)
        case 1: return (Double(dims[0]), Double(dims[0]))
        case 2: return (Double(dims[0]), Double(dims[1]))
        default:
            let receptive = dims.dropLast(2).reduce(1, *)
            return (Double(receptive * dims[dims.count - 2]), Double(receptive * dims[dims.count - 1]))
        }
    }

    /// A new tensor of `dims` drawn from this initialiser with `rng`.
    public func make(_ dims: [Int], rng: inout RNG) -> Tensor {
        var t = Tensor.zeros(dims)
        switch self {
        case .zeros: break
        case .ones: for i in 0..<t.count { t.data[i] = 1 }
        case .constant(let v): for i in 0..<t.count { t.data[i] = v }
        case .glorotUniform:
            let (fi, fo) = Initializer.fans(dims)
            let limit = (6.0 / (fi + fo)).squareRoot()
            for i in 0..<t.count { t.data[i] = Float(rng.uniform(-limit, limit)) }
        case .randomNormal(let mean, let sd):
            for i in 0..<t.count { t.data[i] = Float(mean + sd * rng.normal()) }
        }
        return t
    }
}
