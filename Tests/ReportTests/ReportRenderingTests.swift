import Analysis
import Foundation
import XCTest

@testable import Report

/// The rendered report: snapshot, links, tables, determinism.
final class ReportRenderingTests: XCTestCase {
    /// The Markdown for the smoke preset's (fixed) stage outputs matches the golden file.
    /// Regenerate with `UPDATE_SNAPSHOTS=1 swift test --filter testMarkdownSnapshot`.
    func testMarkdownSnapshot() throws {
        // The shared stage cache lives at a fixed path: the index stage records absolute slice
        // paths, so stage keys (shown in the report) depend on where the runs live.
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Fixture.builder(dir, runs: Fixture.sharedRuns).writeReport()
        // Without Table 7's section: its wall-clock times differ on every run.
        let markdown = try wallClockFree(
            Data(contentsOf: dir.appendingPathComponent("report/index.md")), from: "### Table 7:", to: "\n### ")
        let golden = Fixture.snapshots.appendingPathComponent("testMarkdownSnapshot.md")
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
            try markdown.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        if markdown != expected {
            let a = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let b = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // The text must match exactly; the smoke trainings' numbers (and the keys of the stages
            // downstream of them) may differ slightly between CPUs, whose OpenBLAS kernels round
            // differently: such lines are compared with `SnapshotText.close`.
            let line =
                a.count != b.count
                ? min(a.count, b.count)
                : zip(a, b).enumerated().first { !SnapshotText.close($0.element.0, $0.element.1) }?.offset
            if let line {
                XCTFail(
                    "index.md differs from \(golden.lastPathComponent) at line \(line + 1):\n got:      \(line < a.count ? a[line] : "<end>")\n expected: \(line < b.count ? b[line] : "<end>")"
                )
            }
        }
    }

    /// `SnapshotText.close`: text equal, numbers within tolerance, stage keys free.
    func testSnapshotLinesAreComparedWithANumericTolerance() {
        XCTAssertTrue(SnapshotText.close("| ResNet50V2 | 1 | 0.4800 | 0.8055 |", "| ResNet50V2 | 1 | 0.4800 | 0.8054 |"))
        XCTAssertTrue(SnapshotText.close("| a | 1.493e-06 | 0.27 |", "| a | 1.489e-06 | 0.29 |"))
        XCTAssertTrue(SnapshotText.close("| evaluate | `25018956860a4430` |", "| evaluate | `3d99c100dbe183a0` |"))
        XCTAssertFalse(SnapshotText.close("| ResNet50V2 | 0.4800 |", "| Xception | 0.4800 |"))
        XCTAssertFalse(SnapshotText.close("| acc | 0.48 |", "| acc | 0.60 |"))
        XCTAssertFalse(SnapshotText.close("| n | 12 |", "| n | 13 |"), "counts are exact")
        XCTAssertFalse(SnapshotText.close("| x | 0.5 |", "| x | 0.5 | extra |"))
    }

    /// Every entry of the paper appears, in order; pending ones say why.
    func testEveryFigureAndTableAppears() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try Fixture.builder(dir, runs: Fixture.sharedRuns).writeReport()
        let md = try String(contentsOf: dir.appendingPathComponent("report/index.md"), encoding: .utf8)
        var last = md.startIndex
        for id in (1...12).map({ EntryID(.figure, $0) }) + (1...8).map({ EntryID(.table, $0) }) {
            let heading = "### \(id.label): \(Captions.of(id).title)"
            let range = try XCTUnwrap(md.range(of: heading + "\n"), "missing \(heading)")
            XCTAssertGreaterThan(range.lowerBound, last, "\(id) out of order")
            last = range.lowerBound
        }
        // The report's own entries follow the paper's, under their own heading.
        let beyond = try XCTUnwrap(md.range(of: "\n## Beyond the paper\n"))
        XCTAssertGreaterThan(beyond.lowerBound, last)
        for id in Registry.entries.map(\.id).filter(\.supplementary) {
            let range = try XCTUnwrap(md.range(of: "### \(id.label): \(Captions.of(id).title)\n"), "missing \(id)")
            XCTAssertGreaterThan(range.lowerBound, beyond.lowerBound)
            XCTAssertTrue(md[range.upperBound...].hasPrefix("\n> **Not in the paper.**"), "\(id) must say it is not the paper's")
        }
        // Every claim is listed; each one whose entry was built finds its comparison.
        let claims = try XCTUnwrap(md.range(of: "### The paper's claims\n"))
        XCTAssertLessThan(claims.lowerBound, beyond.lowerBound)
        for claim in Claims.all {
            XCTAssertTrue(md.contains("| \(claim.text) |"), "claim not listed: \(claim.text)")
            guard let built = outcome.document.entries.first(where: { $0.id == claim.entry })?.built else { continue }
            XCTAssertTrue(built.comparisons.contains { $0.key == claim.key }, "\(claim.entry) has no comparison '\(claim.key)'")
        }
        let pending = outcome.document.entries.filter { $0.built == nil }
        XCTAssertEqual(md.components(separatedBy: "**Not yet reproduced — ").count - 1, pending.count)
        XCTAssertNotNil(outcome.document.entries.first { $0.id == EntryID(.table, 3) }?.built)
        XCTAssertTrue(md.contains("> **Data: the synthetic twin**"))
    }

    /// Every `<img>` and link in the HTML resolves inside the report folder; every Markdown
    /// table became an HTML table.
    func testHTMLLinksImagesAndTablesResolve() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let entries = Registry.entries.map { $0.id == EntryID(.figure, 9) ? FixtureFigureEntry() : $0 }
        _ = try Fixture.builder(dir, entries: entries, runs: Fixture.sharedRuns).writeReport()
        let report = dir.appendingPathComponent("report")
        let html = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        let md = try String(contentsOf: report.appendingPathComponent("index.md"), encoding: .utf8)

        let ids = Set(matches(#"id="([^"]+)""#, in: html))
        let targets = matches(#"(?:href|src)="([^"]+)""#, in: html)
        let images = matches(#"<img src="([^"]+)""#, in: html)
        XCTAssertTrue(images.contains("figures/fig09.png"), "\(images)")
        XCTAssertGreaterThanOrEqual(images.count, 8, "\(images)")
        XCTAssertGreaterThan(targets.count, 25)
        for target in targets {
            XCTAssertFalse(target.hasPrefix("/") || target.contains("://"), "not relative: \(target)")
            if target.hasPrefix("#") {
                XCTAssertTrue(ids.contains(String(target.dropFirst())), "no anchor for \(target)")
            } else {
                XCTAssertTrue(FileManager.default.fileExists(atPath: report.appendingPathComponent(target).path), "missing \(target)")
            }
        }
        let markdownTables = md.split(separator: "\n").filter { $0.hasPrefix("| ---") }.count
        XCTAssertGreaterThan(markdownTables, 4)
        XCTAssertEqual(html.components(separatedBy: "<table>").count - 1, markdownTables)
        XCTAssertFalse(html.contains("| --- |"), "a table was left as text")
        XCTAssertTrue(html.contains("not comparable — synthetic data"))
    }

    /// Two runs give byte-identical index.md, index.html and manifest (apart from `timing`),
    /// whether the second reuses the cache or rebuilds every stage.
    func testDeterminismAcrossRuns() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Fixture.builder(dir, runs: Fixture.sharedRuns).writeReport()
        let md1 = try Data(contentsOf: dir.appendingPathComponent("report/index.md"))
        let html1 = try Data(contentsOf: dir.appendingPathComponent("report/index.html"))
        let second = try Fixture.builder(dir, force: true, runs: Fixture.sharedRuns).writeReport()
        let md2 = try Data(contentsOf: dir.appendingPathComponent("report/index.md"))
        let html2 = try Data(contentsOf: dir.appendingPathComponent("report/index.html"))
        // Table 7 holds wall-clock measurements: its section is the one part allowed to differ.
        XCTAssertEqual(
            try wallClockFree(md1, from: "### Table 7:", to: "\n### "), try wallClockFree(md2, from: "### Table 7:", to: "\n### "))
        XCTAssertEqual(
            try wallClockFree(html1, from: "<h3 id=\"table-7-", to: "<h3"), try wallClockFree(html2, from: "<h3 id=\"table-7-", to: "<h3"))
        XCTAssertTrue(String(decoding: md1, as: UTF8.self).contains("| 65 | 3.56452 |"), "Table 7 lists the paper's rows beside this run's")
        XCTAssertEqual(CanonicalJSON.encodePretty(first.manifest.report), CanonicalJSON.encodePretty(second.manifest.report))
        let onDisk = try Manifest.read(dir.appendingPathComponent("report/manifest.json"))
        XCTAssertEqual(onDisk.report, second.manifest.report)
        // The timing block is the last key of the file, apart from everything else.
        let text = try String(contentsOf: dir.appendingPathComponent("report/manifest.json"), encoding: .utf8)
        let reportAt = try XCTUnwrap(text.range(of: "\"report\" :"))
        let timingAt = try XCTUnwrap(text.range(of: "\"timing\" :"))
        XCTAssertLessThan(reportAt.lowerBound, timingAt.lowerBound)
        XCTAssertFalse(text[..<timingAt.lowerBound].contains("Seconds"))
    }

    /// `data` as text without the part from `start` up to the next `end` (which stays).
    private func wallClockFree(_ data: Data, from start: String, to end: String) throws -> String {
        let text = String(decoding: data, as: UTF8.self)
        let a = try XCTUnwrap(text.range(of: start), "no \(start)")
        let b = text.range(of: end, range: a.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        return String(text[..<a.lowerBound]) + String(text[b...])
    }

    /// The manifest holds the report's numbers and verdicts; `verify` catches drift.
    func testManifestNumbersAndDrift() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try Fixture.builder(dir, runs: Fixture.sharedRuns).writeReport().manifest
        XCTAssertEqual(manifest.report.numbers["table3.epochs.paper"], 50)
        XCTAssertEqual(manifest.report.numbers["table3.epochs.ours"], 2)
        XCTAssertEqual(manifest.report.verdicts["table3.epochs"], "✗")
        XCTAssertEqual(manifest.report.verdicts["fig03.age.30_39"], "✓")
        XCTAssertEqual(manifest.report.numbers["audit.table4.covidImages.recomputed"], 15590)
        XCTAssertEqual(manifest.report.entries["table1"], "reproduced")
        XCTAssertEqual(manifest.report.verdicts["table1.covid_patients"], "not comparable — synthetic data")
        XCTAssertEqual(manifest.report.numbers["table1.covid_patients.ours"], 2)
        XCTAssertEqual(manifest.report.entries["table8"], "reproduced")
        XCTAssertEqual(manifest.report.entries["fig12"], "reproduced")
        XCTAssertEqual(manifest.report.entries["table6"], "reproduced")
        XCTAssertEqual(manifest.report.entries["figS1"], "reproduced")
        XCTAssertEqual(manifest.report.entries["table7"], "reproduced")
        XCTAssertNil(manifest.report.numbers["table7.slices65.seconds.ours"], "wall-clock numbers stay out of the deterministic block")
        XCTAssertNotNil(manifest.timing.measurements?["table7.slices65.seconds.ours"])
        XCTAssertEqual(manifest.report.numbers["table7.slices65.seconds.paper"], 3.56452)
        XCTAssertEqual(manifest.report.dataSource.kind, .synthetic)
        XCTAssertNotNil(manifest.report.seeds["stage:parameters"])

        XCTAssertTrue(ManifestDrift.compare(baseline: manifest, current: manifest, tolerance: 0).isClean)
        var moved = manifest
        moved.report.numbers["table3.epochs.ours"] = 2.5
        moved.timing.totalSeconds += 100
        XCTAssertEqual(
            ManifestDrift.compare(baseline: manifest, current: moved, tolerance: 0).changes,
            ["table3.epochs.ours: 2 -> 2.5 (Δ +0.5)"])
        XCTAssertTrue(ManifestDrift.compare(baseline: manifest, current: moved, tolerance: 0.5).isClean)
        moved.report.verdicts["fig03.age.30_39"] = "✗"
        XCTAssertEqual(
            ManifestDrift.compare(baseline: manifest, current: moved, tolerance: 1).changes,
            ["verdict fig03.age.30_39: ✓ -> ✗"])
    }

    /// Table 3: the paper preset matches the paper; smoke differs in epochs and scale.
    func testTable3AgainstPresets() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (preset, differing) in [("paper", [String]()), ("smoke", ["epochs", "input_size", "width_multiplier", "folds"])] {
            let (record, files) = try Fixture.builder(dir, preset: preset).writeEntry(EntryID(.table, 3))
            let comparisons = try XCTUnwrap(record.built?.comparisons)
            XCTAssertEqual(comparisons.filter { $0.verdict == .differs }.map(\.key), differing, preset)
            XCTAssertEqual(files.map(\.lastPathComponent), ["table3.csv"])
            let csv = try String(contentsOf: files[0], encoding: .utf8)
            XCTAssertTrue(csv.hasPrefix("parameter,paper,this_run\nLearning rate,1e-4,1e-4\n"), csv)
        }
        XCTAssertThrowsError(try Fixture.builder(dir).writeEntry(EntryID(.table, 9)))
    }

    private func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}

/// Comparing report lines made on different CPUs.
enum SnapshotText {
    /// Decimal numbers (with a fraction or an exponent) and backquoted 16-digit stage keys.
    static let pattern = try! NSRegularExpression(pattern: #"`[0-9a-f]{16}`|-?[0-9]+\.[0-9]+(e[-+]?[0-9]+)?"#)

    /// True when `a` and `b` are equal except for decimal numbers within 0.05 or 5% of each
    /// other and for stage keys. Integers (counts) and all other text must be equal.
    static func close(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        func split(_ s: String) -> (skeleton: String, numbers: [String]) {
            let ns = s as NSString
            var skeleton = "", numbers: [String] = [], last = 0
            for m in pattern.matches(in: s, range: NSRange(location: 0, length: ns.length)) {
                skeleton += ns.substring(with: NSRange(location: last, length: m.range.location - last)) + "#"
                numbers.append(ns.substring(with: m.range))
                last = m.range.location + m.range.length
            }
            return (skeleton + ns.substring(from: last), numbers)
        }
        let x = split(a), y = split(b)
        guard x.skeleton == y.skeleton, x.numbers.count == y.numbers.count else { return false }
        for (p, q) in zip(x.numbers, y.numbers) where p != q {
            if p.hasPrefix("`") && q.hasPrefix("`") { continue }
            guard let u = Double(p), let v = Double(q) else { return false }
            if abs(u - v) > max(0.05, 0.05 * max(abs(u), abs(v))) { return false }
        }
        return true
    }
}
