import Foundation
import XCTest

@testable import Analysis

final class EvaluationTests: XCTestCase {
    func testMetricsReproduceTable8Fold1FPN() {
        // Table 8, fold 1, ResNet50V2-FPN: 436 / 26 / 82 / 7778.
        let c = ConfusionCounts(covidTP: 436, covidFN: 26, covidFP: 82, normalTP: 7778)
        XCTAssertEqual(c.correct, 8214); XCTAssertEqual(c.wrong, 108)
        let m = c.metrics
        XCTAssertEqual(m.overallAccuracy, 0.9870, accuracy: 0.00005)
        XCTAssertEqual(m.covidSensitivity, 0.9437, accuracy: 0.00005)
        XCTAssertEqual(m.covidPrecision, 0.8417, accuracy: 0.00005)
        XCTAssertEqual(m.normalPrecision, 0.9967, accuracy: 0.00005)
        XCTAssertEqual(m.covidSpecificity, m.normalSensitivity)
        XCTAssertEqual(m.normalSpecificity, m.covidSensitivity)
        XCTAssertEqual(m.named.map(\.0).count, 9)
    }

    func testAddingDecisions() {
        var c = ConfusionCounts()
        c.add(truth: .covid, predicted: .covid); c.add(truth: .covid, predicted: .normal)
        c.add(truth: .normal, predicted: .covid); c.add(truth: .normal, predicted: .normal); c.add(truth: .normal, predicted: .normal)
        XCTAssertEqual(c, ConfusionCounts(covidTP: 1, covidFN: 1, covidFP: 1, normalTP: 2))
        XCTAssertTrue(ConfusionCounts().metrics.overallAccuracy.isNaN)
    }

    func testWilsonAgainstPublishedValues() {
        // Wilson 95% interval for 8 of 10: [0.4902, 0.9433] (Newcombe 1998, Table I style value).
        let w = Intervals.wilson(successes: 8, trials: 10)
        XCTAssertEqual(w.lower, 0.4902, accuracy: 0.0001); XCTAssertEqual(w.upper, 0.9433, accuracy: 0.0001)
        let zero = Intervals.wilson(successes: 0, trials: 20)
        XCTAssertEqual(zero.lower, 0); XCTAssertEqual(zero.upper, 0.1611, accuracy: 0.0001)
        XCTAssertEqual(Intervals.wilson(successes: 0, trials: 0), Interval(lower: 0, upper: 1))
    }

    func testMeanSD() {
        let r = Intervals.meanSD([2, 4, 4, 4, 5, 5, 7, 9])
        XCTAssertEqual(r.mean, 5); XCTAssertEqual(r.sd, 2.138, accuracy: 0.001)
        XCTAssertEqual(Intervals.meanSD([3]).sd, 0)
    }

    func testPatientBootstrapIsSeededAndBracketsTheEstimate() {
        // 30 patients, each with (correct, total) image counts.
        let units = (0..<30).map { i in (correct: 80 + i % 7, total: 90) }
        let stat: ([(correct: Int, total: Int)]) -> Double = { s in
            Double(s.reduce(0) { $0 + $1.correct }) / Double(s.reduce(0) { $0 + $1.total })
        }
        let a = Intervals.bootstrap(units, replicates: 400, seed: 3, statistic: stat)
        let b = Intervals.bootstrap(units, replicates: 400, seed: 3, statistic: stat)
        XCTAssertEqual(a, b)
        let point = stat(units)
        XCTAssertLessThan(a.lower, point); XCTAssertGreaterThan(a.upper, point)
        XCTAssertLessThan(a.upper - a.lower, 0.05)
    }

    func testROCAUCEqualsMannWhitney() {
        let scores: [Double] = [0.9, 0.8, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2, 0.1, 0.8]
        let truths: [ClassLabel] = [.covid, .covid, .normal, .covid, .normal, .covid, .normal, .normal, .covid, .normal, .covid]
        let roc = ROCCurve(scores: scores, truths: truths)
        var wins = 0.0, pairs = 0.0
        for i in scores.indices where truths[i] == .covid {
            for j in scores.indices where truths[j] == .normal {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : (scores[i] == scores[j] ? 0.5 : 0)
            }
        }
        XCTAssertEqual(roc.auc, wins / pairs, accuracy: 1e-12)
        XCTAssertEqual(roc.falsePositiveRate.first, 0); XCTAssertEqual(roc.truePositiveRate.last, 1)
        XCTAssertEqual(ROCCurve(scores: [0.9, 0.1], truths: [.covid, .normal]).auc, 1)
    }

    func testPatientRulesAndUndetermined() {
        let p = PatientSlices(patientID: "patient1", truth: .covid, covidProbabilities: [0.9] + [Double](repeating: 0.1, count: 9))
        XCTAssertEqual(p.covidSlices, 1)
        XCTAssertEqual(p.decide(.paperThreshold1), .covid)
        XCTAssertEqual(p.decide(.paperThreshold2), .covid)  // 1 ≥ 0.1 × 10: the boundary counts (authors' code)
        XCTAssertEqual(p.decide(.atLeastFraction(0.11)), .normal)
        XCTAssertEqual(p.decide(.meanProbability(0.5)), .normal)
        XCTAssertEqual(p.decide(.topKMean(k: 1, p: 0.5)), .covid)
        let none = PatientSlices(patientID: "patient2", truth: .normal, covidProbabilities: [])
        XCTAssertEqual(none.decide(.paperThreshold1), .undetermined)
        let counts = PatientCounts(
            [p, none, PatientSlices(patientID: "patient3", truth: .normal, covidProbabilities: [0.2, 0.7])],
            rule: .paperThreshold2)
        XCTAssertEqual(counts.covidCorrect, 1); XCTAssertEqual(counts.normalWrong, 1)
        XCTAssertEqual(counts.normalUndetermined, 1); XCTAssertEqual(counts.undetermined, 1)
        XCTAssertEqual(counts.accuracy, 0.5)
    }
}

final class ThresholdSweepTests: XCTestCase {
    func testSweepIsMonotoneInSensitivityAndHitsTheEnds() {
        // COVID patients with 30%, 5% and 0% COVID slices; normal ones with 0% and 20%.
        func patient(_ id: String, _ truth: ClassLabel, covid: Int, of n: Int) -> PatientSlices {
            PatientSlices(patientID: id, truth: truth, covidProbabilities: (0..<n).map { $0 < covid ? 0.9 : 0.1 })
        }
        let patients = [
            patient("a", .covid, covid: 3, of: 10), patient("b", .covid, covid: 1, of: 20),
            patient("c", .covid, covid: 0, of: 10), patient("d", .normal, covid: 0, of: 10),
            patient("e", .normal, covid: 2, of: 10)
        ]
        let sweep = ThresholdSweep.run(patients, maximum: 0.5, steps: 10)
        XCTAssertEqual(sweep.count, 11)
        XCTAssertEqual(sweep[0].fraction, 0)
        // Fraction 0: "≥ 0" calls everyone COVID.
        XCTAssertEqual(sweep[0].sensitivity, 1); XCTAssertEqual(sweep[0].specificity, 0)
        // Fraction 0.1: a (30%) only among COVID; e (20%) is a false positive.
        XCTAssertEqual(sweep[2].counts.covidCorrect, 1); XCTAssertEqual(sweep[2].counts.normalWrong, 1)
        // Fraction 0.5: nobody is COVID.
        XCTAssertEqual(sweep[10].sensitivity, 0); XCTAssertEqual(sweep[10].specificity, 1)
        for (a, b) in zip(sweep, sweep.dropFirst()) { XCTAssertGreaterThanOrEqual(a.sensitivity, b.sensitivity) }
    }
}
