import Foundation
import NeuralNet

/// Xception as `keras.applications.Xception(include_top=False)` on a one-channel input, with
/// Keras's layer names (the unnamed residual layers get Keras's automatic names in a fresh
/// session: `conv2d`, `batch_normalization`, `add`, with `_1`, `_2`, … suffixes) (§2.3).
public enum Xception {
    /// Keras's default batch-normalisation epsilon, which Xception uses.
    static let epsilon: Float = 1e-3

    /// Counters for Keras's automatic names.
    final class AutoNames {
        var counts: [String: Int] = [:]
        func next(_ base: String) -> String {
            let n = counts[base, default: 0]
            counts[base] = n + 1
            return n == 0 ? base : "\(base)_\(n)"
        }
    }

    static func backbone(_ g: Graph, _ input: Graph.Node, scale: ModelScale) -> Graph.Node {
        let auto = AutoNames()
        func bn(_ name: String, _ x: Graph.Node) -> Graph.Node {
            g.add(BatchNormalization(name, momentum: scale.momentum, epsilon: epsilon), x)
        }
        func sep(_ name: String, _ filters: Int, _ x: Graph.Node) -> Graph.Node {
            g.add(SeparableConv2D(name, filters: scale.filters(filters), kernelSize: 3, padding: .same, useBias: false), x)
        }
        func residualConv(_ filters: Int, _ x: Graph.Node) -> Graph.Node {
            g.add(
                Conv2D(
                    auto.next("conv2d"), filters: scale.filters(filters), kernelSize: 1, strides: 2,
                    padding: .same, useBias: false), x)
        }
        func add(_ a: Graph.Node, _ b: Graph.Node) -> Graph.Node { g.add(Add(auto.next("add")), a, b) }

        var x = g.add(Conv2D("block1_conv1", filters: scale.filters(32), kernelSize: 3, strides: 2, useBias: false), input)
        x = g.add(ReLU("block1_conv1_act"), bn("block1_conv1_bn", x))
        x = g.add(Conv2D("block1_conv2", filters: scale.filters(64), kernelSize: 3, useBias: false), x)
        x = g.add(ReLU("block1_conv2_act"), bn("block1_conv2_bn", x))

        // Entry flow: blocks 2-4 (block 2 starts without a ReLU).
        // Layers are added in the order Keras lists them: the residual 1×1 convolution after the
        // second separable block, its batch normalisation after the pooling.
        for (block, filters) in [(2, 128), (3, 256), (4, 728)] {
            let input = x
            if block > 2 { x = g.add(ReLU("block\(block)_sepconv1_act"), x) }
            x = bn("block\(block)_sepconv1_bn", sep("block\(block)_sepconv1", filters, x))
            x = g.add(ReLU("block\(block)_sepconv2_act"), x)
            x = bn("block\(block)_sepconv2_bn", sep("block\(block)_sepconv2", filters, x))
            let r = residualConv(filters, input)
            x = g.add(MaxPooling2D("block\(block)_pool", poolSize: 3, strides: 2, padding: .same), x)
            x = add(x, bn(auto.next("batch_normalization"), r))
        }
        // Middle flow: blocks 5-12.
        for block in 5...12 {
            let r = x
            for k in 1...3 {
                x = g.add(ReLU("block\(block)_sepconv\(k)_act"), x)
                x = bn("block\(block)_sepconv\(k)_bn", sep("block\(block)_sepconv\(k)", 728, x))
            }
            x = add(x, r)
        }
        // Exit flow.
        let exitInput = x
        x = g.add(ReLU("block13_sepconv1_act"), x)
        x = bn("block13_sepconv1_bn", sep("block13_sepconv1", 728, x))
        x = g.add(ReLU("block13_sepconv2_act"), x)
        x = bn("block13_sepconv2_bn", sep("block13_sepconv2", 1024, x))
        let r = residualConv(1024, exitInput)
        x = g.add(MaxPooling2D("block13_pool", poolSize: 3, strides: 2, padding: .same), x)
        x = add(x, bn(auto.next("batch_normalization"), r))
        x = bn("block14_sepconv1_bn", sep("block14_sepconv1", 1536, x))
        x = g.add(ReLU("block14_sepconv1_act"), x)
        x = bn("block14_sepconv2_bn", sep("block14_sepconv2", 2048, x))
        return g.add(ReLU("block14_sepconv2_act"), x)
    }

    /// The backbone with the baseline head (Flatten → Dropout(0.5) → Dense(2)).
    public static func classifier(scale: ModelScale = .full, seed: UInt64) throws -> Graph {
        guard scale.inputSize >= 71 else {
            throw ModelError.inputTooSmall(
                model: "Xception", size: scale.inputSize, minimum: 71,
                reason: "Keras requires at least 71 px (two valid 3×3 convolutions and four stride-2 stages)")
        }
        let g = Graph(seed: seed)
        let input = g.input("input_1", shape: [scale.inputSize, scale.inputSize, 1])
        g.outputs = [BaselineHead.attach(to: g, backbone(g, input, scale: scale), seed: seed)]
        return g
    }
}
