import Analysis
import Foundation

// MARK: - Tables 2, 4, 5, 6 and the text

extension Auditor {
    mutating func table6() {
        group("Table 6: in all # fold rows, correct and wrong add up per class, and each fold's COVID and normal patients equal Table 4's.")
        { a in
            var n = 0
            for row in a.t.table6 where row.fold != .average {
                n += 1
                let id = "table6.\(row.fold).\(row.network)"
                if row.correct != row.covidCorrect + row.normalCorrect || row.wrong != row.covidWrong + row.normalWrong {
                    a.add(
                        id + ".totals", .disagreement, ["Table 6"], "Table 6, \(row.fold), \(row.network): totals do not add up",
                        "\(F.plain(row.covidCorrect)) + \(F.plain(row.normalCorrect)) vs correct \(F.plain(row.correct)); \(F.plain(row.covidWrong)) + \(F.plain(row.normalWrong)) vs wrong \(F.plain(row.wrong))"
                    )
                }
                if case .fold(let k) = row.fold, let data = a.t.table4.first(where: { $0.fold == k }) {
                    let covid = row.covidCorrect + row.covidWrong, normal = row.normalCorrect + row.normalWrong
                    if covid != Double(data.covidPatients) || normal != Double(data.normalPatients) {
                        a.add(
                            id + ".patients", .disagreement, ["Table 6", "Table 4"],
                            "Table 6, \(row.fold), \(row.network): patients differ from Table 4",
                            "COVID \(F.plain(row.covidCorrect)) + \(F.plain(row.covidWrong)) = \(F.plain(covid)) vs \(data.covidPatients); normal \(F.plain(row.normalCorrect)) + \(F.plain(row.normalWrong)) = \(F.plain(normal)) vs \(data.normalPatients)"
                        )
                    }
                }
            }
            return n
        }
        group("Table 6: all # Avg cells equal the exact means of the fold rows.") { a in
            var n = 0
            let cells: [(String, KeyPath<PaperIdentificationRow, Double>)] = [
                ("correct", \.correct), ("wrong", \.wrong), ("COVID correct", \.covidCorrect), ("COVID wrong", \.covidWrong),
                ("normal correct", \.normalCorrect), ("normal wrong", \.normalWrong)
            ]
            for avg in a.t.table6 where avg.fold == .average {
                let folds = a.t.table6.filter { $0.network == avg.network && $0.fold != .average }.sorted { $0.fold < $1.fold }
                for (name, path) in cells {
                    n += 1
                    let values = folds.map { $0[keyPath: path] }
                    let mean = values.reduce(0, +) / Double(values.count)
                    if !Auditor.close(mean, avg[keyPath: path]) {
                        a.add(
                            "table6.avg.\(avg.network).\(name)", .disagreement, ["Table 6"],
                            "Table 6, Avg, \(avg.network): \(name) is not the mean of the folds",
                            "(\(values.map { F.plain($0) }.joined(separator: " + "))) / \(values.count) = \(F.plain(mean)), printed \(F.plain(avg[keyPath: path]))",
                            printed: avg[keyPath: path], recomputed: mean)
                    }
                }
            }
            return n
        }
    }

    mutating func table5() {
        group(
            "Table 5: all # rows add up to fold 1's patients in Table 4, and each network's threshold-2 row equals its Table 6 fold-1 row."
        ) { a in
            var n = 0
            guard let fold1 = a.t.table4.first(where: { $0.fold == 1 }) else { return 0 }
            for row in a.t.table5 {
                n += 1
                if row.covidCorrect + row.covidWrong != fold1.covidPatients || row.normalCorrect + row.normalWrong != fold1.normalPatients {
                    a.add(
                        "table5.\(row.thresholdID).\(row.network).patients", .disagreement, ["Table 5", "Table 4"],
                        "Table 5, threshold \(row.thresholdID), \(row.network): patients differ from Table 4 fold 1",
                        "\(row.covidCorrect) + \(row.covidWrong) vs \(fold1.covidPatients); \(row.normalCorrect) + \(row.normalWrong) vs \(fold1.normalPatients)"
                    )
                }
                if row.thresholdID == 2, let six = a.t.table6.first(where: { $0.fold == .fold(1) && $0.network == row.network }) {
                    let mine = [row.covidCorrect, row.covidWrong, row.normalCorrect, row.normalWrong].map(Double.init)
                    let theirs = [six.covidCorrect, six.covidWrong, six.normalCorrect, six.normalWrong]
                    if mine != theirs {
                        a.add(
                            "table5.2.\(row.network).table6", .disagreement, ["Table 5", "Table 6"],
                            "Table 5 threshold 2 and Table 6 fold 1 disagree for \(row.network)",
                            "\(mine.map { F.plain($0) }) vs \(theirs.map { F.plain($0) })")
                    }
                }
            }
            return n
        }
    }

    mutating func table4AgainstTable1() {
        let images = t.table4.map(\.covidImages), patients = t.table4.map(\.covidPatients)
        checks += 2
        let imageSum = images.reduce(0, +), patientSum = patients.reduce(0, +)
        if patientSum == t.table1.covidPatients {
            if imageSum != t.table1.covidImages {
                add(
                    "table4.covidImages", .disagreement, ["Table 4", "Table 1"],
                    Prose.text(
                        "Auditor+Tables.1",
                        [
                            "\(F.grouped(imageSum))", "\(F.grouped(t.table1.covidImages))",
                            "\(patients.map(String.init).joined(separator: " + "))", "\(patientSum)"
                        ]),
                    "\(images.map { F.grouped($0) }.joined(separator: " + ")) = \(F.grouped(imageSum)) ≠ \(F.grouped(t.table1.covidImages)) (Δ \(F.signed(Double(imageSum - t.table1.covidImages))))",
                    printed: Double(t.table1.covidImages), recomputed: Double(imageSum))
            } else {
                passed.append("Table 4: the COVID images of the five test folds add up to Table 1's \(F.grouped(imageSum)).")
            }
        } else {
            add(
                "table4.covidPatients", .disagreement, ["Table 4", "Table 1"],
                "Table 4's COVID test patients do not add up to Table 1's",
                "\(patients.map(String.init).joined(separator: " + ")) = \(patientSum) ≠ \(t.table1.covidPatients)",
                printed: Double(t.table1.covidPatients), recomputed: Double(patientSum))
        }
        group("Table 4: the test patients of all # folds equal Table 2's.") { a in
            var n = 0
            for data in a.t.table4 {
                n += 1
                guard let split = a.t.table2.first(where: { $0.fold == data.fold }) else { continue }
                if split.testCovidPatients != data.covidPatients || split.testNormalPatients != data.normalPatients {
                    a.add(
                        "table4.fold\(data.fold).patients", .disagreement, ["Table 4", "Table 2"],
                        "Table 4, fold \(data.fold): test patients differ from Table 2",
                        "COVID \(data.covidPatients) vs \(split.testCovidPatients); normal \(data.normalPatients) vs \(split.testNormalPatients)"
                    )
                }
            }
            return n
        }
    }

    mutating func table2() {
        group("Table 2: in all # folds, training and test patients add up to Table 1's 95 COVID and 282 normal patients.") { a in
            for s in a.t.table2 {
                let covid = s.trainCovidPatients + s.testCovidPatients, normal = s.trainNormalPatients + s.testNormalPatients
                if covid != a.t.table1.covidPatients || normal != a.t.table1.normalPatients {
                    a.add(
                        "table2.fold\(s.fold).patients", .disagreement, ["Table 2", "Table 1"],
                        "Table 2, fold \(s.fold): patients do not add up to Table 1",
                        "COVID \(s.trainCovidPatients) + \(s.testCovidPatients) = \(covid) vs \(a.t.table1.covidPatients); normal \(s.trainNormalPatients) + \(s.testNormalPatients) = \(normal) vs \(a.t.table1.normalPatients)"
                    )
                }
            }
            return a.t.table2.count
        }
        // The labelled image pool (train + test) should be the same in every fold.
        for (label, train, test) in [
            ("COVID", \PaperFoldSplit.trainCovidImages, \PaperFoldSplit.testCovidImages),
            ("normal", \PaperFoldSplit.trainNormalImages, \PaperFoldSplit.testNormalImages)
        ] {
            let totals = t.table2.map { $0[keyPath: train] + $0[keyPath: test] }
            let counts = Dictionary(totals.map { ($0, 1) }, uniquingKeysWith: +)
            let usual = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
            checks += t.table2.count
            var odd = false
            for s in t.table2 where s[keyPath: train] + s[keyPath: test] != usual {
                odd = true
                let total = s[keyPath: train] + s[keyPath: test]
                let others = t.table2.filter { $0.fold != s.fold }
                add(
                    "table2.fold\(s.fold).\(label.lowercased())Images", .disagreement, ["Table 2"],
                    "Table 2, fold \(s.fold): the \(label) image pool (train + test) is \(F.grouped(total)), not the \(F.grouped(usual)) of the other folds",
                    "fold \(s.fold): \(F.grouped(s[keyPath: train])) + \(F.grouped(s[keyPath: test])) = \(F.grouped(total)); "
                        + others.map {
                            "fold \($0.fold): \(F.grouped($0[keyPath: train])) + \(F.grouped($0[keyPath: test])) = \(F.grouped($0[keyPath: train] + $0[keyPath: test]))"
                        }.joined(separator: "; "),
                    printed: Double(total), recomputed: Double(usual))
            }
            if !odd { passed.append("Table 2: the \(label) images (train + test) total \(F.grouped(usual)) in every fold.") }
        }
    }

    /// Table 2's image pools against the labels of `all.csv`: the COVID pool should be its
    /// COVID rows; a normal pool equal to all normal rows counts the rows that repeat a slice
    /// under a second batch folder (`PaperRepeats`).
    mutating func table2AgainstLabels(_ labels: LabelSources) {
        let covidRows = labels.tally(.covid).images
        let covidPools = t.table2.map { $0.trainCovidImages + $0.testCovidImages }
        checks += t.table2.count
        if covidPools.allSatisfy({ $0 == covidRows }) {
            passed.append("Table 2: the COVID images (train + test) of every fold equal all.csv's \(F.grouped(covidRows)) COVID rows.")
        }
        let normal = labels.tally(.normal), distinct = labels.tally(.normal, repeats: false).images
        let repeats = normal.images - distinct
        let folds = PaperRepeats.of(t.table2, sources: labels)
        let counted = folds.filter(\.countsRepeats)
        checks += t.table2.count
        guard !counted.isEmpty, repeats > 0 else { return }
        let low = counted.compactMap(\.testRepeats).map(\.lowerBound).min()!,
            high = counted.compactMap(\.testRepeats).map(\.upperBound).max()!
        add(
            "table2.normalImages.repeats", .disagreement, ["Table 2", "all.csv"],
            Prose.text(
                "Auditor+Tables.2",
                [
                    "\(counted.count)", "\(folds.count)", "\(F.grouped(normal.images))", "\(F.grouped(repeats))", "\(F.grouped(distinct))",
                    "\(F.grouped(low))", "\(F.grouped(high))"
                ]),
            counted.map {
                "fold \($0.fold): \(F.grouped($0.trainNormal)) + \(F.grouped($0.testNormal)) = \(F.grouped($0.trainNormal + $0.testNormal))"
            }.joined(separator: "; ")
                + " = \(F.grouped(distinct)) distinct + \(F.grouped(repeats)) repeats; a patient's rows are at most \(F.fixed(labels.maxRepeatShare(.normal) * 100, 1))% repeats, so ≤ ⌊train × that share⌋ repeats train and the rest test (Table S8)",
            printed: Double(counted[0].trainNormal + counted[0].testNormal), recomputed: Double(distinct))
    }

    mutating func text() {
        // Test images: abstract/introduction and conclusion against Table 2.
        let tests = t.table2.map(\.testImages)
        let mean = Double(tests.reduce(0, +)) / Double(tests.count)
        let arithmetic =
            "(\(tests.map { F.grouped($0) }.joined(separator: " + "))) / \(tests.count) = \(F.plain(mean)); sum \(F.grouped(tests.reduce(0, +)))"
        for fact in [PaperText.abstractTestImages, PaperText.conclusionTestImages] {
            checks += 1
            if !Auditor.close(mean, fact.value) {
                add(
                    "text.testImages.\(Int(fact.value))", .disagreement, [fact.place, "Table 2"],
                    "\"\(fact.quote)\" (\(fact.place)), but Table 2's test sets hold \(F.plain(mean)) images per fold on average",
                    "\(arithmetic) ≠ \(F.grouped(Int(fact.value))) (Δ \(F.signed(mean - fact.value)))",
                    printed: fact.value, recomputed: mean)
            }
        }
        // "234 of 245 patients": per-fold means, not totals.
        checks += 1
        if let fpn = t.table6.first(where: { $0.fold == .average && $0.network == PaperNetwork.fpn }) {
            let perFold = t.table4.map { $0.covidPatients + $0.normalPatients }
            let meanPatients = Double(perFold.reduce(0, +)) / Double(perFold.count)
            let cohort = t.table1.covidPatients + t.table1.normalPatients
            add(
                "text.234of245", .note, [PaperText.abstractTestPatients.place, "Table 4", "Table 6"],
                "The abstract's \"\(PaperText.abstractTestPatients.quote)\" are per-fold means, not totals: the \(cohort) patients appear in \(F.grouped(perFold.reduce(0, +))) test slots because normal test patients repeat across folds",
                "Table 4 patients per fold (\(perFold.map(String.init).joined(separator: " + "))) / \(perFold.count) = \(F.plain(meanPatients)) ≈ 245; Table 6 Avg correct for \(PaperNetwork.fpn) = \(F.plain(fpn.correct)) ≈ 234",
                printed: PaperText.abstractTestPatients.value, recomputed: meanPatients)
        }
        // The conclusion swaps the classes.
        checks += 1
        if PaperText.conclusionNormalImages.value != Double(t.table1.normalImages) {
            add(
                "text.conclusionSwap", .disagreement, [PaperText.conclusionNormalImages.place, "Table 1"],
                "\"\(PaperText.conclusionNormalImages.quote)\" (\(PaperText.conclusionNormalImages.place)), but Table 1 has the classes the other way round",
                "Table 1: COVID \(F.grouped(t.table1.covidImages)), normal \(F.grouped(t.table1.normalImages)); conclusion: normal \(F.grouped(Int(PaperText.conclusionNormalImages.value)))",
                printed: PaperText.conclusionNormalImages.value, recomputed: Double(t.table1.normalImages))
        }
        // Epochs: Table 3 against Fig. 11.
        checks += 1
        let epochs = Set(t.table3.compactMap { Double($0.epochs) })
        if let e = epochs.first, epochs.count == 1, e != PaperText.figure11Epochs.value {
            add(
                "text.epochs", .disagreement, ["Table 3", PaperText.figure11Epochs.place],
                "Table 3 trains for \(F.plain(e)) epochs, but Fig. 11 shows \"\(PaperText.figure11Epochs.quote)\" (\(PaperText.figure11Epochs.place))",
                "\(F.plain(e)) ≠ \(F.plain(PaperText.figure11Epochs.value))",
                printed: PaperText.figure11Epochs.value, recomputed: e)
        }
        // The abstract's accuracy against Table 8.
        checks += 1
        if let fpn = t.table8.first(where: { $0.fold == .average && $0.network == PaperNetwork.fpn }) {
            let acc = fpn.metrics[.overallAccuracy]!
            if Auditor.close(acc, PaperText.abstractAccuracy.value, PaperAudit.printedPrecision) {
                passed.append("Abstract: 98.49% accuracy equals Table 8's Avg accuracy of \(PaperNetwork.fpn) (\(F.plain(acc))).")
            } else {
                add(
                    "text.accuracy", .disagreement, ["Abstract", "Table 8"], "The abstract's accuracy differs from Table 8",
                    "\(F.plain(PaperText.abstractAccuracy.value)) vs \(F.plain(acc))", printed: PaperText.abstractAccuracy.value,
                    recomputed: acc)
            }
        }
    }

    /// Text claims about Table 2's COVID test share and Table 7's speed.
    mutating func textAgainstTables2And7() {
        checks += 1
        let shares = t.table2.map { Double($0.testCovidPatients) / Double($0.trainCovidPatients + $0.testCovidPatients) }
        let fact = PaperText.covidTestShare
        if shares.contains(where: { abs($0 - fact.value) > 0.025 }) {
            add(
                "text.covidTestShare", .note, [fact.place, "Table 2"],
                "\"\(fact.quote)\" (\(fact.place)): the shares range from \(F.fixed(shares.min()! * 100, 1))% to \(F.fixed(shares.max()! * 100, 1))%",
                t.table2.map {
                    "fold \($0.fold): \($0.testCovidPatients) / \($0.trainCovidPatients + $0.testCovidPatients) = \(F.fixed(Double($0.testCovidPatients) / Double($0.trainCovidPatients + $0.testCovidPatients) * 100, 1))%"
                }.joined(separator: "; "),
                printed: fact.value, recomputed: shares.max()!)
        }
        checks += 1
        let short = t.table7.filter { $0.slices < 100 }
        let speed = PaperText.speedUnder100Slices
        if let slowest = short.map(\.seconds).max(), slowest < speed.value {
            add(
                "text.speedUnder100Slices", .disagreement, [speed.place, "Table 7"],
                "\"\(speed.quote)\" (\(speed.place)), but every sequence under 100 slices in Table 7 takes less than \(F.plain(speed.value)) s",
                short.map { "\($0.slices) slices: \($0.printed) s" }.joined(separator: "; ")
                    + "; slowest \(F.plain(slowest)) s < \(F.plain(speed.value)) s",
                printed: speed.value, recomputed: slowest)
        }
    }
}
