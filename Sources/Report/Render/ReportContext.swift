import Analysis
import Foundation

/// Turns a `ReportDocument` into the dictionaries the Mustache templates read.
///
/// Every text placed in a Markdown table cell has `|` escaped; everything is formatted here,
/// so the templates only arrange.
enum ReportContext {
    static func make(_ d: ReportDocument) -> [String: Any] {
        let paperEntries = d.entries.filter { !$0.id.supplementary }
        let built = paperEntries.filter { $0.built != nil }
        let comparisons = built.flatMap { $0.built!.comparisons }
        let agrees = comparisons.filter { $0.verdict == .agrees }.count
        let differs = comparisons.filter { $0.verdict == .differs }.count
        let auditIDs = Registry.datasetAudit
        let beyond = d.entries.filter { $0.id.supplementary && !auditIDs.contains($0.id) }
        let datasetAudit = auditIDs.compactMap { id in d.entries.first { $0.id == id } }
        let contents: [[String: Any]] = (d.entries.filter { !auditIDs.contains($0.id) } + datasetAudit).map { e in
            ["label": e.id.label, "anchor": Anchor.slug(e.heading), "pending": e.built == nil]
        }
        return [
            "title": "Reproduction of Rahimzadeh et al., COVID-CTset",
            "presetName": d.preset.name,
            "banner": banner(d),
            "summary": [
                "reproduced": built.count, "total": paperEntries.count,
                "supplementaryCount": d.entries.count - paperEntries.count,
                "comparisons": comparisons.count, "agrees": agrees, "differs": differs,
                "notComparable": comparisons.count - agrees - differs,
                "disagreements": d.audit.findings(.disagreement).count
            ] as [String: Any],
            "contents": contents,
            "hasPending": d.entries.contains { $0.built == nil },
            "claims": claims(d),
            "auditAnchor": Anchor.slug("Audit of the paper"),
            "runAnchor": Anchor.slug("About this run"),
            "entries": d.entries.filter { !$0.id.supplementary }.map(entry),
            "supplementary": beyond.map(entry),
            "hasSupplementary": !beyond.isEmpty,
            "datasetAudit": datasetAudit.map(entry),
            "hasDatasetAudit": !datasetAudit.isEmpty,
            "audit": audit(d.audit),
            "run": run(d)
        ]
    }

    /// The paper's headline claims with this run's verdicts (`Claims.all`), in two groups: the
    /// dataset's numbers (not comparable on the twin) and claims about the method, which hold or
    /// do not hold in this run whatever the data.
    static func claims(_ d: ReportDocument) -> [String: Any] {
        var datasetRows: [[String: Any]] = [], methodRows: [[String: Any]] = []
        var agrees = 0, differs = 0, notMeasured = 0, holds = 0, fails = 0
        var reasons: [String: Int] = [:]
        for claim in Claims.all {
            let record = d.entries.first { $0.id == claim.entry }
            let comparison = record?.built?.comparisons.first { $0.key == claim.key }
            var row: [String: Any] = [
                "text": cell(claim.text), "source": cell(claim.source), "label": claim.entry.label,
                "anchor": record.map { Anchor.slug($0.heading) } ?? ""
            ]
            if let c = comparison {
                // Wall-clock numbers stay in their own entry, so this table is the same on every run.
                let wallClock = record?.built?.measuresWallClock == true
                let ours = wallClock ? "measured: see \(claim.entry.label)" : c.ours
                row["paper"] = cell(c.paper); row["ours"] = cell(ours); row["verdict"] = cell(c.verdict.text)
                switch c.verdict {
                case .agrees: agrees += 1
                case .differs: differs += 1
                case .notComparable(let why): reasons[why, default: 0] += 1
                }
                if claim.method, let h = c.holds {
                    let on = d.dataSource.isSynthetic ? "on the twin" : "in this run"
                    if wallClock {
                        row["holds"] = "timed: see \(claim.entry.label)"
                    } else {
                        row["holds"] = h ? "holds \(on)" : "does not hold \(on)"
                        if h { holds += 1 } else { fails += 1 }
                    }
                } else if claim.method {
                    row["holds"] = "—"
                }
            } else {
                notMeasured += 1
                row["paper"] = "—"; row["ours"] = "—"; row["holds"] = "—"
                row["verdict"] = cell("not measured — " + (record?.pendingReason ?? "this run made no such comparison"))
            }
            if claim.method { methodRows.append(row) } else { datasetRows.append(row) }
        }
        var parts = ["\(agrees) of \(Claims.all.count) claims reproduced", "\(differs) not reproduced"]
        for (why, n) in reasons.sorted(by: { $0.key < $1.key }) { parts.append("\(n) not comparable (\(why))") }
        if notMeasured > 0 { parts.append("\(notMeasured) not measured") }
        let on = d.dataSource.isSynthetic ? "on the twin" : "in this run"
        let methodSummary =
            "\(holds) of \(methodRows.count) claims about the method hold \(on), \(fails) \(fails == 1 ? "does" : "do") not"
            + (holds + fails < methodRows.count ? " (the others are timed or not measured)." : ".")
        return [
            "rows": datasetRows, "methodRows": methodRows, "summary": parts.joined(separator: "; ") + ".", "methodSummary": methodSummary
        ]
    }

    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// True for cells like `1,234`, `-0.5`, `5%` (right-aligned in tables).
    static func numeric(_ s: String) -> Bool {
        !s.isEmpty && s.contains(where: \.isNumber) && s.allSatisfy { $0.isNumber || ",.-+%".contains($0) }
    }

    static func banner(_ d: ReportDocument) -> [String: Any] {
        let p = d.preset.data
        if d.dataSource.isSynthetic {
            return [
                "synthetic": true,
                "covid": p.syntheticCovidPatients, "normal": p.syntheticNormalPatients,
                "size": p.syntheticImageSize, "hash": String(d.dataSource.contentHash.prefix(16))
            ]
        }
        return ["real": true, "path": d.dataSource.path ?? "?", "hash": String(d.dataSource.contentHash.prefix(16))]
    }

    static func entry(_ e: EntryRecord) -> [String: Any] {
        var c: [String: Any] = [
            "label": e.id.label, "title": e.title, "caption": e.caption, "heading": e.heading,
            "slug": e.id.slug, "isFigure": e.id.kind == .figure,
            "captionLabel": e.id.supplementary ? "Not in the paper." : "Paper's caption.",
            "stages": e.stages.isEmpty ? "none" : e.stages.map { "`\($0)`" }.joined(separator: ", ")
        ]
        guard let b = e.built else {
            c["pending"] = e.pendingReason ?? "unknown"
            return c
        }
        c["built"] = true
        if let t = b.table {
            c["table"] =
                [
                    "header": t.header.map(cell),
                    "separators": t.header.indices.map { column in
                        t.rows.allSatisfy { numeric($0[column]) } ? "---:" : "---"
                    },
                    "rows": t.rows.map { ["cells": $0.map(cell)] }
                ] as [String: Any]
        }
        c["images"] = b.images.map { ["png": $0.png, "svg": $0.svg, "alt": $0.alt] }
        if let m = b.missingImage { c["missingImage"] = m }
        let files = b.files.keys.sorted().filter { path in !b.images.contains { $0.png == path || $0.svg == path } }
        c["files"] = files.map { ["name": ($0 as NSString).lastPathComponent, "path": $0] }
        c["hasFiles"] = !files.isEmpty
        c["hasComparisons"] = !b.comparisons.isEmpty
        if !b.comparisons.isEmpty {
            c["comparisons"] = b.comparisons.map { x in
                [
                    "quantity": cell(x.quantity), "paper": cell(x.paper), "ours": cell(x.ours),
                    "difference": cell(x.difference), "tolerance": x.tolerance.text, "verdict": x.verdict.text
                ]
            }
        }
        c["notes"] = b.notes
        if let v = b.verdict { c["verdict"] = v }
        return c
    }

    static func audit(_ a: AuditResult) -> [String: Any] {
        func item(_ f: AuditFinding) -> [String: Any] {
            ["title": f.title, "arithmetic": f.arithmetic, "sources": f.sources.joined(separator: ", ")]
        }
        let disagreements = a.findings(.disagreement), notes = a.findings(.note)
        return [
            "checks": NumberFormat.grouped(a.checks),
            "disagreementCount": disagreements.count, "noteCount": notes.count,
            "disagreements": disagreements.map(item), "notes": notes.map(item),
            "hasDisagreements": !disagreements.isEmpty, "hasNotes": !notes.isEmpty,
            "passed": a.passed
        ]
    }

    static func run(_ d: ReportDocument) -> [String: Any] {
        let p = d.preset
        let parameters: [[String]] =
            [
                ["Preset", "`\(p.name)` — \(p.description)"],
                ["Seed", "\(p.seed)"],
                ["Data source", d.dataSource.isSynthetic ? "synthetic twin" : "real COVID-CTset at `\(d.dataSource.path ?? "?")`"],
                ["Data content hash", "`\(d.dataSource.contentHash)`"],
                [
                    "Model scale",
                    "\(p.model.inputSize) px, width × \(NumberFormat.plain(p.model.widthMultiplier)), \(p.model.fpnFeatures) FPN features"
                ],
                [
                    "Training",
                    "\(p.training.epochs) epochs, batch \(p.training.batchSize), learning rate \(Table3Entry.scientific(p.training.learningRate)), \(p.training.optimizer)"
                ],
                ["Folds", "\(p.folds)"],
                ["Git commit", "`\(d.facts.gitCommit)`" + (d.facts.gitDirty ? " (with uncommitted changes)" : "")],
                ["Cores", "\(d.facts.cores)"]
            ] + d.facts.versions.keys.sorted().map { ["Version: \($0)", "`\(d.facts.versions[$0]!)`"] }
        return [
            "facts": parameters.map { ["name": cell($0[0]), "value": cell($0[1])] },
            "stages": d.stageKeys.keys.sorted().map { ["name": $0, "key": String(d.stageKeys[$0]!.prefix(16))] },
            "hasStages": !d.stageKeys.isEmpty
        ]
    }
}
