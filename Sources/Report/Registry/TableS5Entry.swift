import Analysis
import Foundation

/// Table S5 (not in the paper): the twin's COVID-19 pneumonia against the published CT
/// descriptions (`TwinLiterature`), measured from the `twin` stage's ground truth.
public struct TableS5Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 5)
    public let stages = [TwinStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let root = inputs.stage(TwinStage.name).appendingPathComponent(TwinStage.folder)
        let m = try TwinLiterature.measure(root: root)
        let rows = TwinLiterature.rows(m)
        let table = ReportTable(
            header: ["Property", "Published", "Source", "Twin (this run)", "Agrees"],
            rows: rows.map { [$0.property, $0.published, $0.source, $0.twin, $0.agrees ? "yes" : "no"] })
        let csv = PaperCSV.render(
            header: ["property", "published", "source", "twin", "twin_value", "agreement_low", "agreement_high", "agrees"],
            rows: rows.map { r in
                [
                    r.property, r.published, r.source, r.twin, String(format: "%.4f", r.value),
                    String(format: "%.4f", r.agreement.lowerBound), String(format: "%.4f", r.agreement.upperBound), r.agrees ? "yes" : "no"
                ]
            })
        let agree = rows.filter(\.agrees).count
        var notes = [
            Prose.text("TableS5Entry.1", ["\(m.covidPatients)", "\(agree)", "\(rows.count)"]),
            Prose.text("TableS5Entry.2"),
            "These rows say the twin's disease resembles the published descriptions in the properties it models; they do not make it real CT. Sources: Sources/Analysis/Synthetic/README.md."
        ]
        if m.normalPatientsWithDisease > 0 {
            notes.append("\(m.normalPatientsWithDisease) normal patients carry disease in their ground truth: a defect of the twin.")
        }
        return BuiltEntry(table: table, files: ["tables/tableS5.csv": Data(csv.utf8)], images: [], notes: notes)
    }
}
