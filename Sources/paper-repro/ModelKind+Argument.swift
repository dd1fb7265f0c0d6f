import Analysis
import ArgumentParser

/// Every command names a network the same way: its slug (`fpn`, `resnet50v2`, `xception`) or its
/// display name (`ResNet50V2-FPN`, any case), parsed by `ModelKind(name:)`.
extension ModelKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public var defaultValueDescription: String { slug }
    public static var allValueStrings: [String] { allCases.map(\.slug) }
}
