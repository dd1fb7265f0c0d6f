import Analysis
import Foundation
import Plots

/// Draws Fig. 3 as the paper does: patients per age group for each sex and infection
/// (left), per age group overall (middle) and per sex (right), with Plots' bar charts.
enum Figure3Chart {
    /// PNG and SVG bytes of the chart for `counts`.
    static func draw(_ counts: [PatientCountsStage.Count]) throws -> (png: Data, svg: Data) {
        let groups = Array(Set(counts.map(\.ageGroup))).sorted()
        func n(_ infection: String?, _ sex: String?, _ age: String?) -> Double {
            Double(
                counts.filter {
                    (infection == nil || $0.infection == infection) && (sex == nil || $0.sex == sex)
                        && (age == nil || $0.ageGroup == age)
                }.map(\.patients).reduce(0, +))
        }
        let cohorts: [(String, String, String)] = [
            ("M normal", "normal", "M"), ("F normal", "normal", "F"),
            ("M COVID-19", "covid", "M"), ("F COVID-19", "covid", "F")
        ]
        let fig = Figure(width: 15, height: 4.6, dpi: 100)
        fig.title = "Patients of COVID-CTset by age group, sex and infection (Patient_details.csv)"

        let left = fig.addAxes(row: 0, col: 0)
        left.bars(
            categories: cohorts.map(\.0),
            values: groups.map { g in cohorts.map { n($0.1, $0.2, g) } },
            labels: groups.map { $0.replacingOccurrences(of: "_", with: "–") })
        left.title = "By sex and infection"
        left.xLabel = "Sex (M male, F female) and infection"
        left.yLabel = "Patients"
        left.grid = true

        let middle = fig.addAxes(row: 0, col: 1)
        middle.bar(
            categories: groups.map { $0.replacingOccurrences(of: "_", with: "–") },
            values: groups.map { n(nil, nil, $0) }, valueLabels: true)
        middle.title = "Age"
        middle.xLabel = "Age group (years)"
        middle.yLabel = "Patients"

        let right = fig.addAxes(row: 0, col: 2)
        right.bars(
            categories: ["Male", "Female"],
            values: [
                [n(nil, "M", nil), n(nil, "F", nil)], [n("covid", "M", nil), n("covid", "F", nil)],
                [n("normal", "M", nil), n("normal", "F", nil)]
            ],
            labels: ["All", "COVID-19", "Normal"], valueLabels: true)
        right.title = "Sex"
        right.yLabel = "Patients"
        return (Data(try fig.pngData()), Data(try fig.svgString().utf8))
    }
}
