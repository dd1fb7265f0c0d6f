import NeuralNet
import XCTest

@testable import Analysis

final class ModelSummaryTests: XCTestCase {
    /// Full-size summaries, built once for the tests of this file.
    static let fullSize: [ModelKind: (summary: ModelSummary, parameters: Int, trainable: Int, nodes: Int)] = {
        var out: [ModelKind: (ModelSummary, Int, Int, Int)] = [:]
        for kind in ModelKind.allCases {
            let g = try! kind.build(seed: 1)
            out[kind] = (
                ModelSummary(graph: g, model: kind.rawValue), g.parameterCount,
                g.trainableParameters.reduce(0) { $0 + $1.value.count }, g.nodeNames.count
            )
        }
        return out
    }()

    // MARK: - Full size (building a graph without running it is cheap in debug)

    func testModelSummaryTotalsAtFullSize() throws {
        // Keras's count_params at 512×512×1; GMAC as in anchors.md (17.77 / 23.86 / 20.39).
        let expected: [(ModelKind, total: Int, nonTrainable: Int, macs: Int)] = [
            (.resnet50v2, 24_607_106, 45_440, 17_772_314_624),
            (.xception, 21_909_482, 54_528, 23_862_301_536),
            (.resnet50v2FPN, 34_058_656, 45_440, 20_393_701_396)
        ]
        for (kind, total, nonTrainable, macs) in expected {
            let (s, parameters, trainable, nodes) = try XCTUnwrap(Self.fullSize[kind])
            XCTAssertEqual(s.totalParameters, total, "\(kind)")
            XCTAssertEqual(s.totalParameters, parameters, "\(kind)")
            XCTAssertEqual(s.nonTrainableParameters, nonTrainable, "\(kind)")
            XCTAssertEqual(s.trainableParameters, trainable, "\(kind)")
            XCTAssertEqual(s.multiplyAddsPerImage, macs, "\(kind)")
            XCTAssertEqual(s.inputShape, [512, 512, 1])
            XCTAssertEqual(s.rows.count, nodes)
        }
    }

    func testModelSummaryRowsFollowKerasNames() throws {
        let s = try XCTUnwrap(Self.fullSize[.resnet50v2]).summary
        XCTAssertEqual(s.rows.prefix(5).map(\.name), ["input_1", "conv1_pad", "conv1_conv", "pool1_pad", "pool1_pool"])
        XCTAssertEqual(s.rows.prefix(5).map(\.type), ["InputLayer", "ZeroPadding2D", "Conv2D", "ZeroPadding2D", "MaxPooling2D"])
        let conv1 = s.rows[2]
        XCTAssertEqual(conv1.outputShape, [256, 256, 64])
        XCTAssertEqual(conv1.parameters, 7 * 7 * 1 * 64 + 64)
        XCTAssertEqual(conv1.multiplyAdds, 256 * 256 * 64 * 49)
        XCTAssertEqual(conv1.inputs, ["conv1_pad"])
        let add = try XCTUnwrap(s.rows.first { $0.name == "conv2_block1_out" })
        XCTAssertEqual(add.inputs, ["conv2_block1_0_conv", "conv2_block1_3_conv"])
        let bn = try XCTUnwrap(s.rows.first { $0.name == "post_bn" })
        XCTAssertEqual(bn.parameters, 4 * 2048)
        XCTAssertEqual(bn.trainableParameters, 2 * 2048)
        XCTAssertEqual(s.rows.last?.name, "dense")
        XCTAssertEqual(s.rows.last?.multiplyAdds, 16 * 16 * 2048 * 2)
    }

    // MARK: - A hand-checkable model

    func testModelSummaryTinyModelByHand() throws {
        let g = Graph(seed: 1)
        let x = g.input("in", shape: [8, 8, 2])
        let c = g.add(Conv2D("conv", filters: 4, kernelSize: 3, strides: 2, padding: .same), x)  // 4×4×4
        let b = g.add(BatchNormalization("bn"), c)
        let s = g.add(SeparableConv2D("sep", filters: 6, kernelSize: 3, padding: .same, useBias: false), b)  // 4×4×6
        let d = g.add(DepthwiseConv2D("dw", kernelSize: 3), s)  // 2×2×6
        let m = g.add(Concatenate("cat"), d, g.add(MaxPooling2D("pool", poolSize: 2), s))  // 2×2×12
        g.outputs = [g.add(Dense("fc", units: 3), g.add(Flatten("flat"), m))]
        let sum = ModelSummary(graph: g, model: "tiny")
        // conv: 4·4 pixels × 4 filters × 3·3·2 taps = 1152; separable: 4·4·4·9 + 4·4·4·6 = 576 + 384;
        // depthwise: 2·2·6·9 = 216; dense: 48·3 = 144.
        XCTAssertEqual(sum.rows.map(\.multiplyAdds), [0, 1152, 0, 960, 216, 0, 0, 0, 144])
        XCTAssertEqual(sum.multiplyAddsPerImage, 1152 + 960 + 216 + 144)
        // conv 3·3·2·4 + 4; bn 4·4 (8 trainable); sep 3·3·4 + 4·6; dw 3·3·6 + 6; fc 48·3 + 3.
        XCTAssertEqual(sum.rows.map(\.parameters), [0, 76, 16, 60, 60, 0, 0, 0, 147])
        XCTAssertEqual(sum.totalParameters, 76 + 16 + 60 + 60 + 147)
        XCTAssertEqual(sum.nonTrainableParameters, 8)
        XCTAssertEqual(sum.rows.first { $0.name == "cat" }?.inputs, ["dw", "pool"])
        XCTAssertEqual(sum.rows.first { $0.name == "cat" }?.outputShape, [2, 2, 12])
    }

    func testModelSummaryCodableRoundTrip() throws {
        let s = ModelSummary(
            graph: try ResNet50V2FPN.build(scale: ModelScale(inputSize: 72, widthMultiplier: 0.0625, fpnFeatures: 4), seed: 1),
            model: "ResNet50V2-FPN")
        let back = try JSONDecoder().decode(ModelSummary.self, from: JSONEncoder().encode(s))
        XCTAssertEqual(back, s)
        XCTAssertEqual(ModelKind(name: "fpn"), .resnet50v2FPN)
        XCTAssertEqual(ModelKind(name: "Xception"), .xception)
        XCTAssertNil(ModelKind(name: "vgg16"))
    }
}
