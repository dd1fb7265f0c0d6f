import Foundation
import XCTest

@testable import Analysis

final class AugmentationTests: XCTestCase {
    /// A W×H image whose every pixel is distinct: value = 10·row + column + 1.
    func ramp(_ w: Int, _ h: Int) -> [Float] { (0..<(w * h)).map { Float(10 * ($0 / w) + $0 % w + 1) } }

    func testIdentityReturnsInputExactly() {
        let img = (0..<(7 * 5)).map { Float($0) * 1.37 + 1000 }
        XCTAssertEqual(Augmentation.apply(img, width: 7, height: 5, sample: .identity), img)
        // A draw from ranges of zero is the identity too.
        let s = AugmentationParameters.disabled.sample(seed: 3, epoch: 2, index: 9, width: 7, height: 5)
        XCTAssertEqual(s, .identity)
        XCTAssertEqual(Augmentation.apply(img, width: 7, height: 5, sample: s), img)
    }

    func testRotation90MatchesRot90() {
        let n = 5
        let img = ramp(n, n)
        var s = AugmentationSample(); s.rotationDegrees = 90
        let out = Augmentation.apply(img, width: n, height: n, sample: s)
        // Output (row r, column c) samples input (row c, column n−1−r): numpy's rot90 (anticlockwise).
        for r in 0..<n { for c in 0..<n { XCTAssertEqual(out[r * n + c], img[c * n + (n - 1 - r)], "at \(r),\(c)") } }
        XCTAssertEqual(Array(out[0..<n]), [5, 15, 25, 35, 45])  // the top row is the input's last column
        // −270° is the same rotation; 360° gives the input back.
        s.rotationDegrees = -270
        XCTAssertEqual(Augmentation.apply(img, width: n, height: n, sample: s), out)
        s.rotationDegrees = 360
        XCTAssertEqual(Augmentation.apply(img, width: n, height: n, sample: s), img)
    }

    func testFlips() {
        let img = ramp(4, 3)
        var s = AugmentationSample(); s.flipHorizontal = true
        XCTAssertEqual(
            Augmentation.apply(img, width: 4, height: 3, sample: s),
            [4, 3, 2, 1, 14, 13, 12, 11, 24, 23, 22, 21])
        s = AugmentationSample(); s.flipVertical = true
        XCTAssertEqual(
            Augmentation.apply(img, width: 4, height: 3, sample: s),
            [21, 22, 23, 24, 11, 12, 13, 14, 1, 2, 3, 4])
        s.flipHorizontal = true  // both flips = a 180° rotation
        var r = AugmentationSample(); r.rotationDegrees = 180
        XCTAssertEqual(
            Augmentation.apply(img, width: 4, height: 3, sample: s),
            Augmentation.apply(img, width: 4, height: 3, sample: r))
    }

    func testWholePixelShiftMovesPixelsAndFillsWithNearest() {
        let w = 6, h = 4
        let img = ramp(w, h)
        var s = AugmentationSample(); s.shiftX = 2  // output column c samples input column c + 2
        let out = Augmentation.apply(img, width: w, height: h, sample: s)
        for r in 0..<h {
            for c in 0..<w {
                let expected = img[r * w + min(c + 2, w - 1)]  // beyond the border: the last column
                XCTAssertEqual(out[r * w + c], expected, "at \(r),\(c)")
            }
        }
        s = AugmentationSample(); s.shiftY = -1  // content moves down one row; row 0 repeats
        let down = Augmentation.apply(img, width: w, height: h, sample: s)
        XCTAssertEqual(Array(down[0..<w]), Array(img[0..<w]))
        XCTAssertEqual(Array(down[w..<(2 * w)]), Array(img[0..<w]))
        XCTAssertEqual(Array(down[(3 * w)...]), Array(img[(2 * w)..<(3 * w)]))
    }

    func testNearestFillAtBordersUnderZoomOut() {
        // Zoom 2 samples twice the area: the corners read far outside and take the corner pixels.
        let n = 5
        let img = ramp(n, n)
        var s = AugmentationSample(); s.zoomX = 2; s.zoomY = 2
        let out = Augmentation.apply(img, width: n, height: n, sample: s)
        XCTAssertEqual(out[0], img[0]); XCTAssertEqual(out[n - 1], img[n - 1])
        XCTAssertEqual(out[n * n - 1], img[n * n - 1]); XCTAssertEqual(out[(n - 1) * n], img[(n - 1) * n])
        XCTAssertEqual(out[2 * n + 2], img[2 * n + 2])  // the centre is fixed
        XCTAssertEqual(out[2 * n + 1], img[2 * n + 0])  // one step left of centre reads two steps left
        XCTAssertTrue(out.allSatisfy { $0 >= img.min()! && $0 <= img.max()! })
    }

    func testBilinearHalfPixelShift() {
        let img: [Float] = [0, 10, 20, 30]
        var s = AugmentationSample(); s.shiftX = 0.5
        XCTAssertEqual(Augmentation.apply(img, width: 4, height: 1, sample: s), [5, 15, 25, 30])
    }

    func testSamplesAreDeterministicAndWithinTable3Ranges() {
        let p = AugmentationParameters.paper
        let a = p.sample(seed: 7, epoch: 3, index: 11, width: 96, height: 96)
        XCTAssertEqual(a, p.sample(seed: 7, epoch: 3, index: 11, width: 96, height: 96))
        XCTAssertNotEqual(a, p.sample(seed: 7, epoch: 4, index: 11, width: 96, height: 96))
        XCTAssertNotEqual(a, p.sample(seed: 7, epoch: 3, index: 12, width: 96, height: 96))
        XCTAssertNotEqual(a, p.sample(seed: 8, epoch: 3, index: 11, width: 96, height: 96))
        var flipsH = 0, maxAngle = 0.0
        for i in 0..<400 {
            let s = p.sample(seed: 1, epoch: 0, index: i, width: 100, height: 80)
            XCTAssertLessThanOrEqual(abs(s.rotationDegrees), 360)
            XCTAssertLessThanOrEqual(abs(s.shiftX), 5.0); XCTAssertLessThanOrEqual(abs(s.shiftY), 4.0)
            XCTAssertLessThanOrEqual(abs(s.shearDegrees), 0.05)
            XCTAssertTrue((0.95...1.05).contains(s.zoomX) && (0.95...1.05).contains(s.zoomY))
            XCTAssertNotEqual(s.zoomX, s.zoomY)
            if s.flipHorizontal { flipsH += 1 }
            maxAngle = max(maxAngle, abs(s.rotationDegrees))
        }
        XCTAssertTrue((150...250).contains(flipsH), "\(flipsH) horizontal flips of 400")
        XCTAssertGreaterThan(maxAngle, 300)
        // The same batch, regenerated, is bit-identical; two cores give what one image at a time gives.
        let imgs = (0..<(3 * 64)).map { Float(($0 * 37) % 101) }
        let samples = (0..<3).map { p.sample(seed: 5, epoch: 1, index: $0, width: 8, height: 8) }
        let batch = Augmentation.applyBatch(imgs, width: 8, height: 8, samples: samples)
        XCTAssertEqual(batch, Augmentation.applyBatch(imgs, width: 8, height: 8, samples: samples))
        for k in 0..<3 {
            XCTAssertEqual(
                Array(batch[(k * 64)..<((k + 1) * 64)]),
                Augmentation.apply(Array(imgs[(k * 64)..<((k + 1) * 64)]), width: 8, height: 8, sample: samples[k]))
        }
    }

    func testShearIsInDegrees() {
        // Keras: shear_range is an angle in degrees; 45° maps (x, y) → (x − sin45·y, cos45·y).
        var s = AugmentationSample(); s.shearDegrees = 45
        let m = s.matrix
        XCTAssertEqual(m.a, 1, accuracy: 1e-12); XCTAssertEqual(m.b, -sin(Double.pi / 4), accuracy: 1e-12)
        XCTAssertEqual(m.d, 0, accuracy: 1e-12); XCTAssertEqual(m.e, cos(Double.pi / 4), accuracy: 1e-12)
    }
}
