/// The dimensions of a tensor, outermost first.
///
/// Dimension letters used throughout the engine: `N` batch, `H` height, `W` width,
/// `C` input channels, `KH`/`KW` kernel height/width, `OC` output channels, `OH`/`OW` output
/// height/width. Images are NHWC; convolution kernels are `[KH, KW, C, OC]` (Keras layout).
public struct Shape: Equatable, Hashable, CustomStringConvertible, Sendable {
    /// The extents, outermost first. Every extent is ≥ 0.
    public var dims: [Int]

    /// Creates a shape; `precondition`s that no extent is negative.
    public init(_ dims: [Int]) {
        precondition(dims.allSatisfy { $0 >= 0 }, "negative extent in shape \(dims)")
        self.dims = dims
    }

    /// Number of dimensions.
    public var rank: Int { dims.count }
    /// Product of the extents (1 for a scalar shape `[]`).
    public var count: Int { dims.reduce(1, *) }
    /// Extent of dimension `i`.
    public subscript(_ i: Int) -> Int { dims[i] }
    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}

extension Shape: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Int...) { self.init(elements) }
}
