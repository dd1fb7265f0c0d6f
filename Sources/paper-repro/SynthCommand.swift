import Analysis
import ArgumentParser
import Foundation

/// `paper-repro data synth`: writes the synthetic twin of COVID-CTset (issue 3).
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate the synthetic twin of COVID-CTset in the real raw layout, with ground truth."
    )

    @Option(name: .long, help: "Output folder.")
    var out: String

    @Option(name: .long, help: "Image side in pixels (512 as the real data, or 256, 128, ...).")
    var size: Int = 512

    @Option(name: .long, help: "Patients: all, a count N (first N balanced by class), or id,id,...")
    var patients: String = "all"

    @Option(name: .long, help: "Seed.")
    var seed: UInt64 = 1

    @Flag(name: .long, help: "Also write preview-covid.png and preview-normal.png (lung window) in the output folder.")
    var preview = false

    @Flag(name: .long, help: "Only print the plan (series, slice totals) without writing images.")
    var planOnly = false

    func validate() throws {
        guard (32...512).contains(size) else { throw ValidationError("--size must be in 32...512") }
        guard PatientSelection(argument: patients) != nil else {
            throw ValidationError("--patients must be 'all', a positive count, or a comma-separated list of patient ids")
        }
    }

    func run() throws {
        let selection = PatientSelection(argument: patients)!
        let twin = try SyntheticTwin(config: SynthConfig(size: size, patients: selection, seed: seed))
        let plan = twin.plan()
        let full = twin.fullPlan()
        func total(_ plans: [SeriesPlan], _ l: ClassLabel) -> Int { plans.filter { $0.label == l }.reduce(0) { $0 + $1.sliceCount } }
        print(
            "cohort plan: \(total(full, .covid)) COVID + \(total(full, .normal)) normal images (real: 15589 + 48260); "
                + "thin-series coverage covid \(String(format: "%.2f", twin.thinCoverage[.covid] ?? 0)), normal \(String(format: "%.2f", twin.thinCoverage[.normal] ?? 0))"
        )
        print(
            "selected: \(Set(plan.map(\.patientID)).count) patients, \(plan.count) series, "
                + "\(plan.reduce(0) { $0 + $1.sliceCount }) slices at \(size) px")
        if planOnly {
            // The COVID-19 patients' disease against the literature (Table S5's patient rows).
            let m = TwinLiterature.measure(truth: twin.diseaseTruth())
            if m.covidPatients > 0 {
                print("disease of the \(m.covidPatients) COVID-19 patients (Table S5; the labelled slices' lesion share needs the images):")
                for row in TwinLiterature.rows(m).dropLast() {
                    print(
                        "  \(row.property): twin \(row.twin), published \(row.published)\(row.agreement.contains(row.value) ? "" : "  (outside the agreement range)")"
                    )
                }
            }
            return
        }
        var last = Date.distantPast
        let summary = try twin.write(to: out) { done, total in
            let now = Date()
            if done == total || now.timeIntervalSince(last) > 0.5 {
                last = now
                let width = 30, filled = width * done / max(total, 1)
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                Console.error("\r[\(bar)] \(done)/\(total) slices")
                if done == total { Console.error("\n") }
            }
        }
        print(
            "wrote \(summary.slices) slices (\(summary.slicesByClass[.covid] ?? 0) COVID, \(summary.slicesByClass[.normal] ?? 0) normal) "
                + "of \(summary.patients) patients, \(summary.series) series, \(summary.bytesWritten / 1_000_000) MB of images to \(out)")
        print(
            "lesion slices \(summary.slicesWithLesions), labelled slices \(summary.labelledSlices); "
                + String(format: "%.1f s, %.1f slices/s", summary.seconds, summary.slicesPerSecond))
        if preview {
            for label in [ClassLabel.covid, .normal] {
                // The selected series of this class with the most labelled slices.
                guard let p = plan.filter({ $0.label == label }).max(by: { $0.labelledImageNumbers.count < $1.labelledImageNumbers.count })
                else { continue }
                let (w, h, gray) = try twin.previewSheet(patient: p.patientID, series: p.series)
                let path = URL(fileURLWithPath: out).appendingPathComponent("preview-\(label.rawValue).png").path
                try ContactSheet.writePNG(gray: gray, width: w, height: h, to: path)
                print("preview: \(path) (\(p.patientID) \(p.series), \(p.sliceCount) slices, \(p.thicknessMM) mm, \(p.kernel))")
            }
        }
    }
}
