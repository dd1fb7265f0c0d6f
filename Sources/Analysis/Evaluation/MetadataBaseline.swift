import Foundation

/// What a classifier can reach without seeing any disease (dataset audit): a logistic regression
/// on a labelled image's series (SR_2 / SR_3 / SR_4), slice thickness and an image-noise
/// estimate, fitted on a fold's training images and scored (AUC) on its test images. When this
/// AUC is high, the labels can be told apart by how the image was acquired — a shortcut a
/// network may take instead of the infection.
public enum MetadataBaseline {
    /// The features of one image.
    public struct Features: Codable, Equatable, Sendable {
        public var series: String
        public var thicknessMM: Double?
        /// Robust noise estimate of the stored values: 1.4826 × median |x − mean of its 3×3
        /// neighbourhood| over the image's central half.
        public var noise: Double
        public init(series: String, thicknessMM: Double?, noise: Double) {
            self.series = series; self.thicknessMM = thicknessMM; self.noise = noise
        }
    }

    /// Which features a model uses.
    public enum FeatureSet: String, Codable, CaseIterable, Sendable {
        case series, thickness, noise, all
        var title: String {
            switch self {
            case .series: return "Series only"
            case .thickness: return "Slice thickness only"
            case .noise: return "Image noise only"
            case .all: return "Series + thickness + noise"
            }
        }
    }

    /// The design vector of `f` for `set` (without the intercept).
    static func vector(_ f: Features, _ set: FeatureSet) -> [Double] {
        let s: [Double] = ["SR_3", "SR_4"].map { f.series == $0 ? 1 : 0 }
        let t = f.thicknessMM ?? 5
        let logNoise = log(max(f.noise, 1e-3))
        switch set {
        case .series: return s
        case .thickness: return [t, t * t / 10]
        case .noise: return [logNoise]
        case .all: return s + [t, t * t / 10, logNoise]
        }
    }

    /// A fitted model: standardisation and weights.
    public struct Model: Sendable {
        let set: FeatureSet
        let mean: [Double], scale: [Double]
        let weights: [Double]  // intercept first

        /// P(COVID) of `f`.
        public func probability(_ f: Features) -> Double {
            let x = MetadataBaseline.vector(f, set)
            var z = weights[0]
            for i in x.indices { z += weights[i + 1] * (x[i] - mean[i]) / scale[i] }
            return 1 / (1 + exp(-z))
        }
    }

    /// Fits an L2-regularised logistic regression (λ = 1e-3) by full-batch gradient descent
    /// (deterministic: fixed steps, no randomness). Classes are weighted to balance.
    public static func fit(_ features: [Features], labels: [ClassLabel], set: FeatureSet, steps: Int = 600) -> Model {
        let xs = features.map { vector($0, set) }
        let d = xs.first?.count ?? 0
        var mean = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        if !xs.isEmpty {
            for j in 0..<d {
                let col = xs.map { $0[j] }
                let m = col.reduce(0, +) / Double(col.count)
                let v = col.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(col.count)
                mean[j] = m; scale[j] = v > 1e-12 ? v.squareRoot() : 1
            }
        }
        let ys = labels.map { $0 == .covid ? 1.0 : 0.0 }
        let nPos = max(1, ys.filter { $0 == 1 }.count), nNeg = max(1, ys.count - ys.filter { $0 == 1 }.count)
        let wPos = Double(ys.count) / (2 * Double(nPos)), wNeg = Double(ys.count) / (2 * Double(nNeg))
        var w = [Double](repeating: 0, count: d + 1)
        let lr = 0.5, lambda = 1e-3, n = Double(max(1, ys.count))
        for _ in 0..<steps {
            var g = [Double](repeating: 0, count: d + 1)
            for (x, y) in zip(xs, ys) {
                var z = w[0]
                for j in 0..<d { z += w[j + 1] * (x[j] - mean[j]) / scale[j] }
                let p = 1 / (1 + exp(-z))
                let e = (p - y) * (y == 1 ? wPos : wNeg)
                g[0] += e
                for j in 0..<d { g[j + 1] += e * (x[j] - mean[j]) / scale[j] }
            }
            for j in 0...d { w[j] -= lr * (g[j] / n + (j > 0 ? lambda * w[j] : 0)) }
        }
        return Model(set: set, mean: mean, scale: scale, weights: w)
    }

    /// The noise estimate of a `width × height` image of stored values (see `Features.noise`).
    public static func noise(_ pixels: [Float], width: Int, height: Int) -> Double {
        var residuals: [Float] = []
        let r0 = height / 4, r1 = 3 * height / 4, c0 = width / 4, c1 = 3 * width / 4
        residuals.reserveCapacity((r1 - r0) * (c1 - c0))
        for r in max(1, r0)..<min(height - 1, r1) {
            for c in max(1, c0)..<min(width - 1, c1) {
                var s: Float = 0
                for dr in -1...1 { for dc in -1...1 { s += pixels[(r + dr) * width + c + dc] } }
                residuals.append(abs(pixels[r * width + c] - s / 9))
            }
        }
        guard !residuals.isEmpty else { return 0 }
        residuals.sort()
        return 1.4826 * Double(residuals[residuals.count / 2])
    }
}
