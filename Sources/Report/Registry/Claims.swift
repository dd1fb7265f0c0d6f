import Foundation

/// The paper's headline claims, each tied to the comparison in the report that tests it.
///
/// The summary at the top of the report lists them with the comparison's verdict: "k of N
/// claims reproduced", and why the others are not (not comparable on synthetic data, a
/// reduced-budget run, or not measured).
public enum Claims {
    public struct Claim: Sendable {
        /// The claim in the paper's words, shortened.
        public let text: String
        /// Where the paper makes it.
        public let source: String
        /// The entry whose comparison tests it, and that comparison's key.
        public let entry: EntryID
        public let key: String
        /// A claim about the method (which network is better, what selection or a threshold
        /// does), testable on any data, including the twin; otherwise a number of the dataset.
        public var method = false
    }

    public static let all: [Claim] = [
        Claim(
            text: "15,589 CT images of 95 COVID-19 patients", source: "Abstract; Table 1", entry: EntryID(.table, 1), key: "covid_images"),
        Claim(text: "95 COVID-19 patients", source: "Abstract; Table 1", entry: EntryID(.table, 1), key: "covid_patients"),
        Claim(text: "48,260 CT images of 282 normal persons", source: "Abstract; Table 1", entry: EntryID(.table, 1), key: "normal_images"),
        Claim(text: "282 normal persons", source: "Abstract; Table 1", entry: EntryID(.table, 1), key: "normal_patients"),
        Claim(
            text:
                "The FPN model classifies test images with 98.49% accuracy (what such accuracy rests on: the dataset audit, Tables S6–S12)",
            source: "Abstract; Table 8 Avg", entry: EntryID(.table, 8),
            key: "avg.ResNet50V2-FPN.overall_accuracy"),
        Claim(
            text: "The FPN model detects COVID-19 images with 94.96% sensitivity", source: "Discussion; Table 8 Avg",
            entry: EntryID(.table, 8),
            key: "avg.ResNet50V2-FPN.covid_sensitivity"),
        Claim(
            text: "The FPN model is more accurate than ResNet50V2 and Xception", source: "Abstract; Table 8", entry: EntryID(.table, 8),
            key: "ranking.overall_accuracy", method: true),
        Claim(
            text: "The system identifies about 234 of 245 patients (threshold 2)", source: "Abstract; Table 6 Avg",
            entry: EntryID(.table, 6),
            key: "avg.ResNet50V2-FPN.patient_accuracy"),
        Claim(
            text: "Discarding closed-lung slices reduces false detections", source: "Abstract; §2.2", entry: .supplement(.table, 2),
            key: "selection.false_detections", method: true),
        Claim(
            text: "Threshold 2 identifies patients better than threshold 1", source: "§3.2; Tables 5, 6", entry: EntryID(.table, 6),
            key: "thresholds.better", method: true),
        Claim(
            text: "Discarding closed-lung slices reduces the processing time", source: "Abstract; §2.2", entry: EntryID(.table, 7),
            key: "selection.time", method: true),
        Claim(
            text: "A patient's scan is processed in seconds (65 slices: 3.56 s on a P100 GPU)", source: "Table 7; Discussion",
            entry: EntryID(.table, 7),
            key: "slices65.seconds")
    ]
}
