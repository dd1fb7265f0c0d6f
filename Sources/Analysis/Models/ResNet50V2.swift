import Foundation
import NeuralNet

/// ResNet50V2 as `keras.applications.ResNet50V2(include_top=False)` on a one-channel input:
/// the same layers, names, shapes and order, so weights map by name (§2.3).
public enum ResNet50V2 {
    /// Batch-normalisation epsilon of Keras's ResNetV2.
    static let epsilon: Float = 1.001e-5

    /// Adds the backbone to `graph` from `input`; returns `post_relu`.
    static func backbone(_ g: Graph, _ input: Graph.Node, scale: ModelScale) -> Graph.Node {
        var x = g.add(ZeroPadding2D("conv1_pad", padding: ((3, 3), (3, 3))), input)
        x = g.add(Conv2D("conv1_conv", filters: scale.filters(64), kernelSize: 7, strides: 2), x)
        x = g.add(ZeroPadding2D("pool1_pad", padding: ((1, 1), (1, 1))), x)
        x = g.add(MaxPooling2D("pool1_pool", poolSize: 3, strides: 2), x)
        x = stack(g, x, filters: 64, blocks: 3, name: "conv2", scale: scale)
        x = stack(g, x, filters: 128, blocks: 4, name: "conv3", scale: scale)
        x = stack(g, x, filters: 256, blocks: 6, name: "conv4", scale: scale)
        x = stack(g, x, filters: 512, blocks: 3, stride1: 1, name: "conv5", scale: scale)
        x = g.add(BatchNormalization("post_bn", momentum: scale.momentum, epsilon: epsilon), x)
        return g.add(ReLU("post_relu"), x)
    }

    /// Keras `stack2`: a conv-shortcut block, plain blocks, and a last block with the stride.
    static func stack(
        _ g: Graph, _ input: Graph.Node, filters: Int, blocks: Int, stride1: Int = 2,
        name: String, scale: ModelScale
    ) -> Graph.Node {
        var x = block(g, input, filters: filters, convShortcut: true, name: "\(name)_block1", scale: scale)
        if blocks > 2 {
            for i in 2..<blocks { x = block(g, x, filters: filters, name: "\(name)_block\(i)", scale: scale) }
        }
        return block(g, x, filters: filters, stride: stride1, name: "\(name)_block\(blocks)", scale: scale)
    }

    /// Keras `block2`: pre-activation bottleneck.
    static func block(
        _ g: Graph, _ x: Graph.Node, filters: Int, stride: Int = 1, convShortcut: Bool = false,
        name: String, scale: ModelScale
    ) -> Graph.Node {
        let f = scale.filters(filters), f4 = scale.filters(4 * filters)
        var preact = g.add(BatchNormalization("\(name)_preact_bn", momentum: scale.momentum, epsilon: epsilon), x)
        preact = g.add(ReLU("\(name)_preact_relu"), preact)
        // Layers are added in the order Keras lists them (model.layers): the residual path up to
        // `_2_relu`, then the shortcut, then `_3_conv`.
        var y = g.add(Conv2D("\(name)_1_conv", filters: f, kernelSize: 1, useBias: false), preact)
        y = g.add(BatchNormalization("\(name)_1_bn", momentum: scale.momentum, epsilon: epsilon), y)
        y = g.add(ReLU("\(name)_1_relu"), y)
        y = g.add(ZeroPadding2D("\(name)_2_pad", padding: ((1, 1), (1, 1))), y)
        y = g.add(Conv2D("\(name)_2_conv", filters: f, kernelSize: 3, strides: stride, useBias: false), y)
        y = g.add(BatchNormalization("\(name)_2_bn", momentum: scale.momentum, epsilon: epsilon), y)
        y = g.add(ReLU("\(name)_2_relu"), y)
        let shortcut: Graph.Node
        if convShortcut {
            shortcut = g.add(Conv2D("\(name)_0_conv", filters: f4, kernelSize: 1, strides: stride), preact)
        } else if stride > 1 {
            shortcut = g.add(MaxPooling2D("\(name)_0_max_pooling2d", poolSize: 1, strides: stride), x)
        } else {
            shortcut = x
        }
        y = g.add(Conv2D("\(name)_3_conv", filters: f4, kernelSize: 1), y)
        return g.add(Add("\(name)_out"), shortcut, y)
    }

    /// The backbone with the baseline head (Flatten → Dropout(0.5) → Dense(2)).
    public static func classifier(scale: ModelScale = .full, seed: UInt64) throws -> Graph {
        guard scale.inputSize >= 32 else {
            throw ModelError.inputTooSmall(
                model: "ResNet50V2", size: scale.inputSize, minimum: 32,
                reason: "five stride-2 stages need at least 32 px")
        }
        let g = Graph(seed: seed)
        let input = g.input("input_1", shape: [scale.inputSize, scale.inputSize, 1])
        g.outputs = [BaselineHead.attach(to: g, backbone(g, input, scale: scale), seed: seed)]
        return g
    }
}
