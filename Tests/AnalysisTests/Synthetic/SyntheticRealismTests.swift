import NeuralNet
import XCTest

@testable import Analysis

/// The twin behaves like the real data where the paper's pipeline depends on it (issue 3
/// "Must show"; §2.2, Figs. 4, 5, 8). Most checks run at a reduced size — the selection region
/// scales with it — and one at the real 512 px on a few slices.
final class SyntheticRealismTests: XCTestCase {
    /// Labelled series spread over the cohort (both classes, every thickness), plus the gap series.
    private func sampleSeries(_ twin: SyntheticTwin, count: Int) -> [SeriesPlan] {
        let labelled = twin.plan().filter { !$0.labelledImageNumbers.isEmpty }
        var out: [SeriesPlan] = []
        for t in [1.5, 4, 5, 6, 8] {
            for label in [ClassLabel.covid, .normal] {
                if let p = labelled.first(where: { $0.thicknessMM == t && $0.label == label && !out.contains($0) }) { out.append(p) }
            }
        }
        let step = max(1, labelled.count / count)
        for p in stride(from: 7, to: labelled.count, by: step).map({ labelled[$0] }) where !out.contains(p) && out.count < count {
            out.append(p)
        }
        return out
    }

    func testDarkCountLowAtEndsHighInMiddle() throws {
        let twin = try SynthFixture.twin(size: 96)
        // Normal patients: the profile of the anatomy (a COVID patient's lesions remove dark
        // pixels where they are, so its middle can sag: see the selection test below).
        let series = twin.plan().filter { !$0.labelledImageNumbers.isEmpty && $0.thicknessMM >= 5 && $0.label == .normal }
        for p in [series[3], series[60], series[120]] {
            let (dark, _) = try SynthFixture.renderSeries(twin, p)
            let mx = Double(dark.max()!)
            let head = Double(dark.prefix(2).reduce(0, +)) / 2, tail = Double(dark.suffix(2).reduce(0, +)) / 2
            let mid = dark[(dark.count / 3)..<(2 * dark.count / 3)]
            let midMean = Double(mid.reduce(0, +)) / Double(mid.count)
            XCTAssertLessThan(head, 0.35 * mx, "\(p.patientID) \(p.series) start: \(dark)")
            XCTAssertLessThan(tail, 0.35 * mx, "\(p.patientID) \(p.series) end: \(dark)")
            XCTAssertGreaterThan(midMean, 0.7 * mx, "\(p.patientID) \(p.series) middle: \(dark)")
        }
    }

    func testDarkCountProfileAt512() throws {
        let twin = try SynthFixture.twin(size: 512, patients: .ids(["patient3"]))
        let p = try XCTUnwrap(twin.plan().first { $0.thicknessMM >= 5 })
        let picks = [0, p.sliceCount / 2, p.sliceCount - 1]
        var dark = [Int](repeating: 0, count: 3)
        Parallel.run(workers: 3) { k in
            let (px, _) = try! twin.renderSlice(patient: p.patientID, series: p.series, imageNumber: p.imageNumbers[picks[k]])
            dark[k] = SynthFixture.darkCount(px, size: 512)
        }
        // The region holds 25,000 pixels; the open lung fills a good part of it.
        XCTAssertGreaterThan(dark[1], 6_000, "\(dark)")
        XCTAssertLessThan(dark[0], dark[1] / 4, "\(dark)")
        XCTAssertLessThan(dark[2], dark[1] / 4, "\(dark)")
    }

    func testPaperSelectionKeepsLabelledDropsClosed() throws {
        let twin = try SynthFixture.twin(size: 64)
        var labelled = 0, labelledKept = 0, closed = 0, closedDropped = 0
        var normalLabelled = 0, normalKept = 0
        var report: [String] = [], missed: [String] = []
        for p in sampleSeries(twin, count: 16) {
            let (dark, truth) = try SynthFixture.renderSeries(twin, p)
            let keep = SynthFixture.paperKeep(dark)
            for (k, t) in zip(keep, truth) {
                if t.labelled && p.label == .normal { normalLabelled += 1; if k { normalKept += 1 } }
                if t.labelled {
                    labelled += 1;
                    if k {
                        labelledKept += 1
                    } else {
                        missed.append(
                            "\(p.patientID)/\(p.series) IM\(t.imageNumber) u=\(String(format: "%.2f", t.zMM / p.lungHeightMM)) lesion \(t.lesionAreaInRegion)"
                        )
                    }
                }
                if !t.lungOpen { closed += 1; if !k { closedDropped += 1 } }
            }
            report.append("\(p.patientID)/\(p.series) \(p.thicknessMM)mm kept \(keep.filter { $0 }.count)/\(keep.count)")
        }
        print(
            "paper rule on \(report.count) series at 64 px: labelled kept \(labelledKept)/\(labelled), lung-closed dropped \(closedDropped)/\(closed); labelled dropped: \(missed)"
        )
        XCTAssertGreaterThan(labelled, 200)
        XCTAssertGreaterThan(closed, 50)
        // The paper's rule keeps at least 95% of the labelled slices and 97% of the normal ones.
        // COVID-19 labelled slices show clear lesions (ground glass and consolidation are above
        // the dark value's -724 HU), which remove dark pixels from the region, so the rule drops
        // more of them, the most involved first (Table S1 reports the shares per class).
        XCTAssertGreaterThanOrEqual(
            Double(normalKept), 0.97 * Double(normalLabelled), "normal labelled kept \(normalKept)/\(normalLabelled); \(report)")
        // The sample holds as many COVID as normal series; all.csv has about three normal labelled
        // slices per COVID one, so the overall share weights each class's share by its count there.
        let covidKept = Double(labelledKept - normalKept) / Double(labelled - normalLabelled)
        let normalShare = Double(normalKept) / Double(normalLabelled)
        let counts = Dictionary(grouping: twin.plan(), by: \.label).mapValues { $0.reduce(0) { $0 + $1.labelledImageNumbers.count } }
        let covidN = Double(counts[.covid] ?? 0), normalN = Double(counts[.normal] ?? 0)
        let overall = (covidKept * covidN + normalShare * normalN) / (covidN + normalN)
        XCTAssertGreaterThanOrEqual(overall, 0.95, "labelled kept \(overall) (COVID \(covidKept), normal \(normalShare)); \(report)")
        // The sample's 8 COVID-19 series include patient125, whose labelled slices are over half
        // involved; over the whole twin the rule keeps about 90% (Fig. S1's notes).
        XCTAssertGreaterThanOrEqual(covidKept, 0.8, "COVID labelled kept \(covidKept); \(report)")
        XCTAssertGreaterThanOrEqual(Double(closedDropped), 0.90 * Double(closed), "closed dropped \(closedDropped)/\(closed); \(report)")
    }

    func testLesionsLieInTheirHURanges() throws {
        let twin = try SynthFixture.twin(size: 128, patients: .firstBalanced(12))
        let thin = twin.plan().filter { $0.label == .covid && $0.thicknessMM < 3 && !$0.labelledImageNumbers.isEmpty }
        XCTAssertFalse(thin.isEmpty)
        var checked = 0, inRange = 0, kinds = Set<UInt8>()
        for p in thin.prefix(2) {
            for n in p.labelledImageNumbers.prefix(6) {
                let r = try twin.renderDetailed(
                    patient: p.patientID, series: p.series, imageNumber: n,
                    options: .init(noise: false, blur: false))
                let mask = try XCTUnwrap(r.truth.lesionMask, "\(p.patientID) \(p.series) IM\(n) has no lesion")
                for i in mask.indices where mask[i] != 0 && r.tissue[i] != Tissue.vessel.rawValue {
                    let kind = try XCTUnwrap(LesionKind(rawValue: mask[i]))
                    kinds.insert(mask[i])
                    checked += 1
                    if kind.range.contains(Double(r.hu[i])) { inRange += 1 }
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
        XCTAssertEqual(inRange, checked, "\(checked - inRange) lesion pixels out of range")
        XCTAssertFalse(kinds.isEmpty)
    }

    func testLabelledCovidSlicesShowLesionsAndNormalsNone() throws {
        let twin = try SynthFixture.twin(size: 64, patients: .firstBalanced(6))
        for p in twin.plan() where !p.labelledImageNumbers.isEmpty {
            for n in p.labelledImageNumbers.prefix(8) {
                let (_, t) = try twin.renderSlice(patient: p.patientID, series: p.series, imageNumber: n)
                if p.label == .covid {
                    XCTAssertGreaterThan(t.lesionArea, 0, "\(p.patientID) \(p.series) IM\(n)")
                } else {
                    XCTAssertEqual(t.lesionArea, 0)
                    XCTAssertNil(t.lesionMask)
                }
            }
        }
    }

    func testBodyInsideImageForEveryPixelSpacing() throws {
        let twin = try SynthFixture.twin(size: 48)
        var bySpacing: [Double: SeriesPlan] = [:]
        for p in twin.plan() where bySpacing[p.pixelSpacingMM] == nil { bySpacing[p.pixelSpacingMM] = p }
        XCTAssertGreaterThan(bySpacing.count, 20)
        XCTAssertLessThan(bySpacing.keys.min()!, 0.5)
        XCTAssertGreaterThan(bySpacing.keys.max()!, 0.9)
        let body: Set<UInt8> = [Tissue.fat, .muscle, .bone, .mediastinum, .heart, .liver, .spleen, .lung, .vessel, .airway, .marker].map(
            \.rawValue
        ).reduce(into: []) { $0.insert($1) }
        let s = 48
        for (spacing, p) in bySpacing {
            for i in [0, p.sliceCount / 2, p.sliceCount - 1] {
                let r = try twin.renderDetailed(
                    patient: p.patientID, series: p.series, imageNumber: p.imageNumbers[i],
                    options: .init(noise: false, blur: false))
                var touching = 0
                for k in 0..<s {
                    for idx in [k, (s - 1) * s + k, k * s, k * s + s - 1] where body.contains(r.tissue[idx]) { touching += 1 }
                }
                XCTAssertEqual(
                    touching, 0, "spacing \(spacing): body touches the border at \(p.patientID) \(p.series) IM\(p.imageNumbers[i])")
                XCTAssertGreaterThan(r.tissue.filter { body.contains($0) }.count, s * s / 8, "no body at spacing \(spacing)")
            }
        }
    }
}
