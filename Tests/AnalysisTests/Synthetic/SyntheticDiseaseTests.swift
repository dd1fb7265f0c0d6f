import NeuralNet
import XCTest

@testable import Analysis

/// The twin's COVID-19 pneumonia (issue 15): distribution targets from the literature on a sample
/// of patients, clear lesions on every labelled slice, no disease in normal patients, and the
/// ground-truth files the report's Table S5 reads.
final class SyntheticDiseaseTests: XCTestCase {
    /// All 95 COVID patients' disease (anatomy only: no slice is rendered).
    private func covidTruth() throws -> [DiseaseTruth] {
        let twin = try SynthFixture.twin(size: 48, patients: .firstBalanced(190))
        return twin.diseaseTruth().filter { $0.label == .covid }
    }

    func testDistributionTargetsOfTheLiterature() throws {
        let covid = try covidTruth()
        XCTAssertEqual(covid.count, 95)
        let n = Double(covid.count)
        func share(_ p: (DiseaseTruth) -> Bool) -> Double { Double(covid.filter(p).count) / n }
        let ggo = share { $0.kindShares[0] + $0.kindShares[1] > 0 }
        let consolidation = share { $0.kindShares[2] > 0 }
        let crazy = share { $0.kindShares[1] > 0 }
        let peripheral = share { $0.peripheralShare > 0.5 }
        let posterior = share { $0.posteriorShare > 0.5 }
        let lower = share { $0.measuredLobeShares[2] > 0 || $0.measuredLobeShares[4] > 0 }
        let bilateral = share { $0.rightInvolved && $0.leftInvolved }
        let scores = covid.map(\.measuredTotalScore).sorted()
        let median = scores[scores.count / 2]
        let summary =
            "GGO \(ggo) consolidation \(consolidation) crazy \(crazy) peripheral \(peripheral) posterior \(posterior) lower \(lower) bilateral \(bilateral) median score \(median)"
        XCTAssert((0.85...0.97).contains(ggo), summary)
        XCTAssert((0.2...0.55).contains(consolidation), "consolidation in a minority: \(summary)")
        XCTAssert((0.03...0.3).contains(crazy), summary)
        XCTAssert((0.7...0.95).contains(peripheral), summary)
        XCTAssert((0.7...0.93).contains(posterior), summary)
        XCTAssert((0.85...1).contains(lower), summary)
        XCTAssert((0.75...0.97).contains(bilateral), summary)
        XCTAssert((6...14).contains(median), summary)
        // Every patient has some disease, and scores stay on the 0-25 scale.
        XCTAssert(
            covid.allSatisfy {
                $0.hasDisease && (1...25).contains($0.measuredTotalScore) && $0.lobeScores.allSatisfy { (0...5).contains($0) }
            })
    }

    /// Every patient-level row of the report's "twin against the literature" table (Table S5)
    /// agrees on the cohort the default and paper presets generate (seed 20200407, all 95
    /// COVID-19 patients).
    func testTheDefaultCohortAgreesWithTheLiterature() throws {
        let covid = try SynthFixture.twin(size: 48, patients: .firstBalanced(190), seed: 20200407).diseaseTruth().filter {
            $0.label == .covid
        }
        XCTAssertEqual(covid.count, 95)
        for row in TwinLiterature.rows(TwinLiterature.measure(truth: covid)).dropLast() {
            XCTAssert(row.agreement.contains(row.value), "\(row.property): twin \(row.twin), agreement \(row.agreement)")
        }
    }

    func testScoreBandsRoundTrip() {
        for s in 0...5 {
            let b = Disease.band(s)
            XCTAssertEqual(Disease.score(share: (b.lowerBound + b.upperBound) / 2), s)
        }
    }

    func testEveryLabelledCovidSliceShowsAClearLesion() throws {
        // Noise-free renders at 128 px of every labelled slice of six COVID patients.
        let twin = try SynthFixture.twin(size: 128, patients: .firstBalanced(6))
        var checked = 0, least = 1.0, worst = ""
        let lock = NSLock()
        let jobs = twin.plan().filter { $0.label == .covid }.flatMap { p in p.labelledImageNumbers.map { (p, $0) } }
        Parallel.run(workers: jobs.count) { k in
            let (p, n) = jobs[k]
            let r = try! twin.renderDetailed(
                patient: p.patientID, series: p.series, imageNumber: n, options: .init(noise: false, blur: false))
            lock.lock(); defer { lock.unlock() }
            checked += 1
            if r.truth.lesionShare < least { least = r.truth.lesionShare; worst = "\(p.patientID) \(p.series) IM\(n)" }
        }
        XCTAssertGreaterThan(checked, 50)
        XCTAssertGreaterThanOrEqual(least, 0.04, "least lesion share of the lung on a labelled slice: \(least) at \(worst)")
    }

    func testNormalPatientsHaveNoDisease() throws {
        let twin = try SynthFixture.twin(size: 48, patients: .firstBalanced(6))
        for t in twin.diseaseTruth() where t.label == .normal {
            XCTAssertFalse(t.hasDisease, t.patientID)
            XCTAssertEqual(t.totalScore, 0)
        }
        // A normal patient's slices, over the whole series, carry no lesion mask.
        let p = try XCTUnwrap(twin.plan().first { $0.label == .normal })
        for n in p.imageNumbers {
            let (_, t) = try twin.renderSlice(patient: p.patientID, series: p.series, imageNumber: n)
            XCTAssertNil(t.lesionMask)
            XCTAssertEqual(t.lesionArea, 0)
        }
    }

    func testLesionContinuesAcrossTheThreeSeries() throws {
        // The disease is a field in body coordinates: two series of one patient at the same level
        // see the same lesion share (up to slab thickness and pixel size).
        let twin = try SynthFixture.twin(size: 96, patients: .ids(["patient1"]))
        let plans = twin.plan()
        XCTAssertEqual(plans.count, 3)
        let a = plans[0], b = plans[2]
        var compared = 0
        for i in stride(from: 0, to: a.sliceCount, by: 3) {
            let z = a.zMM(index: i)
            guard let j = (0..<b.sliceCount).min(by: { abs(b.zMM(index: $0) - z) < abs(b.zMM(index: $1) - z) }),
                abs(b.zMM(index: j) - z) < 0.8
            else { continue }
            let ta = try twin.renderDetailed(
                patient: "patient1", series: a.series, imageNumber: a.imageNumbers[i], options: .init(noise: false, blur: false)
            ).truth
            let tb = try twin.renderDetailed(
                patient: "patient1", series: b.series, imageNumber: b.imageNumbers[j], options: .init(noise: false, blur: false)
            ).truth
            guard ta.lungArea > 200 else { continue }
            XCTAssertEqual(
                ta.lesionShare, tb.lesionShare, accuracy: 0.08, "z \(z): \(a.series) \(ta.lesionShare) vs \(b.series) \(tb.lesionShare)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 3)
    }

    func testGroundTruthFilesAndLiteratureTable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("disease-truth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let twin = try SyntheticTwin(config: SynthConfig(size: 32, patients: .firstBalanced(6), seed: 1))
        _ = try twin.write(to: dir.path) { _, _ in }
        let read = try DiseaseTruth.read(dir.appendingPathComponent(DiseaseTruth.fileName))
        XCTAssertEqual(read.map(\.patientID), twin.diseaseTruth().map(\.patientID))
        XCTAssertEqual(read.map(\.lobeScores), twin.diseaseTruth().map(\.lobeScores))
        let m = try TwinLiterature.measure(root: dir)
        XCTAssertEqual(m.covidPatients, 3)
        XCTAssertEqual(m.normalPatientsWithDisease, 0)
        XCTAssertGreaterThan(m.labelledSlices, 10)
        XCTAssertGreaterThan(m.shareMin, 0.02)
        XCTAssertEqual(TwinLiterature.rows(m).count, 10)
        // A malformed truth file is an error naming the file and the line.
        let bad = dir.appendingPathComponent(DiseaseTruth.fileName)
        var text = try String(contentsOf: bad, encoding: .utf8)
        text = text.replacingOccurrences(of: ",covid,", with: ",covid19,")
        try text.write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DiseaseTruth.read(bad)) { e in
            XCTAssert("\(e)".contains("disease_truth.csv") && "\(e)".contains("line 2"), "\(e)")
        }
    }

    func testCounterfactualRemovesOnlyTheLesions() throws {
        let twin = try SynthFixture.twin(size: 128, patients: .firstBalanced(6))
        // Thin series: one sub-slice, so the central lesion mask is the whole lesion.
        let thin = try XCTUnwrap(twin.plan().first { $0.label == .covid && $0.thicknessMM < 3 && !$0.labelledImageNumbers.isEmpty })
        let s = twin.config.size
        for n in thin.labelledImageNumbers.prefix(4) {
            let (asIs, truth) = try twin.renderSlice(patient: thin.patientID, series: thin.series, imageNumber: n, lesions: .asGenerated)
            let (removed, noLesion) = try twin.renderSlice(patient: thin.patientID, series: thin.series, imageNumber: n, lesions: .removed)
            let mask = try XCTUnwrap(truth.lesionMask)
            XCTAssertNil(noLesion.lesionMask)
            XCTAssertEqual(noLesion.lesionArea, 0)
            // Same pixels wherever no lesion pixel is within one pixel (the kernel blur's reach).
            var same = 0, differ = 0, changedInside = 0
            for r in 0..<s {
                for c in 0..<s {
                    var near = false
                    for dr in -1...1 {
                        for dc in -1...1 {
                            let rr = min(max(r + dr, 0), s - 1), cc = min(max(c + dc, 0), s - 1)
                            if mask[rr * s + cc] != 0 { near = true }
                        }
                    }
                    let i = r * s + c
                    if near {
                        if mask[i] != 0 && asIs[i] != removed[i] { changedInside += 1 }
                    } else if asIs[i] == removed[i] {
                        same += 1
                    } else {
                        differ += 1
                    }
                }
            }
            XCTAssertEqual(differ, 0, "IM\(n): \(differ) pixels away from the lesion changed")
            XCTAssertGreaterThan(same, s * s / 2)
            XCTAssertGreaterThan(Double(changedInside), 0.9 * Double(truth.lesionArea), "IM\(n): the lesion was not removed")
            // As generated equals the written slice.
            XCTAssertEqual(asIs, try twin.renderSlice(patient: thin.patientID, series: thin.series, imageNumber: n).pixels)
        }
        // Lesions drawn into a normal patient are clear on its labelled slices.
        let normal = try XCTUnwrap(twin.plan().first { $0.label == .normal && !$0.labelledImageNumbers.isEmpty })
        for n in normal.labelledImageNumbers.prefix(4) {
            let (_, t) = try twin.renderSlice(patient: normal.patientID, series: normal.series, imageNumber: n, lesions: .implanted)
            XCTAssertGreaterThan(t.lesionShare, 0.04, "\(normal.patientID) IM\(n)")
            let (_, plain) = try twin.renderSlice(patient: normal.patientID, series: normal.series, imageNumber: n)
            XCTAssertNil(plain.lesionMask)
        }
    }
}
