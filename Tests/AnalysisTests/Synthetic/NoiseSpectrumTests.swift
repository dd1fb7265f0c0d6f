import Foundation
import XCTest

@testable import Analysis

/// The twin's scanner noise at reduced image sizes follows the ramp-shaped spectrum of filtered
/// back-projection: an image of `size` pixels keeps about (size/512)^1.5 of the standard
/// deviation at 512 px, less than white noise would keep (size/512), while at 512 px the noise is
/// what the kernel's table says.
final class NoiseSpectrumTests: XCTestCase {
    /// The noise an image carries: the rendered slice minus the same slice rendered without
    /// noise, measured with the metadata baseline's robust estimator (1.4826 × median absolute
    /// residual from the 3×3 mean over the image's centre), which a thin streak does not move.
    func measuredNoise(size: Int, patient: String = "patient1", series: String = "SR_2") throws -> Double {
        let twin = try SynthFixture.twin(size: size, patients: .ids([patient]))
        let renderer = try twin.renderer(patient: patient, series: series)
        let index = renderer.plan.sliceCount / 2
        let noisy = renderer.render(index: index).pixels
        let clean = renderer.render(index: index, options: .init(noise: false, blur: true)).pixels
        let difference = zip(noisy, clean).map { Float(Int($0) - Int($1)) }
        return MetadataBaseline.noise(difference, width: size, height: size)
    }

    func testScaleFollowsARampSpectrum() {
        XCTAssertEqual(PhantomRenderer.noiseScale(size: 512), 1)
        XCTAssertEqual(PhantomRenderer.noiseScale(size: 1024), 2)
        XCTAssertEqual(PhantomRenderer.noiseScale(size: 128), 0.125, accuracy: 1e-12)
        XCTAssertLessThan(PhantomRenderer.noiseScale(size: 96), 96.0 / 512 * 0.5)
    }

    func testSharpKernelNoiseAt512IsTheKernelsAndShrinksAsARampSpectrumAt96() throws {
        let twin = try SynthFixture.twin(size: 512, patients: .ids(["patient1"]))
        let plan = try twin.renderer(patient: "patient1", series: "SR_2").plan
        XCTAssertEqual(plan.kernel, "B70s")
        // White noise of standard deviation s has a 3×3-mean residual of s·√(8/9).
        let expected512 = PhantomRenderer.noiseSigma(kernel: "B70s") * (5 / plan.thicknessMM).squareRoot() * (8.0 / 9).squareRoot()
        let at512 = try measuredNoise(size: 512)
        XCTAssertEqual(at512, expected512, accuracy: 0.1 * expected512)
        let at96 = try measuredNoise(size: 96)
        let ratio = at96 / at512
        XCTAssertEqual(ratio, pow(96.0 / 512, 1.5), accuracy: 0.2 * pow(96.0 / 512, 1.5), "ratio \(ratio)")
        XCTAssertLessThan(ratio, 0.6 * 96 / 512, "white noise would keep 96/512 of it")
    }

    /// The soft kernel's blur keeps its width in millimetres: the binomial at 512 px, a filter
    /// of a fraction of a pixel at 96 px, so a B30s slice at 96 px is barely changed by it.
    func testSoftKernelBlurKeepsItsPhysicalWidth() throws {
        XCTAssertTrue(PhantomRenderer.blurWeights(size: 512) == (0.25, 0.5))
        let small = PhantomRenderer.blurWeights(size: 96)
        XCTAssertEqual(Double(small.side), 0.25 * pow(96.0 / 512, 2), accuracy: 1e-6)
        XCTAssertEqual(Double(2 * small.side + small.centre), 1, accuracy: 1e-6)
        XCTAssertFalse(PhantomRenderer.correlatesNoise(size: 96))
        XCTAssertTrue(PhantomRenderer.correlatesNoise(size: 512))

        // patient1's SR_3 is a B35s series: at 96 px the blur moves the slice by a small part of
        // what the 512-px binomial, applied at 96 px, would.
        let twin = try SynthFixture.twin(size: 96, patients: .ids(["patient1"]))
        let renderer = try twin.renderer(patient: "patient1", series: "SR_3")
        XCTAssertTrue(renderer.isSoftKernel)
        let index = renderer.plan.sliceCount / 2
        let blurred = renderer.render(index: index, options: .init(noise: false, blur: true)).pixels.map(Double.init)
        let sharp = renderer.render(index: index, options: .init(noise: false, blur: false)).pixels.map(Double.init)
        let n = 96
        var binomial = sharp
        for pass in 0..<2 {
            let source = binomial
            for r in 0..<n {
                for c in 0..<n {
                    let (a, b) = pass == 0 ? ((r, max(c - 1, 0)), (r, min(c + 1, n - 1))) : ((max(r - 1, 0), c), (min(r + 1, n - 1), c))
                    binomial[r * n + c] = 0.25 * source[a.0 * n + a.1] + 0.5 * source[r * n + c] + 0.25 * source[b.0 * n + b.1]
                }
            }
        }
        let change = zip(blurred, sharp).map { abs($0 - $1) }.reduce(0, +)
        let binomialChange = zip(binomial, sharp).map { abs($0 - $1) }.reduce(0, +)
        XCTAssertGreaterThan(binomialChange, 0)
        XCTAssertLessThan(change, 0.1 * binomialChange, "\(change) against \(binomialChange)")
    }
}
