import Analysis
import Foundation
import XCTest

/// Runs the built `paper-repro` executable (from the same build folder as the tests).
struct CLIRunner {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["PAPER_REPRO_BIN"] { return URL(fileURLWithPath: override) }
        // The test runner (Linux: paper-reproPackageTests.xctest, macOS: xctest inside the bundle)
        // lives in the build folder beside the executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("paper-repro")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("paper-repro")
    }

    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, executable: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? Self.executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PAPER_REPRO_DATA")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out; process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    /// A new temporary folder `<prefix>-…` holding `configs/tiny.json`: the smoke preset with its
    /// twin shrunk to 2 + 2 patients at 32 px and the thinnest networks (`epochs`, when given,
    /// replaces the smoke preset's).
    static func tinyPresetFolder(_ prefix: String, epochs: Int? = nil) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(getpid())-\(UUID().uuidString.prefix(6))")
        let configs = root.appendingPathComponent("configs")
        try FileManager.default.createDirectory(at: configs, withIntermediateDirectories: true)
        let packageConfigs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs")
        var preset = try Preset.load(name: "smoke", directory: packageConfigs)
        preset.name = "tiny"
        preset.data.syntheticCovidPatients = 2
        preset.data.syntheticNormalPatients = 2
        preset.data.syntheticImageSize = 32
        preset.model.widthMultiplier = 0.0625
        preset.model.fpnFeatures = 4
        if let epochs { preset.training.epochs = epochs }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(preset).write(to: configs.appendingPathComponent("tiny.json"))
        return root
    }
}
