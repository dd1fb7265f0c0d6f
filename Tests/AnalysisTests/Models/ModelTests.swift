import NeuralNet
import XCTest

@testable import Analysis

final class ModelTests: XCTestCase {
    // MARK: - Full size: Keras's parameter counts at 512×512×1 (incl. BN moving statistics)

    func testResNet50V2ParameterCountAndShapes() throws {
        let g = try ResNet50V2.classifier(seed: 1)
        XCTAssertEqual(g.parameterCount, 24_607_106)
        XCTAssertEqual(g.shape(of: g.node(named: "post_relu")!), [16, 16, 2048])
        XCTAssertEqual(g.shape(of: g.node(named: "conv4_block1_preact_relu")!), [32, 32, 512])
        XCTAssertEqual(g.shape(of: g.node(named: "conv1_conv")!), [256, 256, 64])
        XCTAssertEqual(
            Array(g.nodeNames.prefix(18)),
            [
                "input_1", "conv1_pad", "conv1_conv", "pool1_pad", "pool1_pool",
                "conv2_block1_preact_bn", "conv2_block1_preact_relu", "conv2_block1_1_conv", "conv2_block1_1_bn",
                "conv2_block1_1_relu", "conv2_block1_2_pad", "conv2_block1_2_conv", "conv2_block1_2_bn",
                "conv2_block1_2_relu", "conv2_block1_0_conv", "conv2_block1_3_conv", "conv2_block1_out",
                "conv2_block2_preact_bn"
            ])
        XCTAssertNotNil(g.node(named: "conv2_block3_0_max_pooling2d"))
        XCTAssertTrue(g.parameters.map(\.name).contains("post_bn/moving_variance"))
        XCTAssertTrue(g.parameters.map(\.name).contains("conv1_conv/kernel"))
    }

    func testXceptionParameterCountAndShapes() throws {
        let g = try Xception.classifier(seed: 1)
        XCTAssertEqual(g.parameterCount, 21_909_482)
        XCTAssertEqual(g.shape(of: g.node(named: "block14_sepconv2_act")!), [16, 16, 2048])
        XCTAssertEqual(g.shape(of: g.node(named: "block1_conv1")!), [255, 255, 32])
        XCTAssertNotNil(g.node(named: "conv2d_3")); XCTAssertNil(g.node(named: "conv2d_4"))
        XCTAssertNotNil(g.node(named: "add_11")); XCTAssertNil(g.node(named: "add_12"))
        let names = g.nodeNames
        let i = names.firstIndex(of: "block2_sepconv2_bn")!
        XCTAssertEqual(Array(names[i...(i + 4)]), ["block2_sepconv2_bn", "conv2d", "block2_pool", "batch_normalization", "add"])
    }

    func testFPNParameterCountAndPyramidShapes() throws {
        let g = try ResNet50V2FPN.build(seed: 1)
        XCTAssertEqual(g.parameterCount, 34_058_656)
        XCTAssertEqual(g.shape(of: g.node(named: "P3")!), [30, 30, 256])
        XCTAssertEqual(g.shape(of: g.node(named: "P4")!), [14, 14, 256])
        XCTAssertEqual(g.shape(of: g.node(named: "P5")!), [16, 16, 256])
        XCTAssertEqual(g.shape(of: g.node(named: "P6")!), [8, 8, 256])
        XCTAssertEqual(g.shape(of: g.node(named: "P7")!), [4, 4, 256])
        XCTAssertEqual(g.shape(of: g.node(named: "P3_merged")!), [32, 32, 768])
        XCTAssertEqual(g.shape(of: g.node(named: "heads_concat")!), [10])
        XCTAssertEqual(g.shape(of: g.outputs[0]), [2])
    }

    // MARK: - Scaled models

    func testFPNBelow65PixelsIsAClearError() {
        XCTAssertThrowsError(try ResNet50V2FPN.build(scale: ModelScale(inputSize: 64, widthMultiplier: 0.125, fpnFeatures: 8), seed: 1)) {
            guard case .inputTooSmall(_, 64, 65, _)? = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertTrue("\($0)".contains("65"))
        }
        XCTAssertNoThrow(try ResNet50V2FPN.build(scale: ModelScale(inputSize: 65, widthMultiplier: 0.0625, fpnFeatures: 4), seed: 1))
        XCTAssertThrowsError(try Xception.classifier(scale: ModelScale(inputSize: 64, widthMultiplier: 0.125), seed: 1))
    }

    func testSmallModelsRunForwardAndBackward() throws {
        let scale = ModelScale(inputSize: 72, widthMultiplier: 0.0625, fpnFeatures: 4)
        for kind in ModelKind.allCases {
            let g = try kind.build(scale: scale, seed: 3)
            let x = Tensor(shape: [2, 72, 72, 1], data: (0..<(2 * 72 * 72)).map { Float($0 % 97) / 97 })
            let logits = g.forward([x], mode: .training)[0]
            XCTAssertEqual(logits.shape, [2, 2], "\(kind)")
            let (loss, dLogits) = LossOp.softmaxCrossEntropy(logits: logits, labels: Tensor(shape: [2, 2], data: [1, 0, 0, 1]))
            XCTAssertTrue(loss.isFinite, "\(kind)")
            g.zeroGradients()
            g.backward([dLogits])
            XCTAssertTrue(
                g.trainableParameters.contains { p in p.gradient.data.contains { $0 != 0 } }, "\(kind): no gradient reached the weights")
        }
    }

    func testSameSeedSameWeights() throws {
        let scale = ModelScale(inputSize: 72, widthMultiplier: 0.0625, fpnFeatures: 4)
        let a = try ResNet50V2FPN.build(scale: scale, seed: 9), b = try ResNet50V2FPN.build(scale: scale, seed: 9)
        XCTAssertEqual(a.parameters.map(\.value.data), b.parameters.map(\.value.data))
    }
}
