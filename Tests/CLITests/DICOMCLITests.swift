import Analysis
import Foundation
import NeuralNet
import XCTest

/// DICOM input end to end: a twin patient's slices written as DICOM by DCMTK's `dump2dcm`
/// (another writer than ours), in nested folders under names out of body order, is diagnosed
/// exactly as its TIFF form; `data convert` writes COVID-CTset's layout back.
final class DICOMCLITests: XCTestCase {
    var root: URL!
    let scale = ModelScale(inputSize: 32, widthMultiplier: 0.0625, fpnFeatures: 4)
    var scaleArguments: [String] { ["--model", "resnet50v2", "--size", "32", "--width", "0.0625", "--features", "4"] }

    override func setUpWithError() throws {
        guard let tool = Self.which("dump2dcm") else {
            throw XCTSkip("DCMTK's dump2dcm is not installed (scripts/install-system-deps installs dcmtk)")
        }
        _ = tool
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cli-dicom-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() { if let root { try? FileManager.default.removeItem(at: root) } }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Writes `tiff` (stored value = HU + 1024) as a DICOM CT slice with DCMTK's dump2dcm:
    /// unsigned 16-bit, RescaleIntercept −1024, at height `z` mm (head first = highest z).
    func writeDICOM(_ tiff: String, to path: String, seriesUID: String, seriesNumber: Int, instance: Int, z: Double) throws {
        let image = try TIFFReader.read(tiff)
        let pixels = try XCTUnwrap(image.uint16)
        let raw = path + ".raw", dump = path + ".dump"
        try pixels.map { $0.littleEndian }.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: raw)) }
        let lines = [
            "(0008,0016) UI =CTImageStorage", "(0008,0018) UI [1.2.826.0.1.3680043.10.1138.\(seriesNumber).\(instance)]",
            "(0008,0060) CS [CT]", "(0020,000e) UI [\(seriesUID)]", "(0020,0011) IS [\(seriesNumber)]",
            "(0020,0013) IS [\(instance)]", "(0020,0032) DS [-150\\-150\\\(z)]", "(0020,0037) DS [1\\0\\0\\0\\1\\0]",
            "(0018,0050) DS [6]", "(0028,0030) DS [4.6875\\4.6875]", "(0028,0002) US 1", "(0028,0004) CS [MONOCHROME2]",
            "(0028,0010) US \(image.height)", "(0028,0011) US \(image.width)", "(0028,0100) US 16", "(0028,0101) US 12",
            "(0028,0102) US 11", "(0028,0103) US 0", "(0028,1052) DS [-1024]", "(0028,1053) DS [1]",
            "(7fe0,0010) OW =\(raw)"
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: dump, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.which("dump2dcm")!)
        p.arguments = ["--write-xfer-little", dump, path]
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "dump2dcm failed for \(tiff)")
        try FileManager.default.removeItem(atPath: raw); try FileManager.default.removeItem(atPath: dump)
    }

    struct Output: Decodable {
        let decision: String
        let totalSlices: Int
        let selectedSlices: Int
        let slices: [PatientDiagnosis.SliceOutcome]
    }

    func testADICOMTwinPatientIsDiagnosedAsItsTIFFForm() throws {
        // A COVID-19 twin patient at 64 px.
        let twin = root.appendingPathComponent("twin")
        let synth = try CLIRunner.run(["data", "synth", "--out", twin.path, "--size", "64", "--patients", "patient1", "--seed", "3"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let relative = try XCTUnwrap(
            FileManager.default.enumerator(atPath: twin.path)?.compactMap { $0 as? String }
                .first { $0.hasSuffix("/patient1") })
        let patient = twin.appendingPathComponent(relative)
        // Its series as DICOM: each series in its own nested folder, file names in reverse body order.
        let dicomSet = root.appendingPathComponent("dicom")
        let dicom = dicomSet.appendingPathComponent(relative)
        var written = 0
        for (k, seriesName) in ["SR_2", "SR_3", "SR_4"].enumerated() {
            let dir = patient.appendingPathComponent(seriesName)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path).filter({ $0.hasSuffix(".tif") }).sorted(),
                !files.isEmpty
            else { continue }
            let out = dicom.appendingPathComponent("study/s\(k)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            for (i, f) in files.enumerated() {
                try writeDICOM(
                    dir.appendingPathComponent(f).path,
                    to: out.appendingPathComponent(String(format: "x%05d.dcm", files.count - i)).path,
                    seriesUID: "1.2.826.0.1.3680043.10.1138.\(k)", seriesNumber: Int(seriesName.dropFirst(3))!,
                    instance: i + 1, z: 100 - 6 * Double(i))
                written += 1
            }
        }
        XCTAssertGreaterThan(written, 20)
        for csv in try FileManager.default.contentsOfDirectory(atPath: twin.path) where csv.hasSuffix(".csv") {
            try FileManager.default.copyItem(at: twin.appendingPathComponent(csv), to: dicomSet.appendingPathComponent(csv))
        }
        let weights = root.appendingPathComponent("weights.safetensors")
        try ModelKind.resnet50v2.build(scale: scale, seed: 9).saveWeights(to: weights)

        let fromTIFF = try CLIRunner.run(
            ["diagnose", patient.path, "--weights", weights.path, "--threshold", "1", "--json"] + scaleArguments)
        let fromDICOM = try CLIRunner.run(
            ["diagnose", dicom.path, "--weights", weights.path, "--threshold", "1", "--json"] + scaleArguments)
        XCTAssertEqual(fromTIFF.status, 0, fromTIFF.stderr)
        XCTAssertEqual(fromDICOM.status, 0, fromDICOM.stderr)
        let a = try JSONDecoder().decode(Output.self, from: Data(fromTIFF.stdout.utf8))
        let b = try JSONDecoder().decode(Output.self, from: Data(fromDICOM.stdout.utf8))
        XCTAssertEqual(b.totalSlices, written)
        XCTAssertEqual(a.totalSlices, b.totalSlices)
        XCTAssertGreaterThan(a.selectedSlices, 0)
        XCTAssertEqual(a.selectedSlices, b.selectedSlices)
        XCTAssertEqual(a.decision, b.decision)
        XCTAssertEqual(a.slices.count, b.slices.count)
        for (x, y) in zip(a.slices, b.slices) {
            XCTAssertEqual(x.series, y.series); XCTAssertEqual(x.imageNumber, y.imageNumber)
            XCTAssertEqual(x.darkCount, y.darkCount); XCTAssertEqual(x.selected, y.selected)
            XCTAssertEqual(x.covidProbability, y.covidProbability)
        }
        // No temporary copy is left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("paper-repro-dicom-") }
        XCTAssertTrue(leftovers.isEmpty, "\(leftovers)")

        // `data convert` writes the TIFF layout back, pixel for pixel.
        let converted = root.appendingPathComponent("converted")
        let convert = try CLIRunner.run(["data", "convert", "--from", dicomSet.path, "--to", converted.path])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        for seriesName in ["SR_2", "SR_3", "SR_4"] {
            let dir = patient.appendingPathComponent(seriesName)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path).filter({ $0.hasSuffix(".tif") }).sorted()
            else { continue }
            for f in files {
                let original = try TIFFReader.read(dir.appendingPathComponent(f).path).uint16
                let back = try TIFFReader.read(converted.appendingPathComponent("\(relative)/\(seriesName)/\(f)").path).uint16
                XCTAssertEqual(original, back, "\(seriesName)/\(f)")
            }
        }
        // Refuses to write into a folder that is not empty.
        let again = try CLIRunner.run(["data", "convert", "--from", dicomSet.path, "--to", converted.path])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("not empty"), again.stderr)

        // `table 1 --data` reads the DICOM tree (through its converted copy in the stage cache)
        // as it reads the TIFF tree.
        let presets = try CLIRunner.tinyPresetFolder("cli-dicom-table")
        defer { try? FileManager.default.removeItem(at: presets) }
        func table1(_ data: URL, _ name: String) throws -> String {
            let report = root.appendingPathComponent("report-\(name)")
            let r = try CLIRunner.run([
                "table", "1", "--preset", "tiny", "--configs", presets.appendingPathComponent("configs").path,
                "--runs", root.appendingPathComponent("runs-\(name)").path, "--report", report.path,
                "--data", data.path, "--threads", "1"
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
            return try String(contentsOf: report.appendingPathComponent("tables/table1.csv"), encoding: .utf8)
        }
        let tiffTable = try table1(twin, "tiff")
        XCTAssertEqual(try table1(dicomSet, "dicom"), tiffTable)
        XCTAssertTrue(tiffTable.contains("1"), tiffTable)
    }
}
