import Analysis
import Foundation

/// The "Audit of the paper": re-derives what the paper's tables imply and lists every place
/// where its printed numbers disagree, computed from the bundled tables and, for Table 2's
/// image counts, the dataset's own labels (`all.csv`, shipped with the project).
///
/// Tolerances: a Table 8 metric printed with 4 decimals agrees with a recomputed value when
/// they differ by at most half a unit in the 4th decimal (0.00005); an Avg metric that is a
/// mean of rounded fold values may differ from the ratio of the Avg counts by rounding, so
/// differences up to 0.0005 are notes and larger ones disagreements. Counts must match
/// exactly (means of counts to 1e-9).
public enum PaperAudit {
    /// Half a unit in the 4th decimal: the precision of Table 8's metrics.
    public static let printedPrecision = 0.00005
    /// Above this, an Avg metric is a disagreement rather than a rounding note.
    public static let roundingLimit = 0.0005

    /// Runs every check on `tables`; with `labels` (the real `all.csv` and
    /// `Patient_details.csv`, `LabelSources.shipped()`), also Table 2 against the labels.
    public static func run(_ tables: PaperTables, labels: LabelSources? = nil) -> AuditResult {
        var audit = Auditor(tables: tables)
        audit.table8FoldRows()
        audit.table8AverageRows()
        audit.table6()
        audit.table5()
        audit.table4AgainstTable1()
        audit.table2()
        if let labels { audit.table2AgainstLabels(labels) }
        audit.text()
        audit.textAgainstTables2And7()
        return AuditResult(findings: audit.findings, checks: audit.checks, passed: audit.passed)
    }
}

/// The working state of one audit; each method covers one table or relation.
struct Auditor {
    let t: PaperTables
    var findings: [AuditFinding] = []
    var checks = 0
    var passed: [String] = []

    init(tables: PaperTables) { t = tables }

    typealias F = NumberFormat

    mutating func add(
        _ id: String, _ severity: AuditFinding.Severity, _ sources: [String], _ title: String,
        _ arithmetic: String, printed: Double? = nil, recomputed: Double? = nil
    ) {
        findings.append(
            AuditFinding(
                id: id, severity: severity, sources: sources, title: title,
                arithmetic: arithmetic, printed: printed, recomputed: recomputed))
    }

    /// Counts a group of checks and records a sentence if none of them produced a finding.
    mutating func group(_ sentence: String, _ body: (inout Auditor) -> Int) {
        let before = findings.count
        let n = body(&self)
        checks += n
        if findings.count == before, n > 0 { passed.append(sentence.replacingOccurrences(of: "#", with: F.grouped(n))) }
    }

    static func close(_ a: Double, _ b: Double, _ tol: Double = 1e-9) -> Bool { abs(a - b) <= tol + 1e-12 }

    func folds8(_ network: String) -> [PaperClassificationRow] {
        t.table8.filter { $0.network == network && $0.fold != .average }.sorted { $0.fold < $1.fold }
    }

    // MARK: - Table 8

    mutating func table8FoldRows() {
        group("Table 8: all # fold-row metrics equal the values recomputed from the counts, to 4 decimals.") { a in
            var n = 0
            for row in a.t.table8 where row.fold != .average {
                for m in ClassificationMetric.allCases {
                    n += 1
                    let (value, formula) = PaperClassificationRow.metric(
                        m, tp: row.covidTP, fn: row.covidFN, fp: row.covidFP, tn: row.normalTP)
                    let printed = row.metrics[m]!
                    if !Auditor.close(value, printed, PaperAudit.printedPrecision) {
                        a.add(
                            "table8.\(row.fold).\(row.network).\(m.rawValue)", .disagreement, ["Table 8"],
                            "Table 8, \(row.fold), \(row.network): \(m.label) does not follow from the counts",
                            "\(formula) = \(F.fixed(value, 5)), printed \(F.plain(printed)) (Δ \(F.signed(printed - value, maxDecimals: 5)))",
                            printed: printed, recomputed: value)
                    }
                }
            }
            return n
        }
        group(
            "Table 8: in all # fold rows, correct = TP + TN, wrong = FN + FP, the normal class's FN/FP mirror COVID's FP/FN, and the test sets match Table 2."
        ) { a in
            var n = 0
            for row in a.t.table8 where row.fold != .average {
                n += 1
                let id = "table8.\(row.fold).\(row.network)"
                if !Auditor.close(row.correct, row.covidTP + row.normalTP) || !Auditor.close(row.wrong, row.covidFN + row.covidFP) {
                    a.add(
                        id + ".totals", .disagreement, ["Table 8"],
                        "Table 8, \(row.fold), \(row.network): correct/wrong totals do not match the counts",
                        "\(F.plain(row.covidTP)) + \(F.plain(row.normalTP)) = \(F.plain(row.covidTP + row.normalTP)) vs correct \(F.plain(row.correct)); \(F.plain(row.covidFN)) + \(F.plain(row.covidFP)) = \(F.plain(row.covidFN + row.covidFP)) vs wrong \(F.plain(row.wrong))"
                    )
                }
                if row.normalFN != row.covidFP || row.normalFP != row.covidFN {
                    a.add(
                        id + ".mirror", .disagreement, ["Table 8"],
                        "Table 8, \(row.fold), \(row.network): normal FN/FP are not COVID's FP/FN",
                        "normal FN \(F.plain(row.normalFN)) vs COVID FP \(F.plain(row.covidFP)); normal FP \(F.plain(row.normalFP)) vs COVID FN \(F.plain(row.covidFN))"
                    )
                }
                if case .fold(let k) = row.fold, let split = a.t.table2.first(where: { $0.fold == k }) {
                    let covid = row.covidTP + row.covidFN, normal = row.covidFP + row.normalTP
                    if covid != Double(split.testCovidImages) || normal != Double(split.testNormalImages) {
                        a.add(
                            id + ".testset", .disagreement, ["Table 8", "Table 2"],
                            "Table 8, \(row.fold), \(row.network): test-set size differs from Table 2",
                            "TP + FN = \(F.plain(covid)) vs \(F.grouped(split.testCovidImages)) COVID; FP + TN = \(F.plain(normal)) vs \(F.grouped(split.testNormalImages)) normal"
                        )
                    }
                }
            }
            return n
        }
        group("Table 8: covid_accuracy = normal_accuracy = overall_accuracy in all # rows (with two classes they are one number).") { a in
            var n = 0
            for row in a.t.table8 {
                n += 1
                let o = row.metrics[.overallAccuracy]!
                if row.metrics[.covidAccuracy]! != o || row.metrics[.normalAccuracy]! != o {
                    a.add(
                        "table8.\(row.fold).\(row.network).accuracies", .disagreement, ["Table 8"],
                        "Table 8, \(row.fold), \(row.network): per-class accuracies differ from the overall accuracy",
                        "overall \(F.plain(o)), COVID \(F.plain(row.metrics[.covidAccuracy]!)), normal \(F.plain(row.metrics[.normalAccuracy]!))"
                    )
                }
            }
            return n
        }
    }

    mutating func table8AverageRows() {
        group("Table 8: all # Avg count cells equal the exact means of the fold rows.") { a in
            var n = 0
            for avg in a.t.table8 where avg.fold == .average {
                let folds = a.folds8(avg.network)
                let cells: [(String, KeyPath<PaperClassificationRow, Double>)] = [
                    ("correct", \.correct), ("wrong", \.wrong), ("COVID TP", \.covidTP), ("COVID FN", \.covidFN),
                    ("COVID FP", \.covidFP), ("normal TP", \.normalTP), ("normal FN", \.normalFN), ("normal FP", \.normalFP)
                ]
                for (name, path) in cells {
                    n += 1
                    let values = folds.map { $0[keyPath: path] }
                    let mean = values.reduce(0, +) / Double(values.count)
                    if !Auditor.close(mean, avg[keyPath: path]) {
                        a.add(
                            "table8.avg.\(avg.network).\(name)", .disagreement, ["Table 8"],
                            "Table 8, Avg, \(avg.network): \(name) is not the mean of the folds",
                            "(\(values.map { F.plain($0) }.joined(separator: " + "))) / \(values.count) = \(F.plain(mean)), printed \(F.plain(avg[keyPath: path]))",
                            printed: avg[keyPath: path], recomputed: mean)
                    }
                }
            }
            return n
        }
        // Avg metrics against the ratio of the Avg counts.
        var rounding: [String] = []
        var n = 0
        for avg in t.table8 where avg.fold == .average {
            for m in ClassificationMetric.allCases {
                n += 1
                let (value, formula) = PaperClassificationRow.metric(m, tp: avg.covidTP, fn: avg.covidFN, fp: avg.covidFP, tn: avg.normalTP)
                let printed = avg.metrics[m]!
                let delta = printed - value
                if abs(delta) > PaperAudit.roundingLimit {
                    add(
                        "table8.avg.\(avg.network).\(m.rawValue)", .disagreement, ["Table 8"],
                        "Table 8, Avg, \(avg.network): \(m.label) \(F.plain(printed)) does not follow from the Avg counts",
                        "\(formula) = \(F.fixed(value, 4)), printed \(F.plain(printed)) (Δ \(F.signed(delta, maxDecimals: 4)))",
                        printed: printed, recomputed: value)
                } else if abs(delta) > PaperAudit.printedPrecision + 1e-12 {
                    rounding.append("\(avg.network) \(m.label): \(formula) = \(F.fixed(value, 5)), printed \(F.plain(printed))")
                }
            }
        }
        checks += n
        if !rounding.isEmpty {
            add(
                "table8.avg.rounding", .note, ["Table 8"],
                "Table 8, Avg rows: \(rounding.count) metrics differ from the ratio of the Avg counts by more than rounding to 4 decimals allows (but less than 0.0005); the Avg metrics are means of the fold metrics, not ratios of the Avg counts",
                rounding.joined(separator: "; "))
        }
        // Avg metrics against the mean of the printed fold metrics.
        var meanNotes: [String] = []
        for avg in t.table8 where avg.fold == .average {
            let folds = folds8(avg.network)
            for m in ClassificationMetric.allCases {
                checks += 1
                let values = folds.map { $0.metrics[m]! }
                let mean = values.reduce(0, +) / Double(values.count)
                if !Auditor.close(mean, avg.metrics[m]!, PaperAudit.printedPrecision) {
                    meanNotes.append(
                        "\(avg.network) \(m.label): (\(values.map { F.plain($0) }.joined(separator: " + "))) / \(values.count) = \(F.fixed(mean, 5)), printed \(F.plain(avg.metrics[m]!))"
                    )
                }
            }
        }
        if !meanNotes.isEmpty {
            add(
                "table8.avg.meanOfPrinted", .note, ["Table 8"],
                "Table 8, Avg rows: \(meanNotes.count) Avg metrics do not round from the mean of the printed fold values (they were averaged before rounding)",
                meanNotes.joined(separator: "; "))
        }
    }
}
