import NeuralNet
import XCTest

@testable import Analysis

final class GradCAMTests: XCTestCase {
    /// input 8×8×1 → 1×1 conv "feat" (filter 0 = x, filter 1 = −x) → global average → Dense(2)
    /// = identity, so logit 0 = mean(x) and logit 1 = −mean(x): Grad-CAM of class 0 must be
    /// ReLU(x) / max, of class 1 ReLU(−x) / max.
    func makeGraph() -> Graph {
        let g = Graph(seed: 1)
        let x = g.input("input_1", shape: [8, 8, 1])
        let feat = g.add(Conv2D("feat", filters: 2, kernelSize: 1), x)
        let logits = g.add(Dense("fc", units: 2), g.add(GlobalAveragePooling2D("gap"), feat))
        g.outputs = [logits]
        precondition(g.outputs.count == 1)
        for p in g.parameters {
            switch p.name {
            case "feat/kernel": p.value = Tensor(shape: p.value.shape, data: [1, -1])
            case "fc/kernel": p.value = Tensor(shape: p.value.shape, data: [1, 0, 0, 1])
            default: p.value = Tensor(shape: p.value.shape)
            }
        }
        return g
    }

    func testGradCAMOfAKnownLinearModel() {
        let g = makeGraph()
        let pixels: [Float] = (0..<64).map { Float(($0 * 37) % 17) - 6 }
        let image = Tensor(shape: [1, 8, 8, 1], data: pixels)
        let peak = pixels.max()!
        let map0 = GradCAM.compute(graph: g, image: image, layer: "feat", classIndex: 0)
        XCTAssertEqual(map0.classIndex, 0)
        for i in 0..<64 { XCTAssertEqual(map0.heat[i], max(0, pixels[i]) / peak, accuracy: 1e-5, "pixel \(i)") }
        let low = -pixels.min()!
        let map1 = GradCAM.compute(graph: g, image: image, layer: "feat", classIndex: 1)
        for i in 0..<64 { XCTAssertEqual(map1.heat[i], max(0, -pixels[i]) / low, accuracy: 1e-5, "pixel \(i)") }
        // The predicted class: mean(x) decides.
        let mean = pixels.reduce(0, +) / 64
        XCTAssertEqual(GradCAM.compute(graph: g, image: image, layer: "feat").classIndex, mean > 0 ? 0 : 1)
    }

    /// Two input channels x and y; feature 0 = x feeds logit 0, feature 1 = −x feeds logit 1 and
    /// feature 2 = y feeds both logits alike, so it changes no probability. The map of class 0
    /// must be ReLU(x) / max (feature 2 weighted zero), not ReLU(x + y) / max as z_0 alone gives.
    func testFeatureRaisingEveryLogitAlikeGetsNoWeight() {
        let g = Graph(seed: 1)
        let x = g.input("input_1", shape: [8, 8, 2])
        let feat = g.add(Conv2D("feat", filters: 3, kernelSize: 1), x)
        g.outputs = [g.add(Dense("fc", units: 2), g.add(GlobalAveragePooling2D("gap"), feat))]
        for p in g.parameters {
            switch p.name {
            // kernel [1, 1, in 2, out 3]: out0 = x, out1 = −x, out2 = y.
            case "feat/kernel": p.value = Tensor(shape: p.value.shape, data: [1, -1, 0, 0, 0, 1])
            // kernel [in 3, out 2]: logit0 = f0 + f2, logit1 = f1 + f2.
            case "fc/kernel": p.value = Tensor(shape: p.value.shape, data: [1, 0, 0, 1, 1, 1])
            default: p.value = Tensor(shape: p.value.shape)
            }
        }
        let xs: [Float] = (0..<64).map { Float(($0 * 37) % 17) - 6 }
        let ys: [Float] = (0..<64).map { Float(($0 * 11) % 13) }
        let image = Tensor(shape: [1, 8, 8, 2], data: (0..<64).flatMap { [xs[$0], ys[$0]] })
        let map = GradCAM.compute(graph: g, image: image, layer: "feat", classIndex: 0)
        let peak = xs.max()!
        for i in 0..<64 { XCTAssertEqual(map.heat[i], max(0, xs[i]) / peak, accuracy: 1e-5, "pixel \(i)") }
    }

    /// input 8×8×1 → 1×1 conv "feat" (= x) → Flatten → Dense(2): logit 0 = Σ_p w_p x_p with
    /// w = +1 on the left half and −1 on the right, logit 1 = 0. The gradient differs by position
    /// and averages to zero: Grad-CAM's map is empty, HiResCAM's is ReLU(w ⊙ x) / max, each
    /// position's share of the class-0 score.
    func testHiResCAMCreditsPositionsByTheirOwnGradient() {
        let g = Graph(seed: 1)
        let x = g.input("input_1", shape: [8, 8, 1])
        let feat = g.add(Conv2D("feat", filters: 1, kernelSize: 1), x)
        g.outputs = [g.add(Dense("fc", units: 2), g.add(Flatten("flat"), feat))]
        let weight: [Float] = (0..<64).map { $0 % 8 < 4 ? 1 : -1 }
        for p in g.parameters {
            switch p.name {
            case "feat/kernel": p.value = Tensor(shape: p.value.shape, data: [1])
            case "fc/kernel": p.value = Tensor(shape: p.value.shape, data: (0..<64).flatMap { [weight[$0], 0] })
            default: p.value = Tensor(shape: p.value.shape)
            }
        }
        let xs: [Float] = (0..<64).map { Float(($0 * 37) % 17) - 6 }
        let image = Tensor(shape: [1, 8, 8, 1], data: xs)
        let hires = GradCAM.compute(graph: g, image: image, layer: "feat", classIndex: 0, method: .hiResCAM)
        let expected = (0..<64).map { max(0, weight[$0] * xs[$0]) }
        let peak = expected.max()!
        for i in 0..<64 { XCTAssertEqual(hires.heat[i], expected[i] / peak, accuracy: 1e-5, "pixel \(i)") }
        let grad = GradCAM.compute(graph: g, image: image, layer: "feat", classIndex: 0, method: .gradCAM)
        XCTAssertEqual(grad.peak, 0, accuracy: 1e-6)
    }

    /// 7×7: air border, a body wall (HU 40) two pixels thick around a 1×1 "lung" (HU −850), one
    /// air pixel touching the wall from outside. The lung is enclosed, so it is not outside.
    func testOutsideBodyIsAirReachedFromTheBorder() {
        var stored = [Float](repeating: 24, count: 49)  // HU −1000
        for y in 1...5 { for x in 1...5 { stored[y * 7 + x] = 1064 } }  // body
        stored[3 * 7 + 3] = 174  // lung, enclosed
        let outside = LocalisationScore.outsideBody(stored: stored, width: 7, height: 7)
        XCTAssertEqual(outside.filter { $0 }.count, 49 - 25)
        XCTAssertFalse(outside[3 * 7 + 3])
        XCTAssertTrue(outside[0]); XCTAssertFalse(outside[1 * 7 + 1])
        // A map with half its heat on the border air and its peak there.
        var heat = [Float](repeating: 0, count: 49)
        heat[0] = 1; heat[3 * 7 + 3] = 0.5; heat[2 * 7 + 2] = 0.5
        let map = GradCAMMap(heat: heat, width: 7, height: 7, classIndex: 1, probability: 0.9, layer: "x")
        var mask = [Bool](repeating: false, count: 49); mask[3 * 7 + 3] = true
        let score = LocalisationScore(map: map, mask: mask, outsideBody: outside)
        XCTAssertEqual(try XCTUnwrap(score.heatOutsideBody), 0.5, accuracy: 1e-12)
        XCTAssertEqual(score.peakOutsideBody, true)
        XCTAssertEqual(score.energyInside, 0.25, accuracy: 1e-12)
        XCTAssertNil(LocalisationScore(map: map, mask: mask).heatOutsideBody)
    }

    func testBilinearResizeKeepsConstantsAndSameSizeIsIdentity() {
        let src: [Float] = [1, 2, 3, 4]
        XCTAssertEqual(GradCAM.resizeBilinear(src, width: 2, height: 2, toWidth: 2, toHeight: 2), src)
        XCTAssertEqual(GradCAM.resizeBilinear([5, 5, 5, 5], width: 2, height: 2, toWidth: 7, toHeight: 5), [Float](repeating: 5, count: 35))
        let up = GradCAM.resizeBilinear([0, 1], width: 2, height: 1, toWidth: 4, toHeight: 1)
        XCTAssertEqual(up, [0, 0.25, 0.75, 1])
    }

    /// ResNet50V2 pads its strided layers before them: cell i of the FPN's stride-8 map at 96 px
    /// is centred on pixel 8i, so a map with one hot cell peaks there, not 3.5 pixels further on.
    func testResNetCellsSitOnTheirWindowsCentres() throws {
        let g = try ResNet50V2FPN.build(scale: ModelScale(inputSize: 96, widthMultiplier: 0.0625, fpnFeatures: 4), seed: 2)
        let node = try XCTUnwrap(g.node(named: "conv3_block3_out"))
        let cells = try XCTUnwrap(g.cellGeometry(of: node))
        XCTAssertEqual(cells.rows, CellAxis(stride: 8, offset: 0))
        XCTAssertEqual(cells.columns, CellAxis(stride: 8, offset: 0))
        var cam = [Float](repeating: 0, count: 144)
        cam[3 * 12 + 5] = 1
        let heat = GradCAM.resizeBilinear(cam, width: 12, height: 12, toWidth: 96, toHeight: 96, cells: cells)
        let peak = heat.indices.max { heat[$0] < heat[$1] }!
        XCTAssertEqual(peak / 96, 24); XCTAssertEqual(peak % 96, 40)
        XCTAssertEqual(heat[24 * 96 + 40], 1)
        XCTAssertEqual(heat[28 * 96 + 40], 0.5, accuracy: 1e-6)  // half-way to the next cell
        // Half-pixel centres (no geometry) put the same cell on 27.5, 43.5.
        let plain = GradCAM.resizeBilinear(cam, width: 12, height: 12, toWidth: 96, toHeight: 96)
        XCTAssertEqual(plain[27 * 96 + 43], plain[28 * 96 + 44], accuracy: 1e-6)
        XCTAssertLessThan(plain[24 * 96 + 40], 0.7)
        // A flattened head has no geometry.
        XCTAssertNil(g.cellGeometry(of: try XCTUnwrap(g.outputs.first)))
    }

    func testLocalisationScore() {
        let map = GradCAMMap(heat: [0, 0, 1, 3], width: 2, height: 2, classIndex: 0, probability: 0.9, layer: "x")
        let s = LocalisationScore(map: map, mask: [false, false, false, true])
        XCTAssertEqual(s.energyInside, 0.75); XCTAssertTrue(s.pointingHit); XCTAssertEqual(s.maskFraction, 0.25)
        XCTAssertFalse(LocalisationScore(map: map, mask: [true, false, true, false]).pointingHit)
    }

    /// The tolerant pointing game counts a peak within 15/224 of the side of the mask, not further.
    func testPointingGameTolerance() {
        let side = 224
        var heat = [Float](repeating: 0, count: side * side)
        heat[100 * side + 100] = 1  // the peak at (100, 100)
        let map = GradCAMMap(heat: heat, width: side, height: side, classIndex: 1, probability: 0.9, layer: "x")
        func mask(atX x: Int) -> [Bool] { var m = [Bool](repeating: false, count: side * side); m[100 * side + x] = true; return m }
        let near = LocalisationScore(map: map, mask: mask(atX: 115))  // 15 px away
        XCTAssertFalse(near.pointingHit)
        XCTAssertEqual(near.pointingHitWithinTolerance, true)
        let far = LocalisationScore(map: map, mask: mask(atX: 116))  // 16 px away
        XCTAssertEqual(far.pointingHitWithinTolerance, false)
        XCTAssertEqual(LocalisationScore(map: map, mask: mask(atX: 100)).pointingHit, true)
    }

    /// The FPN's map is P3 where P3 is at least 8×8, the backbone's 12×12 map below.
    func testFPNLayerFollowsTheInputSize() throws {
        let small = try ResNet50V2FPN.build(scale: ModelScale(inputSize: 96, widthMultiplier: 0.0625, fpnFeatures: 4), seed: 2)
        XCTAssertEqual(GradCAM.layer(for: .resnet50v2FPN, in: small), GradCAM.fpnFallbackLayer)
        let large = try ResNet50V2FPN.build(scale: ModelScale(inputSize: 224, widthMultiplier: 0.0625, fpnFeatures: 4), seed: 2)
        XCTAssertEqual(GradCAM.layer(for: .resnet50v2FPN, in: large), "P3")
        XCTAssertEqual(GradCAM.layer(for: .resnet50v2, in: small), GradCAM.defaultLayer(.resnet50v2))
    }

    func testGradCAMRunsOnTheFPN() throws {
        let g = try ResNet50V2FPN.build(scale: ModelScale(inputSize: 72, widthMultiplier: 0.0625, fpnFeatures: 4), seed: 2)
        let image = Tensor(shape: [1, 72, 72, 1], data: (0..<(72 * 72)).map { Float($0 % 50) })
        let map = GradCAM.compute(graph: g, image: image, layer: GradCAM.layer(for: .resnet50v2FPN, in: g))
        XCTAssertEqual(map.heat.count, 72 * 72)
        XCTAssertTrue(map.heat.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
