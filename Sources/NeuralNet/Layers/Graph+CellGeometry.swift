/// Where the cells of a feature map sit in the input image, along one axis: cell `i` is centred
/// on input coordinate `offset + stride·i` (pixel centres at integer coordinates), the centre of
/// the window of input pixels it is computed from.
///
/// A map of stride 8 is not the input shrunk eightfold around the image's centre: ResNet50V2
/// pads its strided layers before them, so cell `i` of its stride-8 maps is centred on pixel
/// `8i` (offset 0), while resizing a 12×12 map to 96 px with half-pixel centres puts it on
/// `8i + 3.5`. A heat map drawn that way sits 3.5 pixels below and to the right of what it
/// describes.
public struct CellAxis: Equatable, Sendable {
    public var stride: Double
    public var offset: Double

    public init(stride: Double, offset: Double) { self.stride = stride; self.offset = offset }

    /// The input itself.
    public static let identity = CellAxis(stride: 1, offset: 0)

    /// The input coordinate cell `i` is centred on.
    public func centre(_ i: Double) -> Double { offset + stride * i }

    /// The (fractional) cell centred on input coordinate `x`.
    public func cell(at x: Double) -> Double { (x - offset) / stride }

    /// After a sliding window over this axis (`window` of the layer's own input indices).
    func through(_ window: WindowAxis) -> CellAxis {
        // Output o reads indices o·s − padBefore … o·s − padBefore + k − 1; its centre:
        CellAxis(
            stride: stride * Double(window.stride),
            offset: centre(-Double(window.padBefore) + Double(window.kernel - 1) / 2))
    }

    /// After `before` rows (or columns) of zeros are put in front.
    func padded(_ before: Int) -> CellAxis { CellAxis(stride: stride, offset: centre(-Double(before))) }
}

extension Graph {
    /// The cell geometry (rows, columns) of `node`'s map in its graph's first input, or nil when
    /// the node is not a spatial map of it (after a flatten or a dense layer) or a layer on the
    /// way is of a kind whose geometry is not known. Layers that keep the grid (normalisation,
    /// activations, additions, concatenations, dropout) pass their first input's geometry on;
    /// `UpsampleLike` takes its reference's grid.
    public func cellGeometry(of node: Node) -> (rows: CellAxis, columns: CellAxis)? {
        var memo: [Int: (rows: CellAxis, columns: CellAxis)?] = [:]
        return cellGeometry(node.index, &memo)
    }

    private func cellGeometry(
        _ index: Int, _ memo: inout [Int: (rows: CellAxis, columns: CellAxis)?]
    ) -> (rows: CellAxis, columns: CellAxis)? {
        if let known = memo[index] { return known }
        let entry = entries[index]
        let result: (rows: CellAxis, columns: CellAxis)?
        if let layer = entry.layer {
            // A sliding window: its kernel, strides and padding.
            var window: (kernel: (Int, Int), strides: (Int, Int), padding: Padding)?
            switch layer {
            case let conv as Conv2D: window = (conv.kernelSize, conv.strides, conv.padding)
            case let conv as SeparableConv2D: window = (conv.kernelSize, conv.strides, conv.padding)
            case let conv as DepthwiseConv2D: window = (conv.kernelSize, conv.strides, conv.padding)
            case let pool as MaxPooling2D: window = ((pool.poolSize, pool.poolSize), (pool.strides, pool.strides), pool.padding)
            default: window = nil
            }
            let inputShape = [1] + entries[entry.inputs[0]].shape
            if let window {
                if inputShape.count == 4, let source = cellGeometry(entry.inputs[0], &memo) {
                    let g = ConvGeometry(input: Shape(inputShape), kernel: window.kernel, stride: window.strides, padding: window.padding)
                    result = (source.rows.through(g.h), source.columns.through(g.w))
                } else {
                    result = nil
                }
            } else {
                switch layer {
                case let pad as ZeroPadding2D:
                    result = cellGeometry(entry.inputs[0], &memo).map { ($0.rows.padded(pad.top), $0.columns.padded(pad.left)) }
                case is UpsampleLike:
                    result = cellGeometry(entry.inputs[1], &memo)
                case is BatchNormalization, is ReLU, is Add, is Concatenate, is Dropout:
                    result = entry.shape.count == 3 ? cellGeometry(entry.inputs[0], &memo) : nil
                default:
                    result = nil
                }
            }
        } else {
            result = entry.shape.count == 3 ? (CellAxis.identity, CellAxis.identity) : nil
        }
        memo[index] = result
        return result
    }
}
