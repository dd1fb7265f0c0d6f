import Foundation

/// The class of a patient or slice: COVID-19 positive or normal (§2.1).
public enum ClassLabel: String, Codable, CaseIterable, Sendable {
    case covid, normal

    /// The class a COVID-CTset batch folder or file prefix names (`137covid`, `normal1`,
    /// `cdunnormal`, ...), or nil when it names neither.
    public init?(batchName: String) {
        let lower = batchName.lowercased()
        if lower.contains("covid") { self = .covid } else if lower.contains("normal") { self = .normal } else { return nil }
    }
}

/// The three CT series of every COVID-CTset patient (SR_2, SR_3, SR_4).
public let seriesNames = ["SR_2", "SR_3", "SR_4"]

/// One row of `Patient_details.csv`: a patient's demographics and series thicknesses.
public struct PatientRecord: Codable, Equatable, Sendable {
    /// Patient folder name, e.g. `patient12`.
    public let id: String
    /// `M` or `F`.
    public let sex: String
    /// Age in years (the CSV writes `053Y`), nil when unparsable.
    public let ageYears: Int?
    /// Scan date `YYYYMMDD`.
    public let scanDate: String
    public let label: ClassLabel
    /// Slice thickness in mm per series name; a series marked `N/A` is absent.
    public let thicknessMM: [String: Double]

    public init(id: String, sex: String, ageYears: Int?, scanDate: String, label: ClassLabel, thicknessMM: [String: Double]) {
        self.id = id; self.sex = sex; self.ageYears = ageYears; self.scanDate = scanDate
        self.label = label; self.thicknessMM = thicknessMM
    }
}

/// Loader of `Patient_details.csv` (377 rows in the real dataset).
public enum PatientDetails {
    /// Loads the file at `url`. Throws `MetadataError` naming the file, line and problem.
    public static func load(from url: URL) throws -> [PatientRecord] {
        let table = try CSVTable(contentsOf: url)
        let id = try table.column("Patient ID"), sex = try table.column("SEX"), age = try table.column("AGE")
        let date = try table.column("Date"), infection = try table.column("COVID-19 Infection")
        let thick = try seriesNames.map { try table.column("\($0) Folder thickness(mm)") }
        return try table.rows.enumerated().map { i, row in
            let label: ClassLabel
            switch row[infection].lowercased() {
            case "positive": label = .covid
            case "negative": label = .normal
            default:
                throw MetadataError.malformed(
                    file: url.path, line: i + 2, reason: "infection '\(row[infection])' is neither Positive nor Negative")
            }
            var thickness: [String: Double] = [:]
            for (k, col) in thick.enumerated() { if let t = Double(row[col]) { thickness[seriesNames[k]] = t } }
            let ageText = row[age].trimmingCharacters(in: CharacterSet.decimalDigits.inverted)
            return PatientRecord(
                id: row[id], sex: row[sex], ageYears: Int(ageText), scanDate: row[date],
                label: label, thicknessMM: thickness)
        }
    }

    /// Fields of `records` that parse but hold no usable value, one list per kind of problem
    /// (patient ids with the value): SEX other than M or F, AGE without a number, Date that is
    /// not a calendar day written YYYYMMDD.
    public static func problems(_ records: [PatientRecord]) -> [(what: String, items: [String])] {
        let badSex = records.filter { !["M", "F"].contains($0.sex.uppercased()) }.map { "\($0.id) '\($0.sex)'" }
        let badAge = records.filter { $0.ageYears == nil }.map(\.id)
        let badDate = records.filter { !isDay($0.scanDate) }.map { "\($0.id) '\($0.scanDate)'" }
        return [
            ("Patient_details.csv rows whose SEX is neither M nor F", badSex),
            ("Patient_details.csv rows without a readable AGE (left out of ages)", badAge),
            ("Patient_details.csv rows whose Date is not a YYYYMMDD day", badDate)
        ]
    }

    /// Whether `text` is a calendar day written YYYYMMDD (Gregorian, years 1900–2100).
    public static func isDay(_ text: String) -> Bool {
        guard text.count == 8, text.allSatisfy(\.isASCII), let n = Int(text) else { return false }
        let (y, m, d) = (n / 10_000, n / 100 % 100, n % 100)
        guard (1900...2100).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    /// The copy of a real COVID-CTset metadata file bundled with the project
    /// (`Patient_details.csv`, `Patients_metadata.csv`, `all.csv`).
    public static func bundledURL(_ name: String) -> URL {
        Bundle.module.url(forResource: "covid-ctset", withExtension: nil)!.appendingPathComponent(name)
    }
}
