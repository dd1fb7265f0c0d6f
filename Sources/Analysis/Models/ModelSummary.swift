import Foundation
import NeuralNet

/// A Keras-style summary of a model graph: one row per node (name, layer type, per-sample output
/// shape, parameters, the nodes it reads), the parameter totals, and the multiply-adds of one
/// forward pass of one image (§2.3; `paper-repro model summary`, the report's model table).
///
/// Counting conventions:
/// - Parameters are Keras's `count_params`: every weight, including the batch-normalisation
///   moving mean and variance, which are non-trainable (as in Keras); gamma and beta are trainable.
/// - Multiply-adds count only the weighted layers: `Conv2D` (`OH·OW·OC·KH·KW·C`),
///   `DepthwiseConv2D` (`OH·OW·C·KH·KW`), `SeparableConv2D` (its depthwise part plus the
///   pointwise `OH·OW·C·OC`) and `Dense` (`inputs·units`). Biases, batch normalisation,
///   activations, pooling, additions, resizing and padding are not counted (each is at most a
///   few operations per activation, well under 1 % of the total for these models).
///   One multiply-add is two floating-point operations.
public struct ModelSummary: Codable, Equatable, Sendable {
    /// One node of the graph, in topological (Keras `model.layers`) order.
    public struct Row: Codable, Equatable, Sendable {
        /// The Keras layer name (`conv1_conv`; the input is `input_1`).
        public var name: String
        /// The layer class (`Conv2D`, `BatchNormalization`, …; `InputLayer` for an input).
        public var type: String
        /// Per-sample output shape `[H, W, C]` or `[features]` (the batch axis is left out).
        public var outputShape: [Int]
        /// All weights of the layer (trainable and not).
        public var parameters: Int
        /// The weights an optimizer updates.
        public var trainableParameters: Int
        /// Forward multiply-adds for one image (0 for layers that are not counted).
        public var multiplyAdds: Int
        /// Names of the nodes this layer reads, in argument order (empty for an input).
        public var inputs: [String]
    }

    /// The model's name as given by the caller (e.g. `ResNet50V2-FPN`).
    public var model: String
    /// Per-sample input shape of the first input, `[H, W, C]`.
    public var inputShape: [Int]
    /// Every node, in topological order.
    public var rows: [Row]
    /// Σ parameters (= `Graph.parameterCount`).
    public var totalParameters: Int
    /// Σ trainable parameters.
    public var trainableParameters: Int
    /// Σ non-trainable parameters (batch-normalisation moving statistics).
    public var nonTrainableParameters: Int
    /// Σ forward multiply-adds for one image.
    public var multiplyAddsPerImage: Int
    /// What the multiply-add count includes, in words.
    public var multiplyAddsCounted: String

    /// The sentence stored in `multiplyAddsCounted`.
    public static let countedLayers =
        "Conv2D, DepthwiseConv2D, SeparableConv2D (depthwise + pointwise) and Dense multiply-adds of one forward pass; "
        + "biases, batch normalisation, activations, pooling, additions and resizing are not counted"

    /// Summarises `graph` (built, not necessarily run); `model` labels the result.
    public init(graph: Graph, model: String) {
        self.model = model
        inputShape = graph.inputs.first.map { graph.shape(of: $0) } ?? []
        var rows: [Row] = []
        for name in graph.nodeNames {
            let node = graph.node(named: name)!
            let inputs = graph.inputs(of: node)
            let shape = graph.shape(of: node)
            guard let layer = graph.layer(of: node) else {
                rows.append(
                    Row(
                        name: name, type: "InputLayer", outputShape: shape, parameters: 0,
                        trainableParameters: 0, multiplyAdds: 0, inputs: []))
                continue
            }
            let params = layer.parameters
            rows.append(
                Row(
                    name: name, type: String(describing: type(of: layer)), outputShape: shape,
                    parameters: params.reduce(0) { $0 + $1.value.count },
                    trainableParameters: params.filter(\.trainable).reduce(0) { $0 + $1.value.count },
                    multiplyAdds: Self.multiplyAdds(
                        of: layer, inputShapes: inputs.map { graph.shape(of: $0) },
                        outputShape: shape),
                    inputs: inputs.map { graph.nodeNames[$0.index] }))
        }
        self.rows = rows
        totalParameters = rows.reduce(0) { $0 + $1.parameters }
        trainableParameters = rows.reduce(0) { $0 + $1.trainableParameters }
        nonTrainableParameters = totalParameters - trainableParameters
        multiplyAddsPerImage = rows.reduce(0) { $0 + $1.multiplyAdds }
        multiplyAddsCounted = Self.countedLayers
    }

    /// Forward multiply-adds of one layer for one sample, from per-sample shapes (see the type's
    /// counting conventions); 0 for layers without weights.
    public static func multiplyAdds(of layer: Layer, inputShapes: [[Int]], outputShape: [Int]) -> Int {
        let outPixels = outputShape.count == 3 ? outputShape[0] * outputShape[1] : 1
        switch layer {
        case let c as Conv2D:
            // OH·OW·OC·KH·KW·C
            return outPixels * c.filters * c.kernelSize.0 * c.kernelSize.1 * inputShapes[0][2]
        case let s as SeparableConv2D:
            let c = inputShapes[0][2]
            // depthwise OH·OW·C·KH·KW + pointwise OH·OW·C·OC
            return outPixels * c * s.kernelSize.0 * s.kernelSize.1 + outPixels * c * s.filters
        case let d as DepthwiseConv2D:
            return outPixels * inputShapes[0][2] * d.kernelSize.0 * d.kernelSize.1
        case let d as Dense:
            return inputShapes[0].reduce(1, *) * d.units
        default:
            return 0
        }
    }
}
