/// Keras padding modes for convolution and pooling.
public enum Padding: String, Sendable, Codable {
    /// No padding; `OH = floor((H - KH) / stride) + 1`.
    case valid
    /// `OH = ceil(H / stride)`; `padTotal = max((OH - 1)·stride + KH - H, 0)`,
    /// `padTop = padTotal / 2`, the extra row (if odd) at the bottom (same for columns:
    /// extra at the right). This is TensorFlow's rule, asymmetric for stride 2 on even sizes.
    case same
}

/// Output size and padding of a sliding window along one spatial axis.
public struct WindowAxis: Equatable, Sendable {
    /// Input extent, window extent, stride.
    public let input: Int, kernel: Int, stride: Int
    /// Output extent and the padding before the first element (padding after is implied).
    public let output: Int, padBefore: Int

    /// Keras/TensorFlow window arithmetic; `precondition`s a non-empty output.
    public init(input: Int, kernel: Int, stride: Int, padding: Padding) {
        precondition(kernel >= 1 && stride >= 1)
        self.input = input; self.kernel = kernel; self.stride = stride
        switch padding {
        case .valid:
            precondition(input >= kernel, "valid window \(kernel) larger than input \(input)")
            output = (input - kernel) / stride + 1
            padBefore = 0
        case .same:
            output = (input + stride - 1) / stride
            let total = max((output - 1) * stride + kernel - input, 0)
            padBefore = total / 2
        }
    }

    /// Explicit geometry (used for the transposed convolution of a backward pass).
    public init(input: Int, kernel: Int, stride: Int, output: Int, padBefore: Int) {
        self.input = input; self.kernel = kernel; self.stride = stride
        self.output = output; self.padBefore = padBefore
    }

    /// Input index read by output `o` at tap `t` (may be out of range = padding).
    @inline(__always) public func source(_ o: Int, _ t: Int) -> Int { o * stride + t - padBefore }

    /// Range of outputs whose window covers input index `i` (tap `t = i + padBefore - o·stride`).
    @inline(__always) public func outputs(covering i: Int) -> ClosedRange<Int>? {
        let num = i + padBefore - kernel + 1
        let lo = max(0, num <= 0 ? 0 : (num + stride - 1) / stride)
        let hi = min(output - 1, (i + padBefore) / stride)
        return lo <= hi ? lo...hi : nil
    }
}

/// The geometry of a 2-D sliding window over an NHWC batch: `[N, H, W, C]` → `[N, OH, OW, ·]`.
public struct ConvGeometry: Equatable, Sendable {
    public let n: Int, c: Int
    public let h: WindowAxis, w: WindowAxis

    public init(input: Shape, kernel: (Int, Int), stride: (Int, Int), padding: Padding) {
        precondition(input.rank == 4, "NHWC input expected, got \(input)")
        n = input[0]; c = input[3]
        h = WindowAxis(input: input[1], kernel: kernel.0, stride: stride.0, padding: padding)
        w = WindowAxis(input: input[2], kernel: kernel.1, stride: stride.1, padding: padding)
    }

    public init(n: Int, c: Int, h: WindowAxis, w: WindowAxis) {
        self.n = n; self.c = c; self.h = h; self.w = w
    }

    /// `KH·KW·C`, the length of one im2col row.
    public var patch: Int { h.kernel * w.kernel * c }
    /// `OH·OW`.
    public var outputPixels: Int { h.output * w.output }
    /// `H·W`.
    public var inputPixels: Int { h.input * w.input }

    /// The geometry of the input gradient of a stride-1 convolution as a convolution itself:
    /// `dy` (`outputChannels` channels, the output's size) convolved with the flipped,
    /// transposed kernel, padded so that the result has the input's size. Meaningful only for
    /// stride 1 (callers use it only then).
    public func transposed(outputChannels: Int) -> ConvGeometry {
        ConvGeometry(
            n: n, c: outputChannels,
            h: WindowAxis(input: h.output, kernel: h.kernel, stride: 1, output: h.input, padBefore: h.kernel - 1 - h.padBefore),
            w: WindowAxis(input: w.output, kernel: w.kernel, stride: 1, output: w.input, padBefore: w.kernel - 1 - w.padBefore))
    }
}
