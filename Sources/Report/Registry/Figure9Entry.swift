import Analysis
import Foundation
import Plots

/// Fig. 9: ResNet50V2 with the feature pyramid and the classification heads (§2.3), drawn
/// after `ResNet50V2FPN.build`: C3, C4, C5 taken from the backbone, reduced to the pyramid's
/// features, merged top-down into P3-P5, P6 and P7 from C5, one Flatten-Dropout-Dense(2)
/// head per level, concatenated into the final Dense(2). Channel counts are the run's: the
/// scale the FPN's training recorded (`train` stage), or the preset's (`parameters` stage)
/// when the trainings have not run.
public struct Figure9Entry: ReportEntry {
    public let id = EntryID(.figure, 9)
    public let stages = [ParametersStage.name]
    public let cachedStages = [TrainStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let p = try ParametersStage.read(from: inputs.stage(ParametersStage.name)).model
        let trained = try inputs.stages[TrainStage.name].map { try TrainStage.read(from: $0.directory) }
        let m =
            trained?.trainings.first { $0.config.model == .resnet50v2FPN }?.config.scale
            ?? ModelScale(inputSize: p.inputSize, widthMultiplier: p.widthMultiplier, fpnFeatures: p.fpnFeatures)
        let scale = m
        let f = m.fpnFeatures
        let fig = Figure(width: 13, height: 6.2, dpi: 100)
        fig.title =
            "ResNet50V2 + feature pyramid, as this run builds it (input \(m.inputSize) px, width × \(NumberFormat.plain(m.widthMultiplier)), \(f) features)"
        let d = fig.addDiagram()
        d.node("input", row: 1, col: 0, "Input\n\(m.inputSize)×\(m.inputSize)×1", shape: .ellipse)
        d.node("backbone", row: 1, col: 1, "ResNet50V2\nbackbone")
        d.node("c3", row: 0, col: 2, "C3 (\(scale.filters(512)) ch)\nconv4_block1_preact_relu", shape: .box)
        d.node("c4", row: 1, col: 2, "C4 (\(scale.filters(1024)) ch)\nconv5_block1_preact_relu", shape: .box)
        d.node("c5", row: 2, col: 2, "C5 (\(scale.filters(2048)) ch)\npost_relu", shape: .box)
        d.node("p3", row: 0, col: 3, "P3: concat(up P4 merge, C3 1×1)\n3×3 valid, \(f)")
        d.node("p4", row: 1, col: 3, "P4: concat(up P5, C4 1×1)\n3×3 valid, \(f)")
        d.node("p5", row: 2, col: 3, "P5: C5 1×1 → 3×3, \(f)")
        d.node("p6", row: 3, col: 3, "P6: C5 3×3 stride 2, \(f)")
        d.node("p7", row: 4, col: 3, "P7: ReLU → 3×3 stride 2, \(f)")
        d.node("heads", row: 2, col: 4, "per level:\nFlatten → Dropout 0.5\n→ Dense(2) → ReLU")
        d.node("out", row: 2, col: 5, "Concatenate\n→ Dense(2)\nCOVID-19 / normal", shape: .ellipse)
        d.edge("input", "backbone")
        d.edge("backbone", "c3", route: .verticalFirst)
        d.edge("backbone", "c4")
        d.edge("backbone", "c5", route: .verticalFirst)
        d.edge("c3", "p3"); d.edge("c4", "p4"); d.edge("c5", "p5")
        d.edge("c5", "p6", route: .verticalFirst)
        d.edge("p5", "p4"); d.edge("p4", "p3")
        d.edge("p6", "p7")
        for p in ["p3", "p4", "p5", "p6", "p7"] { d.edge(p, "heads") }
        d.edge("heads", "out")
        return BuiltEntry(
            files: ["figures/fig09.png": Data(try fig.pngData()), "figures/fig09.svg": Data(try fig.svgString().utf8)],
            images: [
                EntryImage(
                    png: "figures/fig09.png", svg: "figures/fig09.svg", alt: "ResNet50V2 with a feature pyramid and classification heads")
            ],
            notes: [
                "Drawn from the structure of `ResNet50V2FPN.build`, which follows the authors' code, including its quirk: P4_upsampled resizes the concatenation [P5_upsampled, C4_reduced], so P3's convolution sees 3 × \(f) channels.",
                "The paper's model is the same graph at 512 px, full width and 256 features (`configs/paper.json`)."
            ])
    }
}
