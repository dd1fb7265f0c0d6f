import Analysis
import Foundation

/// Fig. 3: patients by age group, sex and infection (§2.1), from the real
/// `Patient_details.csv`; compared with the numbers printed on the paper's bars.
///
/// The cohort's metadata is real whatever the image source, so the comparison holds for
/// synthetic runs too. The chart follows the paper's panels (`Figure3Chart`).
public struct Figure3Entry: ReportEntry {
    public let id = EntryID(.figure, 3)
    public let stages = [PatientCountsStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let counts = try PatientCountsStage.read(from: inputs.stage(PatientCountsStage.name))
        let groups = Array(Set(counts.map(\.ageGroup))).sorted()
        func n(_ infection: String?, _ sex: String?, _ age: String?) -> Int {
            counts.filter {
                (infection == nil || $0.infection == infection) && (sex == nil || $0.sex == sex)
                    && (age == nil || $0.ageGroup == age)
            }.map(\.patients).reduce(0, +)
        }
        let columns: [(String, String)] = [("covid", "M"), ("covid", "F"), ("normal", "M"), ("normal", "F")]
        var rows = groups.map { g in
            [g.replacingOccurrences(of: "_", with: "–")] + columns.map { "\(n($0.0, $0.1, g))" } + ["\(n(nil, nil, g))"]
        }
        rows.append(["All ages"] + columns.map { "\(n($0.0, $0.1, nil))" } + ["\(n(nil, nil, nil))"])
        let table = ReportTable(header: ["Age group", "COVID male", "COVID female", "Normal male", "Normal female", "All"], rows: rows)
        let csv = PaperCSV.render(
            header: ["infection", "sex", "age_group", "patients"],
            rows: counts.map { [$0.infection, $0.sex, $0.ageGroup, "\($0.patients)"] })

        var comparisons: [Comparison] = []
        for label in inputs.paper.figure3 {
            let ours: Int, quantity: String
            let sexName = label.category == "M" ? "male" : "female"
            switch label.group {
            case "age":
                ours = n(nil, nil, label.category)
                quantity = "Patients aged \(label.category.replacingOccurrences(of: "_", with: "–"))"
            case "sex_all":
                ours = n(nil, label.category, nil); quantity = "All \(sexName) patients"
            case "sex_covid":
                ours = n("covid", label.category, nil); quantity = "COVID \(sexName) patients"
            case "sex_normal":
                ours = n("normal", label.category, nil); quantity = "Normal \(sexName) patients"
            default:
                throw ReportError.badTable(file: "figure3_patients.csv", reason: "unknown group '\(label.group)'")
            }
            comparisons.append(
                .numeric(
                    key: "\(label.group).\(label.category)", quantity: quantity,
                    paper: Double(label.patients), ours: Double(ours), tolerance: .exact,
                    dependsOnData: false, syntheticData: inputs.dataSource.isSynthetic))
        }
        let chart = try Figure3Chart.draw(counts)
        return BuiltEntry(
            table: table,
            files: ["figures/fig03.csv": Data(csv.utf8), "figures/fig03.png": chart.png, "figures/fig03.svg": chart.svg],
            images: [
                EntryImage(
                    png: "figures/fig03.png", svg: "figures/fig03.svg",
                    alt: "Bar charts of patients by age group, sex and infection")
            ],
            comparisons: comparisons,
            notes: [
                "Counted from the real `Patient_details.csv` published with COVID-CTset (377 patients), so the comparison holds whatever the image source."
            ])
    }
}
