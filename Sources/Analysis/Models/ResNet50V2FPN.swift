import Foundation
import NeuralNet

/// The paper's model (§2.3, Fig. 9): ResNet50V2 with a feature pyramid, as the authors' code
/// builds it. C3 = `conv4_block1_preact_relu`, C4 = `conv5_block1_preact_relu`, C5 = `post_relu`.
/// Note the code's quirk, kept: `P4_upsampled` resizes the *concatenation* [P5_upsampled,
/// C4_reduced] (2×features channels), so P3's convolution sees 3×features channels.
public enum ResNet50V2FPN {
    /// Smallest input: below 65 px C4 is 2×2 and the 'valid' 3×3 convolution P4 cannot run.
    public static let minimumInput = 65

    public static func build(scale: ModelScale = .full, seed: UInt64) throws -> Graph {
        guard scale.inputSize >= minimumInput else {
            throw ModelError.inputTooSmall(
                model: "ResNet50V2-FPN", size: scale.inputSize, minimum: minimumInput,
                reason: "C4 would be smaller than 3×3, so the 'valid' 3×3 convolution P4 fails")
        }
        let g = Graph(seed: seed)
        let input = g.input("input_1", shape: [scale.inputSize, scale.inputSize, 1])
        _ = ResNet50V2.backbone(g, input, scale: scale)
        let c3 = g.node(named: "conv4_block1_preact_relu")!
        let c4 = g.node(named: "conv5_block1_preact_relu")!
        let c5 = g.node(named: "post_relu")!
        let f = scale.fpnFeatures

        let c5Reduced = g.add(Conv2D("C5_reduced", filters: f, kernelSize: 1, padding: .same), c5)
        let p5 = g.add(Conv2D("P5", filters: f, kernelSize: 3, padding: .same), c5Reduced)
        let p5Up = g.add(UpsampleLike("P5_upsampled"), c5Reduced, c4)
        let c4Reduced = g.add(Conv2D("C4_reduced", filters: f, kernelSize: 1, padding: .same), c4)
        let p4Merged = g.add(Concatenate("P4_merged"), p5Up, c4Reduced)
        let p4Up = g.add(UpsampleLike("P4_upsampled"), p4Merged, c3)
        let p4 = g.add(Conv2D("P4", filters: f, kernelSize: 3, padding: .valid), p4Merged)
        let c3Reduced = g.add(Conv2D("C3_reduced", filters: f, kernelSize: 1, padding: .same), c3)
        let p3Merged = g.add(Concatenate("P3_merged"), p4Up, c3Reduced)
        let p3 = g.add(Conv2D("P3", filters: f, kernelSize: 3, padding: .valid), p3Merged)
        let p6 = g.add(Conv2D("P6", filters: f, kernelSize: 3, strides: 2, padding: .same), c5)
        let p7 = g.add(Conv2D("P7", filters: f, kernelSize: 3, strides: 2, padding: .same), g.add(ReLU("C6_relu"), p6))

        // Each pyramid level: Flatten → Dropout(0.5) → Dense(2, ReLU, RandomNormal(0, 0.001)).
        var heads: [Graph.Node] = []
        for (i, (level, node)) in [("P3", p3), ("P4", p4), ("P5", p5), ("P6", p6), ("P7", p7)].enumerated() {
            var h = g.add(Flatten("\(level)_flatten"), node)
            h = g.add(Dropout("\(level)_dropout", rate: 0.5, seed: seed &+ UInt64(i + 1)), h)
            h = g.add(Dense("\(level)_dense", units: 2, kernelInitializer: .randomNormal(mean: 0, stddev: 0.001)), h)
            heads.append(g.add(ReLU("\(level)_relu"), h))
        }
        let merged = g.add(Concatenate("heads_concat"), inputs: heads)
        g.outputs = [g.add(Dense("classifier", units: 2, kernelInitializer: .randomNormal(mean: 0, stddev: 0.001)), merged)]
        return g
    }
}
