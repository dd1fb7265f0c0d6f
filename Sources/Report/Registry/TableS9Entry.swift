import Analysis
import Foundation

/// Table S9 (not in the paper): the fold plan's leakage check per fold — no patient on both
/// the training and the test side, no validation patient in training, and the copies of a
/// slice listed under two batch folders on one side only (`FoldPlan.leakage`).
public struct TableS9Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 9)
    public let stages = DatasetAudit.stages

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let audit = try DatasetAudit(inputs)
        let checks = audit.plan.leakage(labels: audit.sources.rows.map(\.slice))
        func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }
        let header = [
            "Fold", "Training patients", "Test patients", "Validation patients", "Patients training and testing",
            "Validation patients training", "Repeated slices", "Repeated slices on both sides", "Result"
        ]
        let rows = zip(audit.plan.folds, checks).map { f, c in
            [
                "\(c.fold)", NumberFormat.grouped(f.trainPatients.count), NumberFormat.grouped(f.testPatients.count),
                NumberFormat.grouped(f.validationPatients.count), list(c.patientsTrainingAndTesting), list(c.patientsTrainingAndValidating),
                NumberFormat.grouped(c.repeatedSlices), NumberFormat.grouped(c.repeatedSlicesOnBothSides), c.isClean ? "no leak" : "LEAK"
            ]
        }
        let csv = PaperCSV.render(
            header: [
                "fold", "train_patients", "test_patients", "validation_patients", "patients_training_and_testing",
                "validation_patients_training", "repeated_slices", "repeated_slices_on_both_sides", "clean"
            ],
            rows: zip(audit.plan.folds, checks).map { f, c in
                [
                    "\(c.fold)", "\(f.trainPatients.count)", "\(f.testPatients.count)", "\(f.validationPatients.count)",
                    c.patientsTrainingAndTesting.joined(separator: ";"), c.patientsTrainingAndValidating.joined(separator: ";"),
                    "\(c.repeatedSlices)", "\(c.repeatedSlicesOnBothSides)", c.isClean ? "yes" : "no"
                ]
            })
        let leaking = checks.filter { !$0.isClean }
        let validation = audit.plan.folds.first?.validationSource
        var notes = [
            audit.sourceNote,
            Prose.text("TableS9Entry.1")
        ]
        if validation == .testSubset {
            notes.append(
                "Validation patients are a subset of the test patients, as in the paper (§2.4: \"part of the testing data has been considered for validating\"): test data choose the checkpoint. That is the paper's design, not a leak this check counts."
            )
        }
        var built = BuiltEntry(table: ReportTable(header: header, rows: rows), files: ["tables/tableS9.csv": Data(csv.utf8)], notes: notes)
        built.verdict =
            leaking.isEmpty
            ? "No leak in any of the \(checks.count) folds: no patient trains and tests, no validation patient trains, and every repeated slice (\(NumberFormat.grouped(checks.map(\.repeatedSlices).max() ?? 0)) in the largest fold) has all its copies on one side."
            : "Leak in \(leaking.count) of \(checks.count) folds (\(leaking.map { "fold \($0.fold)" }.joined(separator: ", "))): the fold plan must be fixed before its results mean anything."
        return built
    }
}
