import Analysis
import Foundation

/// Table 8: image-level results of the three networks per fold (§3.1), from the `evaluate`
/// stage, beside the paper's. The nine metrics are computed exactly as the paper does; Wilson
/// 95% intervals are added for accuracy, COVID sensitivity and COVID precision.
public struct Table8Entry: ReportEntry {
    public let id = EntryID(.table, 8)
    public let stages = [EvaluateStage.name]
    /// Tolerance on metrics (absolute), used only on the real dataset.
    public static let tolerance = Tolerance.absolute(0.02)

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try EvaluateStage.read(from: inputs.stage(EvaluateStage.name))
        let p4 = { (x: Double) in x.isNaN ? "—" : String(format: "%.4f", x) }
        var rows: [[String]] = [], csvRows: [[String]] = [], comparisons: [Comparison] = []
        let header = [
            "Fold", "Network", "Correct", "Wrong", "COVID TP", "COVID FN", "COVID FP", "Normal TP",
            "Accuracy", "COVID sensitivity", "COVID specificity", "COVID precision", "Normal precision", "AUC",
            "Accuracy 95% CI (Wilson)", "Accuracy 95% CI (patient bootstrap)"
        ]
        let folds = Array(Set(results.map(\.fold))).sorted()
        var meanAccuracy: [ModelKind: Double] = [:]
        for model in ModelKind.allCases {
            var perFold: [Metrics] = []
            for f in folds {
                guard let r = results.first(where: { $0.model == model && $0.fold == f }) else { continue }
                let c = r.counts, m = c.metrics
                perFold.append(m)
                let ci = Intervals.wilson(successes: c.correct, trials: c.total)
                rows.append([
                    "\(f)", model.rawValue, "\(c.correct)", "\(c.wrong)", "\(c.covidTP)", "\(c.covidFN)", "\(c.covidFP)",
                    "\(c.normalTP)", p4(m.overallAccuracy), p4(m.covidSensitivity), p4(m.covidSpecificity),
                    p4(m.covidPrecision), p4(m.normalPrecision), r.auc.map(p4) ?? "—",
                    "\(p4(ci.lower))–\(p4(ci.upper))", Table8Entry.patientBootstrap(r, seed: inputs.preset.seed)
                ])
                csvRows.append(
                    [
                        "\(f)", model.rawValue, "\(c.correct)", "\(c.wrong)", "\(c.covidTP)", "\(c.covidFN)", "\(c.covidFP)",
                        "\(c.normalTP)"
                    ] + m.named.map { p4($0.1) })
                if let paper = inputs.paper.table8.first(where: { $0.fold == .fold(f) && $0.network == model.rawValue }) {
                    rows.append([
                        "\(f) (paper)", model.rawValue, NumberFormat.plain(paper.correct), NumberFormat.plain(paper.wrong),
                        NumberFormat.plain(paper.covidTP), NumberFormat.plain(paper.covidFN), NumberFormat.plain(paper.covidFP),
                        NumberFormat.plain(paper.normalTP),
                        paper.metrics[.overallAccuracy].map(p4) ?? "—", paper.metrics[.covidSensitivity].map(p4) ?? "—",
                        paper.metrics[.covidSpecificity].map(p4) ?? "—", paper.metrics[.covidPrecision].map(p4) ?? "—",
                        paper.metrics[.normalPrecision].map(p4) ?? "—", "—", "—", "—"
                    ])
                    for (metric, ours) in [
                        (ClassificationMetric.overallAccuracy, m.overallAccuracy),
                        (.covidSensitivity, m.covidSensitivity), (.covidPrecision, m.covidPrecision)
                    ] {
                        guard let theirs = paper.metrics[metric], !ours.isNaN else { continue }
                        comparisons.append(
                            .numeric(
                                key: "fold\(f).\(model.rawValue).\(metric.rawValue)",
                                quantity: "Fold \(f), \(model.rawValue): \(metric.label)",
                                paper: theirs, ours: ours, tolerance: Table8Entry.tolerance,
                                dependsOnData: true, syntheticData: inputs.dataSource.isSynthetic))
                    }
                }
            }
            if !perFold.isEmpty {
                let mean = Metrics.mean(perFold)
                let acc = Intervals.meanSD(perFold.map(\.overallAccuracy))
                rows.append([
                    "Avg", model.rawValue, "", "", "", "", "", "", String(format: "%.4f ± %.4f", acc.mean, acc.sd),
                    p4(mean.covidSensitivity), p4(mean.covidSpecificity), p4(mean.covidPrecision), p4(mean.normalPrecision), "", "", ""
                ])
                meanAccuracy[model] = mean.overallAccuracy
                if let paper = inputs.paper.table8.first(where: { $0.fold == .average && $0.network == model.rawValue }) {
                    for (metric, ours) in [
                        (ClassificationMetric.overallAccuracy, mean.overallAccuracy), (.covidSensitivity, mean.covidSensitivity)
                    ] {
                        guard let theirs = paper.metrics[metric], !ours.isNaN else { continue }
                        comparisons.append(
                            .numeric(
                                key: "avg.\(model.rawValue).\(metric.rawValue)",
                                quantity: "Avg, \(model.rawValue): \(metric.label)",
                                paper: theirs, ours: ours, tolerance: Table8Entry.tolerance,
                                dependsOnData: true, syntheticData: inputs.dataSource.isSynthetic))
                    }
                }
            }
        }
        if meanAccuracy.count == ModelKind.allCases.count {
            comparisons.append(Table8Entry.ranking(ours: meanAccuracy, paper: inputs.paper, synthetic: inputs.dataSource.isSynthetic))
        }
        let csv = PaperCSV.render(
            header: [
                "fold", "network", "correct_classified", "wrong_classified", "covid_tp", "covid_fn",
                "covid_fp", "normal_tp"
            ] + Metrics.mean([ConfusionCounts(covidTP: 1, covidFN: 1, covidFP: 1, normalTP: 1).metrics]).named.map(\.0),
            rows: csvRows)
        var notes = [
            "Test images are the expert-labelled slices of each fold's test patients; a slice is COVID when P(COVID) > 0.5. The checkpoint was chosen on validation images drawn from the test patients, as the paper does, so test data steers model selection.",
            Prose.text("Table8Entry.1"),
            Prose.text(
                "Table8Entry.2",
                [
                    "\(inputs.preset.model.inputSize)", "\(inputs.preset.model.widthMultiplier)", "\(inputs.preset.model.fpnFeatures)",
                    "\(inputs.preset.training.epochs)"
                ])
        ]
        // Say plainly when a network has not learned to separate the classes at all.
        for model in ModelKind.allCases {
            let mine = results.filter { $0.model == model }
            let truths = mine.flatMap(\.truths)
            guard Set(truths).count == 2 else { continue }
            let auc = ROCCurve(scores: mine.flatMap(\.covidProbabilities), truths: truths).auc
            if auc < 0.6 {
                notes.append(Prose.text("Table8Entry.3", ["\(model.rawValue)", "\(String(format: "%.3f", auc))"]))
            }
        }
        if inputs.dataSource.isSynthetic {
            notes.append(
                "On the synthetic twin these numbers describe how the networks separate phantom lesions; they say nothing about accuracy on patients."
            )
        }
        return BuiltEntry(
            table: ReportTable(header: header, rows: rows), files: ["tables/table8.csv": Data(csv.utf8)],
            comparisons: comparisons, notes: notes)
    }

    /// The paper's central claim: the FPN model has the highest mean overall accuracy. Compares the
    /// order of the three networks by Avg accuracy.
    static func ranking(ours: [ModelKind: Double], paper: PaperTables, synthetic: Bool) -> Comparison {
        func order(_ v: [(String, Double)]) -> String { v.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.map(\.0).joined(separator: " > ") }
        let theirs = order(
            paper.table8.filter { $0.fold == .average }.compactMap { r in r.metrics[.overallAccuracy].map { (r.network, $0) } })
        let mine = order(ours.map { ($0.key.rawValue, $0.value) })
        var c = Comparison.text(
            key: "ranking.overall_accuracy", quantity: "Networks ordered by mean overall accuracy", paper: theirs, ours: mine)
        if synthetic { c.verdict = .notComparable("synthetic data") }
        let best = ours.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }
        c.holds = best?.key == .resnet50v2FPN && ours.filter { $0.value == best?.value }.count == 1
        return c
    }

    /// The 95% percentile-bootstrap interval of a fold's image accuracy, resampling test
    /// patients (each with all its images), seeded by the preset seed, model and fold.
    static func patientBootstrap(_ r: FoldEvaluation, seed: UInt64) -> String {
        var byPatient: [String: (correct: Int, total: Int)] = [:]
        for i in r.truths.indices {
            let predicted: ClassLabel = ClassDecision.isCovid(r.covidProbabilities[i]) ? .covid : .normal
            byPatient[r.patients[i], default: (0, 0)].total += 1
            if predicted == r.truths[i] { byPatient[r.patients[i], default: (0, 0)].correct += 1 }
        }
        let units = byPatient.keys.sorted().map { byPatient[$0]! }
        guard !units.isEmpty else { return "—" }
        var stream = SplitMix64(seed: seed, stream: "table8/bootstrap/\(r.model.rawValue)/fold\(r.fold)")
        let ci = Intervals.bootstrap(units, replicates: 1000, seed: stream.next()) { sample in
            let total = sample.reduce(0) { $0 + $1.total }
            return total == 0 ? .nan : Double(sample.reduce(0) { $0 + $1.correct }) / Double(total)
        }
        return ci.lower.isNaN ? "—" : String(format: "%.4f–%.4f", ci.lower, ci.upper)
    }
}
