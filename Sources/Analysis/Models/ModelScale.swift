import Foundation
import NeuralNet

/// The size of a model: input size, backbone width and FPN features. Presets train smaller
/// versions of the same topology (same layers, names and order); the default is full size.
public struct ModelScale: Codable, Equatable, Hashable, Sendable {
    /// Input height and width in pixels (the paper: 512).
    public var inputSize: Int
    /// Multiplier of every backbone convolution's filter count (1 = Keras's).
    public var widthMultiplier: Double
    /// Feature count of the FPN's convolutions (the paper's code: 256).
    public var fpnFeatures: Int
    /// Momentum of every batch normalisation's moving statistics; nil = Keras's 0.99 (the paper).
    /// A reduced preset trained for a few hundred steps may lower it so the moving statistics
    /// keep up with the weights (otherwise inference-mode outputs lag the training).
    public var batchNormMomentum: Double?

    public init(inputSize: Int = 512, widthMultiplier: Double = 1, fpnFeatures: Int = 256, batchNormMomentum: Double? = nil) {
        self.inputSize = inputSize; self.widthMultiplier = widthMultiplier; self.fpnFeatures = fpnFeatures
        self.batchNormMomentum = batchNormMomentum
    }

    /// The batch normalisation momentum the builders use.
    public var momentum: Float { Float(batchNormMomentum ?? 0.99) }

    /// The paper's full-size models.
    public static let full = ModelScale()

    /// A backbone filter count scaled by the width multiplier (at least 1).
    public func filters(_ n: Int) -> Int { max(1, Int((Double(n) * widthMultiplier).rounded())) }
}

/// The three networks of the paper (§2.3).
public enum ModelKind: String, Codable, CaseIterable, Sendable {
    case resnet50v2FPN = "ResNet50V2-FPN"
    case resnet50v2 = "ResNet50V2"
    case xception = "Xception"

    /// The short lower-case name used on the command line and in stage names.
    public var slug: String {
        switch self {
        case .resnet50v2FPN: "fpn";
        case .resnet50v2: "resnet50v2";
        case .xception: "xception"
        }
    }

    /// The model named `name`: its slug, its display name, or "resnet50v2-fpn", any case.
    public init?(name: String) {
        let n = name.lowercased()
        guard let kind = Self.allCases.first(where: { $0.slug == n || $0.rawValue.lowercased() == n }) else { return nil }
        self = kind
    }

    /// Builds the model at `scale` with initial weights from `seed`.
    public func build(scale: ModelScale = .full, seed: UInt64) throws -> Graph {
        switch self {
        case .resnet50v2: return try ResNet50V2.classifier(scale: scale, seed: seed)
        case .xception: return try Xception.classifier(scale: scale, seed: seed)
        case .resnet50v2FPN: return try ResNet50V2FPN.build(scale: scale, seed: seed)
        }
    }
}

/// A model that cannot be built at the requested scale.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case inputTooSmall(model: String, size: Int, minimum: Int, reason: String)

    public var description: String {
        switch self {
        case .inputTooSmall(let m, let s, let min, let r):
            return "\(m) cannot be built for a \(s)×\(s) input (minimum \(min) px): \(r)"
        }
    }
}

/// The baseline classification head (an assumption, stated in the report): the authors' CT code
/// has none for ResNet50V2 and Xception; this is the head the same authors used on these
/// backbones in their X-ray work. Flatten → Dropout(0.5) → Dense(2) (softmax in the loss).
enum BaselineHead {
    static func attach(to graph: Graph, _ features: Graph.Node, seed: UInt64) -> Graph.Node {
        var x = graph.add(Flatten("flatten"), features)
        x = graph.add(Dropout("dropout", rate: 0.5, seed: seed &+ 1), x)
        return graph.add(Dense("dense", units: 2), x)
    }
}
