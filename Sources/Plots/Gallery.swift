import Foundation

/// One figure of every kind Plots draws, built from deterministic synthetic numbers; written
/// by `paper-repro plots gallery DIR` and used by the tests.
public enum Gallery {
    /// The gallery's figures by file stem.
    public static func figures() -> [(name: String, figure: Figure)] {
        [
            ("line", lineChart()), ("bars-grouped", groupedBars()), ("bars-stacked", stackedBars()),
            ("histogram", histogramChart()), ("confusion", confusionMatrices()), ("heatmap", heatmapChart()),
            ("image", imagePanels()), ("image-grid", imageGridFigure()), ("diagram-pipeline", pipelineDiagram()),
            ("diagram-flowchart", flowchartDiagram()), ("diagram-architecture", architectureDiagram()),
            ("panels", panelGrid())
        ]
    }

    /// Writes `<name>.png` and `<name>.svg` for every gallery figure into `directory`.
    /// - Returns: the paths written.
    @discardableResult
    public static func write(to directory: String) throws -> [String] {
        var paths: [String] = []
        for (name, fig) in figures() {
            let base = (directory as NSString).appendingPathComponent(name)
            try fig.savePNG(base + ".png"); try fig.saveSVG(base + ".svg")
            paths += [base + ".png", base + ".svg"]
        }
        return paths
    }

    // MARK: - Synthetic data

    /// SplitMix64: a small seeded generator for reproducible gallery data.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-12), v = uniform()
            return sqrt(-2 * log(u)) * cos(2 * .pi * v)
        }
    }

    /// A CT-like phantom stored as HU + 1024: air, a soft-tissue body, two lungs with vessels,
    /// and a small ground-glass patch in the right lung.
    public static func phantom(size n: Int = 128, seed: UInt64 = 7) -> GrayImage {
        var rng = Rng(state: seed)
        var px = [UInt16](repeating: 0, count: n * n)
        let c = Double(n) / 2
        func inEllipse(_ x: Double, _ y: Double, _ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double) -> Bool {
            let dx = (x - cx) / rx, dy = (y - cy) / ry
            return dx * dx + dy * dy <= 1
        }
        for y in 0..<n {
            for x in 0..<n {
                let fx = Double(x) + 0.5, fy = Double(y) + 0.5
                var hu = -1000.0
                if inEllipse(fx, fy, c, c * 1.05, c * 0.85, c * 0.62) { hu = 40 }
                if inEllipse(fx, fy, c * 0.62, c * 1.0, c * 0.28, c * 0.42) || inEllipse(fx, fy, c * 1.38, c * 1.0, c * 0.28, c * 0.42) {
                    hu = -850
                    if inEllipse(fx, fy, c * 1.45, c * 1.05, c * 0.10, c * 0.12) { hu = -450 }
                }
                if inEllipse(fx, fy, c, c * 1.55, c * 0.12, c * 0.1) { hu = 700 }  // spine
                hu += rng.normal() * 12
                px[y * n + x] = UInt16(min(max(hu + 1024, 0), 4095))
            }
        }
        return GrayImage(width: n, height: n, pixels: px)
    }

    // MARK: - Figures

    static func lineChart() -> Figure {
        let fig = Figure(width: 6.4, height: 4.2)
        let ax = fig.addAxes()
        let epochs = (1...20).map(Double.init)
        let models: [(String, Double)] = [("ResNet50V2", 0.92), ("Xception", 0.9), ("ResNet50V2-FPN", 0.955)]
        for (i, (name, top)) in models.enumerated() {
            let train = epochs.map { top - (top - 0.55) * exp(-$0 / 3.5) }
            let val = epochs.enumerated().map { k, e in top - 0.03 - (top - 0.5) * exp(-e / 3) + 0.01 * sin(Double(k) * 1.7) }
            let color = Color.cycle(i)
            ax.line(x: epochs, y: train.map { $0 * 100 }, label: "\(name) train", color: color, marker: .circle, markerSize: 4)
            ax.line(
                x: epochs, y: val.map { $0 * 100 }, label: "\(name) validation", color: color, marker: .square,
                style: .dashed, markerSize: 4)
        }
        ax.title = "Training and validation accuracy"
        ax.xLabel = "Epoch"; ax.yLabel = "Accuracy (%)"
        ax.grid = true
        return fig
    }

    static func groupedBars() -> Figure {
        let fig = Figure(width: 6.4, height: 4.0)
        let ax = fig.addAxes()
        ax.bars(
            categories: ["<30", "30–40", "40–50", "50–60", "60–70", ">70"],
            values: [[6, 17, 20, 21, 16, 11], [4, 12, 18, 16, 13, 9]], labels: ["Male", "Female"], valueLabels: true)
        ax.title = "Patients by age group and sex"
        ax.xLabel = "Age group (years)"; ax.yLabel = "Patients"
        return fig
    }

    static func stackedBars() -> Figure {
        let fig = Figure(width: 6.4, height: 4.0)
        let ax = fig.addAxes()
        ax.bars(
            categories: ["Fold 1", "Fold 2", "Fold 3", "Fold 4", "Fold 5"],
            values: [[1320, 1290, 1355, 1301, 1340], [2940, 3012, 2890, 2975, 2960]],
            labels: ["COVID-19", "Normal"], mode: .stacked, colors: [.red, .blue], valueLabels: true)
        ax.legendLocation = .outsideRight
        ax.title = "Training images per fold"
        ax.yLabel = "Images"
        return fig
    }

    static func histogramChart() -> Figure {
        let fig = Figure(width: 6.4, height: 4.0)
        let ax = fig.addAxes()
        var rng = Rng(state: 11)
        let ages = (0..<400).map { _ in 51 + 14 * rng.normal() }
        ax.histogram(ages, bins: 20, range: 10...95, label: "Patients", edgeColor: .white)
        ax.title = "Age distribution"
        ax.xLabel = "Age (years)"; ax.yLabel = "Count"
        return fig
    }

    static func confusionMatrices() -> Figure {
        let fig = Figure(width: 10, height: 3.6)
        fig.title = "Image classification, fold 1"
        let counts = [[[1200, 33], [41, 2874]], [[1178, 55], [62, 2853]], [[1221, 12], [25, 2890]]]
        for (i, name) in ["ResNet50V2", "Xception", "ResNet50V2-FPN"].enumerated() {
            let ax = fig.addAxes(row: 0, col: i)
            ax.confusionMatrix(counts[i], classNames: ["COVID-19", "Normal"])
            ax.title = name
        }
        return fig
    }

    static func heatmapChart() -> Figure {
        let fig = Figure(width: 6.4, height: 4.8)
        let ax = fig.addAxes()
        let v = (0..<6).map { i in (0..<8).map { j in sin(Double(i) * 0.7) * cos(Double(j) * 0.45) * 10 } }
        ax.heatmap(
            v, rowLabels: (1...6).map { "Row \($0)" }, columnLabels: (1...8).map { "C\($0)" },
            cellText: v.map { $0.map { Ticks.format($0, decimals: 1) } }, colorbarLabel: "Value (a.u.)")
        ax.title = "Annotated heatmap"
        return fig
    }

    static func imagePanels() -> Figure {
        let fig = Figure(width: 9, height: 3.4)
        let img = phantom()
        let lung = DisplayWindow(center: 424, width: 1200)
        let a = fig.addAxes(row: 0, col: 0)
        a.image(img, window: lung); a.caption = "Lung window (W 1200, L −600)"
        let b = fig.addAxes(row: 0, col: 1)
        b.image(img, window: lung)
        b.rectangle(x: 24, y: 40, width: 80, height: 64, color: .pureRed, lineWidth: 1.5)
        b.caption = "Selection region"
        let c = fig.addAxes(row: 0, col: 2)
        var heat = [Float](repeating: 0, count: 16 * 16)
        for y in 0..<16 {
            for x in 0..<16 {
                let dx = (Double(x) - 11.5) / 2.5, dy = (Double(y) - 8.3) / 2.5
                heat[y * 16 + x] = Float(exp(-(dx * dx + dy * dy) / 2))
            }
        }
        c.image(img, window: lung, overlay: HeatOverlay(values: GrayImage(width: 16, height: 16, pixels: heat), colormap: .jet, alpha: 0.4))
        c.colorbar(colormap: .jet, range: 0...1, label: "Activation")
        c.caption = "Heat overlay (jet, α 0.4)"
        return fig
    }

    static func imageGridFigure() -> Figure {
        let base = phantom(size: 64)
        let images = (0..<12).map { k -> GrayImage in
            // Fade the lungs in and out to mimic a sequence of slices.
            let f = Float(sin(Double(k + 1) / 13 * .pi))
            return GrayImage(width: 64, height: 64, pixels: base.pixels.map { v in v < 600 ? 24 + (v - 24) * f + 800 * (1 - f) : v })
        }
        return Figure.imageGrid(
            images, columns: 6, window: DisplayWindow(center: 424, width: 1200),
            captions: (1...12).map { "Slice \($0)" }, highlighted: [0, 1, 10, 11],
            title: "Slices of one series (discarded in red)")
    }

    static func pipelineDiagram() -> Figure {
        let fig = Figure(width: 9, height: 1.8)
        let d = fig.addDiagram()
        let steps = ["CT scan\n(DICOM)", "16-bit TIFF\nslices", "Slice\nselection", "Classifier\n(image level)", "Patient\nidentification"]
        for (i, s) in steps.enumerated() { d.node("s\(i)", row: 0, col: i, s, shape: i == 0 ? .ellipse : .roundedBox) }
        for i in 1..<steps.count { d.edge("s\(i - 1)", "s\(i)") }
        return fig
    }

    static func flowchartDiagram() -> Figure {
        let fig = Figure(width: 6.4, height: 5.6)
        let d = fig.addDiagram()
        d.title = "Slice selection"
        d.node("start", row: 0, col: 0, "Read slice", shape: .ellipse)
        d.node("count", row: 1, col: 0, "Count dark pixels\nin the central region")
        d.node("test", row: 2, col: 0, "Count <\nthreshold?", shape: .diamond)
        d.node("keep", row: 3, col: 0, "Keep slice")
        d.node("drop", row: 2, col: 1, "Discard slice", shape: .box)
        d.node("end", row: 4, col: 0, "Next slice", shape: .ellipse)
        d.edge("start", "count"); d.edge("count", "test")
        d.edge("test", "keep", label: "yes"); d.edge("test", "drop", label: "no")
        d.edge("keep", "end"); d.edge("drop", "end", route: .verticalFirst)
        d.edge("end", "start", label: "more slices")
        return fig
    }

    static func architectureDiagram() -> Figure {
        let fig = Figure(width: 6.4, height: 6)
        let d = fig.addDiagram()
        d.title = "Feature pyramid classifier"
        let backbone = ["Input\n512×512×3", "Stage 1\n128×128×256", "Stage 2\n64×64×512", "Stage 3\n32×32×1024", "Stage 4\n16×16×2048"]
        for (i, s) in backbone.enumerated() { d.node("b\(i)", row: i, col: 0, s, shape: .box) }
        for i in 1..<backbone.count { d.edge("b\(i - 1)", "b\(i)") }
        for i in 1..<backbone.count {
            d.node("p\(i)", row: i, col: 1, "P\(i + 1)\nconv 3×3, 256", fill: Color(hex: "#e8dff5"), stroke: .purple)
            d.edge("b\(i)", "p\(i)")
            d.node("c\(i)", row: i, col: 2, "Classifier \(i)\n2", fill: Color(hex: "#fde0ef"), stroke: .pink)
            d.edge("p\(i)", "c\(i)")
        }
        d.node("sum", row: 0, col: 2, "Concatenate\n+ dense\n2", shape: .ellipse)
        d.edge("c1", "sum")
        return fig
    }

    static func panelGrid() -> Figure {
        let fig = Figure(width: 8, height: 6)
        fig.title = "A grid of panels with long labels"
        var rng = Rng(state: 3)
        for r in 0..<2 {
            for c in 0..<2 {
                let ax = fig.addAxes(row: r, col: c)
                let x = (0..<30).map(Double.init)
                ax.line(
                    x: x, y: x.map { 1000 * sin($0 / 5 + Double(r + c)) + 50 * rng.normal() }, label: "signal", marker: .triangle,
                    markerSize: 4)
                ax.title = "Panel (\(r), \(c))"
                ax.xLabel = "A rather long x-axis label with units (seconds since start)"
                ax.yLabel = "Amplitude (millivolts)"
                ax.grid = r == c
            }
        }
        return fig
    }
}
