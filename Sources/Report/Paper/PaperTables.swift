import Foundation

/// A row label of the paper's per-fold tables: a fold number 1-5 or the printed "Avg" row.
public enum FoldLabel: Hashable, Sendable, Comparable, CustomStringConvertible {
    case fold(Int)
    case average

    init(_ text: String, file: String) throws {
        if text == "avg" { self = .average; return }
        guard let n = Int(text), (1...5).contains(n) else {
            throw ReportError.badTable(file: file, reason: "fold '\(text)' is neither 1-5 nor avg")
        }
        self = .fold(n)
    }

    public var description: String {
        switch self {
        case .fold(let n): return "fold \(n)"
        case .average: return "Avg"
        }
    }
}

/// The networks of the paper, as its tables name them. "Our model" is `fpn`.
public enum PaperNetwork {
    public static let fpn = "ResNet50V2-FPN"
    public static let resnet = "ResNet50V2"
    public static let xception = "Xception"
    /// In the order the report shows them.
    public static let all = [fpn, resnet, xception]
}

/// The paper's eight tables as typed values, loaded from the CSV copies bundled with Report
/// (`Resources/paper/`, cells exactly as printed; column definitions in its README.md).
public struct PaperTables: Sendable {
    public var table1: PaperDataDistribution
    public var table2: [PaperFoldSplit]
    public var table3: [PaperTrainingParameters]
    public var table4: [PaperIdentificationData]
    public var table5: [PaperThresholdRow]
    public var table6: [PaperIdentificationRow]
    public var table7: [PaperSpeedRow]
    public var table8: [PaperClassificationRow]
    /// The printed labels of Fig. 3 (right panels): patients per age group and per sex.
    public var figure3: [PaperPatientCount]

    /// The bundled reference folder.
    public static var resourceDirectory: URL {
        guard let url = Bundle.module.url(forResource: "paper", withExtension: nil) else {
            preconditionFailure("Resources/paper missing from the Report bundle")
        }
        return url
    }

    /// Loads the bundled tables.
    /// - Throws: `ReportError.badTable` naming the file and the cell at fault.
    public static func load() throws -> PaperTables {
        try load(directory: resourceDirectory)
    }

    /// Loads the tables from `directory` (files named as in `Resources/paper/`).
    public static func load(directory: URL) throws -> PaperTables {
        func table(_ name: String) throws -> PaperCSV {
            let url = directory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ReportError.badTable(file: url.path, reason: "cannot read")
            }
            return try PaperCSV(text: text, source: name)
        }
        let t1 = try table("table1_data_distribution.csv")
        guard let r1 = t1.rows.first else { throw ReportError.badTable(file: t1.source, reason: "no row") }
        let t2 = try table("table2_folds.csv")
        let t3 = try table("table3_training_parameters.csv")
        let t4 = try table("table4_patient_identification_data.csv")
        let t5 = try table("table5_thresholds_fold1.csv")
        let t6 = try table("table6_patient_identification.csv")
        let t7 = try table("table7_speed.csv")
        let t8 = try table("table8_image_classification.csv")
        let f3 = try table("figure3_patients.csv")
        func int(_ t: PaperCSV, _ r: [String], _ c: String) throws -> Int {
            let v = try t.number(r, c)
            guard v == v.rounded() else { throw ReportError.badTable(file: t.source, reason: "\(c) = \(v) is not a whole number") }
            return Int(v)
        }
        return PaperTables(
            table1: PaperDataDistribution(
                covidPatients: try int(t1, r1, "covid_patients"), normalPatients: try int(t1, r1, "normal_patients"),
                covidImages: try int(t1, r1, "covid_images"), normalImages: try int(t1, r1, "normal_images")),
            table2: try t2.rows.map { r in
                PaperFoldSplit(
                    fold: try int(t2, r, "fold"),
                    trainCovidPatients: try int(t2, r, "train_covid_patients"), trainCovidImages: try int(t2, r, "train_covid_images"),
                    trainNormalPatients: try int(t2, r, "train_normal_patients"), trainNormalImages: try int(t2, r, "train_normal_images"),
                    testCovidPatients: try int(t2, r, "test_covid_patients"), testCovidImages: try int(t2, r, "test_covid_images"),
                    testNormalPatients: try int(t2, r, "test_normal_patients"), testNormalImages: try int(t2, r, "test_normal_images"))
            },
            table3: try t3.rows.map { r in
                PaperTrainingParameters(
                    network: try t3.cell(r, "network"), learningRate: try t3.cell(r, "learning_rate"),
                    batchSize: try t3.cell(r, "batch_size"), optimizer: try t3.cell(r, "optimizer"),
                    lossFunction: try t3.cell(r, "loss_function"), epochs: try t3.cell(r, "epochs"),
                    flipping: try t3.cell(r, "horizontal_vertical_flipping"), zoomRange: try t3.cell(r, "zoom_range"),
                    rotationRange: try t3.cell(r, "rotation_range"), widthHeightShifting: try t3.cell(r, "width_height_shifting"),
                    shiftRange: try t3.cell(r, "shift_range"))
            },
            table4: try t4.rows.map { r in
                PaperIdentificationData(
                    fold: try int(t4, r, "fold"), covidImages: try int(t4, r, "covid_images"),
                    covidPatients: try int(t4, r, "covid_patients"), normalImages: try int(t4, r, "normal_images"),
                    normalPatients: try int(t4, r, "normal_patients"))
            },
            table5: try t5.rows.map { r in
                PaperThresholdRow(
                    thresholdID: try int(t5, r, "threshold_id"), thresholdValue: try t5.number(r, "threshold_value"),
                    thresholdUnit: try t5.cell(r, "threshold_unit"), network: try t5.cell(r, "network"),
                    covidCorrect: try int(t5, r, "covid_correct_detected"), covidWrong: try int(t5, r, "covid_wrong_detected_as_normal"),
                    normalCorrect: try int(t5, r, "normal_correct_detected"), normalWrong: try int(t5, r, "normal_wrong_detected_as_covid"))
            },
            table6: try t6.rows.map { r in
                PaperIdentificationRow(
                    fold: try FoldLabel(t6.cell(r, "fold"), file: t6.source), network: try t6.cell(r, "network"),
                    correct: try t6.number(r, "correct_identified_patients"), wrong: try t6.number(r, "wrong_identified_patients"),
                    covidCorrect: try t6.number(r, "covid_correct_identified"),
                    covidWrong: try t6.number(r, "covid_wrong_identified_as_normal"),
                    normalCorrect: try t6.number(r, "normal_correct_identified"),
                    normalWrong: try t6.number(r, "normal_wrong_identified_as_covid"))
            },
            table7: try t7.rows.map { r in
                PaperSpeedRow(
                    slices: try int(t7, r, "num_ct_slices"), seconds: try t7.number(r, "time_s"),
                    printed: try t7.cell(r, "time_s"))
            },
            table8: try t8.rows.map { r in
                var metrics: [ClassificationMetric: Double] = [:]
                for m in ClassificationMetric.allCases { metrics[m] = try t8.number(r, m.rawValue) }
                return PaperClassificationRow(
                    fold: try FoldLabel(t8.cell(r, "fold"), file: t8.source), network: try t8.cell(r, "network"),
                    correct: try t8.number(r, "correct_classified"), wrong: try t8.number(r, "wrong_classified"),
                    covidTP: try t8.number(r, "covid_tp"), covidFN: try t8.number(r, "covid_fn"), covidFP: try t8.number(r, "covid_fp"),
                    normalTP: try t8.number(r, "normal_tp"), normalFN: try t8.number(r, "normal_fn"),
                    normalFP: try t8.number(r, "normal_fp"),
                    metrics: metrics)
            },
            figure3: try f3.rows.map { r in
                PaperPatientCount(
                    group: try f3.cell(r, "group"), category: try f3.cell(r, "category"),
                    patients: try int(f3, r, "patients"))
            })
    }
}
