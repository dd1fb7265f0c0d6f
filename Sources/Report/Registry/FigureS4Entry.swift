import Analysis
import Foundation
import Plots

/// Fig. S4 (not in the paper): per class, the share of the labelled images (every row of
/// `all.csv`) by slice thickness and by series, side by side.
public struct FigureS4Entry: ReportEntry {
    public let id = EntryID.supplement(.figure, 4)
    public let stages = DatasetAudit.stages

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let audit = try DatasetAudit(inputs)
        let s = audit.sources
        let covid = s.tally(.covid), normal = s.tally(.normal)
        let thicknesses = s.thicknesses, series = s.seriesNames
        let fig = Figure(width: 13, height: 4.8, dpi: 100)
        fig.title =
            "Where the expert labels come from: share of each class's labelled images (all.csv, \(NumberFormat.grouped(s.rows.count)) rows)"
        let colors = [Color.red, Color.blue]
        let labels = ["COVID-19 (\(NumberFormat.grouped(covid.images)) images)", "Normal (\(NumberFormat.grouped(normal.images)) images)"]
        let format = { (v: Double) in v == 0 ? "" : NumberFormat.fixed(v, v < 1 ? 1 : 0) + "%" }

        let left = fig.addAxes(row: 0, col: 0)
        left.bars(
            categories: thicknesses.map(LabelSources.thicknessText),
            values: [thicknesses.map { covid.thicknessShare($0) * 100 }, thicknesses.map { normal.thicknessShare($0) * 100 }],
            labels: labels, colors: colors, valueLabels: true, format: format)
        left.title = "By slice thickness"
        left.xLabel = "Slice thickness of the series (Patient_details.csv)"
        left.yLabel = "Share of the class's labelled images (%)"
        left.grid = true

        let right = fig.addAxes(row: 0, col: 1)
        right.bars(
            categories: series,
            values: [series.map { covid.seriesShare($0) * 100 }, series.map { normal.seriesShare($0) * 100 }],
            labels: labels, colors: colors, valueLabels: true, format: format)
        right.title = "By series"
        right.xLabel = "Series folder"
        right.yLabel = "Share of the class's labelled images (%)"
        right.grid = true

        let png = Data(try fig.pngData()), svg = Data(try fig.svgString().utf8)
        let csv = PaperCSV.render(
            header: ["feature", "value", "covid_images", "covid_share", "normal_images", "normal_share"],
            rows: thicknesses.map { t in
                [
                    "thickness", t.map { NumberFormat.plain($0) } ?? "unknown", "\(covid.thickness(t))",
                    NumberFormat.fixed(covid.thicknessShare(t), 6),
                    "\(normal.thickness(t))", NumberFormat.fixed(normal.thicknessShare(t), 6)
                ]
            }
                + series.map { n in
                    [
                        "series", n, "\(covid.series(n))", NumberFormat.fixed(covid.seriesShare(n), 6),
                        "\(normal.series(n))", NumberFormat.fixed(normal.seriesShare(n), 6)
                    ]
                })
        // Total variation distance between the two thickness distributions: 0 when they are the
        // same, 1 when no thickness is shared.
        let distance = thicknesses.map { abs(covid.thicknessShare($0) - normal.thicknessShare($0)) }.reduce(0, +) / 2
        var built = BuiltEntry(
            files: ["figures/figS4.png": png, "figures/figS4.svg": svg, "tables/figS4.csv": Data(csv.utf8)],
            images: [
                EntryImage(
                    png: "figures/figS4.png", svg: "figures/figS4.svg",
                    alt: "Bars of the share of COVID-19 and normal labelled images per slice thickness and per series")
            ],
            notes: [
                audit.sourceNote, "Every row of all.csv counts, a slice listed under two batch folders twice, as in the paper's Table 2."
            ])
        let commonest = thicknesses.max { normal.thickness($0) < normal.thickness($1) } ?? nil
        built.verdict = Prose.text(
            "FigureS4Entry.1",
            [
                "\(NumberFormat.fixed(distance, 3))", "\(DatasetAudit.percent(normal.thicknessShare(commonest)))",
                "\(LabelSources.thicknessText(commonest))", "\(DatasetAudit.percent(covid.thicknessShare(commonest)))",
                "\(DatasetAudit.percent(normal.seriesShare("SR_2")))", "\(DatasetAudit.percent(covid.seriesShare("SR_2")))"
            ])
        return built
    }
}
