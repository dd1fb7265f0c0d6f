import Foundation
import NeuralNet
import XCTest

@testable import Analysis

/// The three full-width networks against Keras 3 / TensorFlow on the same weights and input
/// (Fixtures/keras-parity: `keras_parity.json`, written by `make_fixture.py`, see its README).
///
/// Weights: each model built with seed 1 at 77×77×1, then every batch-normalisation statistic,
/// gamma, beta and bias overwritten from `RNG(seed: 20261127)` (so batch normalisation is not
/// the identity and the epsilons matter). The input is closed-form (`ModelBenchmark.input`).
/// 77 px: odd sizes in ResNet50V2, an even 36×36 map before Xception's first 'same' stride-2
/// pooling (asymmetric padding), a 3×3 → 5×5 nearest resize and a 2×2 'same' stride-2 P7 in the FPN.
///
/// With `PAPER_REPRO_WRITE_PARITY_WEIGHTS=<dir>` the test first writes `<dir>/<model>.safetensors`
/// for the script.
final class ModelsKerasParityTests: XCTestCase {
    static let size = 77, batch = 2

    /// Intermediate nodes whose sums the fixture holds, per model.
    static let probes: [ModelKind: [String]] = [
        .resnet50v2: [
            "conv1_conv", "pool1_pool", "conv2_block3_out", "conv3_block1_0_conv", "conv4_block1_preact_relu",
            "conv5_block1_preact_relu", "post_bn", "post_relu", "dense"
        ],
        .xception: [
            "block1_conv1", "block1_conv2_act", "block2_pool", "add", "add_2", "add_10", "block13_pool",
            "block14_sepconv1_bn", "block14_sepconv2_act", "dense"
        ],
        .resnet50v2FPN: [
            "conv1_conv", "conv4_block1_preact_relu", "conv5_block1_preact_relu", "post_relu",
            "C5_reduced", "P4_merged", "P4_upsampled", "P3_merged", "P3", "P4", "P5", "P6", "P7",
            "heads_concat", "classifier"
        ]
    ]

    /// The parity weights (see the type's comment).
    static func parityGraph(_ kind: ModelKind) throws -> Graph {
        let g = try kind.build(scale: ModelScale(inputSize: size), seed: 1)
        var rng = RNG(seed: 20_261_127)
        for p in g.parameters {
            let dims = p.value.shape.dims
            if p.name.hasSuffix("/moving_mean") || p.name.hasSuffix("/beta") || p.name.hasSuffix("/bias") {
                p.value = rng.uniformTensor(dims, -0.1, 0.1)
            } else if p.name.hasSuffix("/moving_variance") {
                p.value = rng.uniformTensor(dims, 0.5, 1.5)
            } else if p.name.hasSuffix("/gamma") {
                p.value = rng.uniformTensor(dims, 0.8, 1.2)
            }
        }
        return g
    }

    struct Fixture: Decodable {
        struct Stats: Decodable { let shape: [Int]; let sum: Double; let sum_abs: Double; let first: [Double] }
        struct Model: Decodable { let parameters: Int; let probabilities: [[Double]]; let activations: [String: Stats] }
        let size: Int, batch: Int
        let models: [String: Model]
    }

    func testModelsKerasParity() throws {
        if let dir = ProcessInfo.processInfo.environment["PAPER_REPRO_WRITE_PARITY_WEIGHTS"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for kind in ModelKind.allCases {
                try Self.parityGraph(kind).saveWeights(
                    to: URL(fileURLWithPath: dir).appendingPathComponent("\(kind.slug).safetensors"),
                    metadata: ["model": kind.rawValue, "size": "\(Self.size)"])
            }
        }
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/keras-parity/keras_parity", withExtension: "json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertEqual(fixture.size, Self.size); XCTAssertEqual(fixture.batch, Self.batch)
        let x = ModelBenchmark.input(batch: Self.batch, pixels: Self.size)
        for kind in ModelKind.allCases {
            let keras = try XCTUnwrap(fixture.models[kind.slug], "fixture lacks \(kind.slug)")
            let g = try Self.parityGraph(kind)
            XCTAssertEqual(g.parameterCount, keras.parameters, "\(kind.rawValue): Keras's count_params")
            let logits = g.forward([x], mode: .inference, retainActivations: true)[0]
            let p = LossOp.softmax(logits)
            var worst = 0.0, worstAt = ""
            func check(_ ours: Double, _ theirs: Double, scale: Double, _ what: String) {
                let rel = abs(ours - theirs) / max(scale, 1e-30)
                if rel > worst { worst = rel; worstAt = "\(what): ours \(ours), Keras \(theirs)" }
            }
            for n in 0..<Self.batch {
                for k in 0..<2 {
                    check(Double(p.data[n * 2 + k]), keras.probabilities[n][k], scale: keras.probabilities[n][k], "probability[\(n)][\(k)]")
                }
            }
            for name in Self.probes[kind]! {
                let stats = try XCTUnwrap(keras.activations[name], "fixture lacks \(kind.slug)/\(name)")
                let v = try XCTUnwrap(g.value(of: XCTUnwrap(g.node(named: name))), name)
                XCTAssertEqual(Array(v.shape.dims.dropFirst()), Array(stats.shape.dropFirst()), "\(kind.slug)/\(name) shape")
                let sum = v.data.reduce(0.0) { $0 + Double($1) }, sumAbs = v.data.reduce(0.0) { $0 + Double(abs($1)) }
                check(sumAbs, stats.sum_abs, scale: stats.sum_abs, "\(name) Σ|x|")
                check(sum, stats.sum, scale: stats.sum_abs, "\(name) Σx (relative to Σ|x|)")
                let maxAbs = v.data.reduce(0.0) { max($0, Double(abs($1))) }
                for (i, e) in stats.first.enumerated() { check(Double(v.data[i]), e, scale: maxAbs, "\(name)[\(i)] (relative to max |x|)") }
            }
            // The fused inference plan (no retained activations) against Keras too.
            let fusedLogits = g.forward([x], mode: .inference)[0]
            let head = g.nodeNames[g.outputs[0].index]
            let headStats = try XCTUnwrap(keras.activations[head], "fixture lacks \(kind.slug)/\(head)")
            let headMax = fusedLogits.data.reduce(0.0) { max($0, Double(abs($1))) }
            for (i, e) in headStats.first.enumerated() {
                check(Double(fusedLogits.data[i]), e, scale: headMax, "fused-inference \(head)[\(i)] (relative to max |x|)")
            }
            // Every 3×3 stride-1 layer through Winograd F(4×4, 3×3) (at full size only the large maps use it).
            let savedMinimum = Engine.options.winogradLargeTileMinimum
            Engine.options.winogradLargeTileMinimum = 1
            let large = g.forward([x], mode: .inference)[0]
            Engine.options.winogradLargeTileMinimum = savedMinimum
            for (i, e) in headStats.first.enumerated() {
                check(Double(large.data[i]), e, scale: headMax, "F(4×4) inference \(head)[\(i)] (relative to max |x|)")
            }
            let fused = LossOp.softmax(fusedLogits)
            for n in 0..<Self.batch {
                for k in 0..<2 {
                    check(
                        Double(fused.data[n * 2 + k]), keras.probabilities[n][k], scale: keras.probabilities[n][k],
                        "fused-inference probability[\(n)][\(k)]")
                }
            }
            print("\(kind.rawValue): largest relative difference from Keras \(worst) at \(worstAt)")
            XCTAssertLessThanOrEqual(worst, 1e-4, "\(kind.rawValue): \(worstAt)")
        }
    }
}
