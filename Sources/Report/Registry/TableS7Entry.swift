import Analysis
import Foundation

/// Table S7 (not in the paper): the best one-feature rule on the series, on the slice
/// thickness, or on the pair, fitted on each fold's training labels and scored on its test labels
/// (`ShortcutCheck`).
public struct TableS7Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 7)
    public let stages = DatasetAudit.stages

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let audit = try DatasetAudit(inputs)
        let results = audit.shortcuts
        func f(_ x: Double) -> String { x.isFinite ? NumberFormat.fixed(x, 4) : "—" }
        func values(_ r: ShortcutCheck.Result) -> String {
            r.rule.covidValues.isEmpty ? "none" : r.rule.covidValues.sorted(by: naturalLess).joined(separator: "; ")
        }
        let header = [
            "Fold", "Feature", "Fitted for", "Called COVID-19", "Training accuracy", "Test accuracy",
            "Test balanced accuracy", "Test sensitivity", "Test specificity", "Test images"
        ]
        let rows = results.map { r -> [String] in
            let m = r.test.metrics
            return [
                "\(r.fold)", r.feature.rawValue, r.objective.rawValue, values(r), f(r.train.metrics.overallAccuracy),
                f(m.overallAccuracy), f(r.test.balancedAccuracy), f(m.covidSensitivity), f(m.covidSpecificity),
                NumberFormat.grouped(r.test.total)
            ]
        }
        let csv = PaperCSV.render(
            header: [
                "fold", "feature", "objective", "covid_values", "train_accuracy", "train_balanced_accuracy", "test_accuracy",
                "test_balanced_accuracy", "test_covid_tp", "test_covid_fn", "test_covid_fp", "test_normal_tp"
            ],
            rows: results.map { r in
                [
                    "\(r.fold)", r.feature.rawValue, r.objective.rawValue, values(r),
                    f(r.train.metrics.overallAccuracy), f(r.train.balancedAccuracy), f(r.test.metrics.overallAccuracy),
                    f(r.test.balancedAccuracy), "\(r.test.covidTP)", "\(r.test.covidFN)", "\(r.test.covidFP)", "\(r.test.normalTP)"
                ]
            })
        func mean(_ feature: ShortcutCheck.Feature, _ objective: OneFeatureRule.Objective, _ value: (ConfusionCounts) -> Double) -> Double {
            DatasetAudit.mean(results.filter { $0.feature == feature && $0.objective == objective }.map { value($0.test) })
        }
        let thicknessAccuracy = mean(.thickness, .accuracy) { $0.metrics.overallAccuracy }
        let thicknessBalanced = mean(.thickness, .balancedAccuracy) { $0.balancedAccuracy }
        let seriesAccuracy = mean(.series, .accuracy) { $0.metrics.overallAccuracy }
        let seriesBalanced = mean(.series, .balancedAccuracy) { $0.balancedAccuracy }
        let pairBalanced = mean(.seriesAndThickness, .balancedAccuracy) { $0.balancedAccuracy }
        let covidShare = DatasetAudit.mean(
            results.filter { $0.feature == .series && $0.objective == .accuracy }.map {
                Double($0.test.covidTP + $0.test.covidFN) / Double(max($0.test.total, 1))
            })
        var built = BuiltEntry(
            table: ReportTable(header: header, rows: rows), files: ["tables/tableS7.csv": Data(csv.utf8)],
            notes: [
                audit.sourceNote,
                Prose.text("TableS7Entry.1"),
                Prose.text("TableS7Entry.2", ["\(DatasetAudit.percent(covidShare))"])
            ])
        built.verdict =
            Prose.text(
                "TableS7Entry.3",
                [
                    "\(f(thicknessAccuracy))", "\(f(thicknessBalanced))", "\(audit.plan.folds.count)", "\(f(seriesAccuracy))",
                    "\(f(seriesBalanced))", "\(f(pairBalanced))"
                ])
            + (max(thicknessBalanced, seriesBalanced, pairBalanced) >= 0.7
                ? "The labels can be separated well above chance without looking at the lungs: a network's accuracy on these folds does not by itself show that it sees the infection."
                : "Neither feature alone separates these labels well.")
        return built
    }
}
