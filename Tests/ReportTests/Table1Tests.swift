import Analysis
import XCTest

@testable import Report

/// Table 1 from the `index` stage: real trees are read and compared; the synthetic twin,
/// until it exists, leaves Table 1 pending with the reason.
final class Table1Tests: XCTestCase {
    private func slice(_ root: URL, _ path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try TIFFWriter.write(TIFFImage(width: 4, height: 4, uint16: [UInt16](repeating: 1100, count: 16)), to: url.path)
    }

    func testTable1FromARealDatasetTree() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("COVID-CTset")
        for n in 1...3 { try slice(data, "137covid/patient1/SR_2/IM0000\(n).tif") }
        for n in 1...2 { try slice(data, "normal1/patient2/SR_3/IM0000\(n).tif") }
        try slice(data, "normal2/patient3/SR_2/IM00001.tif")
        var preset = try Fixture.preset("smoke")
        preset.data.source = .real
        preset.data.realPath = data.path

        let (record, files) = try Fixture.builder(dir, presetValue: preset).writeEntry(EntryID(.table, 1))
        let built = try XCTUnwrap(record.built, record.pendingReason ?? "")
        XCTAssertEqual(built.comparisons.map(\.oursValue), [1, 2, 3, 3])
        XCTAssertEqual(built.comparisons.map(\.paperValue), [95, 282, 15589, 48260])
        XCTAssertTrue(built.comparisons.allSatisfy { $0.verdict == .differs }, "real data is compared, not excused")
        XCTAssertEqual(
            try String(contentsOf: files[0], encoding: .utf8),
            "source,covid_patients,normal_patients,covid_images,normal_images\npaper,95,282,15589,48260\nthis_run,1,2,3,3\n")

        // The index stage is cached by the listing: adding a slice reruns it.
        try slice(data, "normal2/patient3/SR_2/IM00002.tif")
        let (again, _) = try Fixture.builder(dir, presetValue: preset).writeEntry(EntryID(.table, 1))
        XCTAssertEqual(again.built?.comparisons.last?.oursValue, 4)
    }

    /// A series of mixed slice sizes: Table 1 is built without it and lists it in its notes;
    /// with `--strict` (`strictData`) the index stage fails, naming the series.
    func testALeftOutSeriesIsListedAndStrictFails() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("COVID-CTset")
        for n in 1...3 { try slice(data, "137covid/patient1/SR_2/IM0000\(n).tif") }
        for n in 1...2 { try slice(data, "normal1/patient2/SR_3/IM0000\(n).tif") }
        try TIFFWriter.write(
            TIFFImage(width: 8, height: 8, uint16: [UInt16](repeating: 1100, count: 64)),
            to: data.appendingPathComponent("normal1/patient2/SR_3/IM00003.tif").path)
        try slice(data, "normal2/patient3/SR_2/IM00001.tif")
        var preset = try Fixture.preset("smoke")
        preset.data.source = .real
        preset.data.realPath = data.path
        let (record, _) = try Fixture.builder(dir, presetValue: preset).writeEntry(EntryID(.table, 1))
        let built = try XCTUnwrap(record.built, record.pendingReason ?? "")
        XCTAssertEqual(built.comparisons.map(\.oursValue), [1, 1, 3, 1], "patient2's only series is left out")
        XCTAssertTrue(built.notes.contains { $0.contains("left out 1 series") }, "\(built.notes)")
        XCTAssertTrue(
            built.notes.contains {
                $0.hasPrefix("Series left out:") && $0.contains("patient2/SR_3") && $0.contains("4x4 in IM00001.tif and 8x8 in IM00003.tif")
            },
            "\(built.notes)")
        XCTAssertThrowsError(
            try Fixture.builder(dir, presetValue: preset, runs: dir.appendingPathComponent("runs-strict"), strictData: true)
                .writeEntry(EntryID(.table, 1))
        ) { error in
            XCTAssertTrue("\(error)".contains("patient2/SR_3"), "\(error)")
        }
    }

    func testSelectionStageReadsTheIndex() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("COVID-CTset")
        for n in 1...4 { try slice(data, "137covid/patient1/SR_2/IM0000\(n).tif") }
        try slice(data, "normal1/patient2/SR_3/IM00001.tif")
        var preset = try Fixture.preset("smoke")
        preset.data.source = .real
        preset.data.realPath = data.path
        let identity = try DataSourceIdentity.of(preset)
        XCTAssertEqual(identity.kind, .real)
        let runner = StageRunner(root: dir.appendingPathComponent("runs"), presetSeed: 1, versions: [:], force: false)
        try PipelineStages.definitions(preset: preset, dataSource: identity).forEach(runner.register)
        let results = try runner.run([SelectionStage.name])
        XCTAssertEqual(results.keys.sorted(), ["index", "selection"])
        let selection = try SelectionStage.read(from: results["selection"]!.directory)
        XCTAssertEqual(selection.series.map(\.patientID), ["patient1", "patient2"])
        XCTAssertEqual(selection.totalSlices, 5)
        XCTAssertEqual(try IndexStage.readDataset(from: results["index"]!.directory).patients.count, 2)
    }

    func testTables2And4FromTheFoldsStage() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("COVID-CTset")
        var csv = "filename,class\n"
        for p in 1...5 {
            for n in 1...3 { try slice(data, "137covid/patient\(p)/SR_2/IM0000\(n).tif") }
            csv += "137covid_patient\(p)_SR_2_IM00002.tif,covid\n"
        }
        for p in 11...20 {
            for n in 1...2 { try slice(data, "normal1/patient\(p)/SR_3/IM0000\(n).tif") }
            csv += "normal1_patient\(p)_SR_3_IM00001.tif,normal\n"
        }
        try csv.write(to: data.appendingPathComponent("all.csv"), atomically: true, encoding: .utf8)
        var preset = try Fixture.preset("smoke")
        preset.data.source = .real
        preset.data.realPath = data.path
        let builder = try Fixture.builder(dir, presetValue: preset)

        let (table4, _) = try builder.writeEntry(EntryID(.table, 4))
        let rows4 = try XCTUnwrap(table4.built?.table?.rows, table4.pendingReason ?? "").filter { !$0[0].contains("paper") }
        XCTAssertEqual(rows4.count, preset.folds)
        XCTAssertEqual(rows4.map { Int($0[2])! }.reduce(0, +), 5, "each COVID patient tests in exactly one fold")
        XCTAssertEqual(rows4.map { Int($0[1])! }.reduce(0, +), 15)

        let (table2, files) = try builder.writeEntry(EntryID(.table, 2))
        let built = try XCTUnwrap(table2.built)
        let lines = try String(contentsOf: files[0], encoding: .utf8).split(separator: "\n").dropFirst()
        for line in lines {
            let v = line.split(separator: ",").map { Int($0)! }
            XCTAssertEqual(v[1] + v[5], 5, "train + test COVID patients in fold \(v[0])")
            XCTAssertEqual(v[3] + v[7], 10, "train + test normal patients in fold \(v[0])")
            XCTAssertEqual(v[2] + v[6], 5, "labelled COVID images in fold \(v[0])")
        }
        XCTAssertEqual(built.comparisons.count, 8 * preset.folds)
        XCTAssertTrue(built.comparisons.allSatisfy { $0.verdict == .differs }, "a toy dataset is far from the paper's counts")
    }

    func testTable1FromTheSyntheticTwinIsNotComparable() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (record, files) = try Fixture.builder(dir).writeEntry(EntryID(.table, 1))
        let built = try XCTUnwrap(record.built, record.pendingReason ?? "")
        XCTAssertEqual(built.comparisons.prefix(2).map(\.oursValue), [2, 2])
        XCTAssertTrue(built.comparisons.allSatisfy { $0.verdict == .notComparable("synthetic data") })
        XCTAssertEqual(files.map(\.lastPathComponent), ["table1.csv"])
    }
}
