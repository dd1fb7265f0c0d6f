import Analysis
import CCMarkGFM
import Foundation
import NeuralNet
import Plots

/// Facts about the machine and source tree a report was made with.
public struct RunFacts: Codable, Sendable, Equatable {
    /// `git rev-parse HEAD`, or "unknown" outside a repository.
    public var gitCommit: String
    /// True when `git status --porcelain` lists changes.
    public var gitDirty: Bool
    /// Library and compiler versions by name.
    public var versions: [String: String]
    /// Active processor cores.
    public var cores: Int

    public init(gitCommit: String, gitDirty: Bool, versions: [String: String], cores: Int) {
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.versions = versions
        self.cores = cores
    }

    /// The facts of this process, with git run in `directory`.
    public static func current(directory: URL) -> RunFacts {
        let commit = git(["rev-parse", "HEAD"], in: directory)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: directory)
        return RunFacts(
            gitCommit: commit ?? "unknown", gitDirty: !(status ?? "").isEmpty,
            versions: versions(), cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Versions of Swift, libtiff, Cairo, OpenBLAS, cmark-gfm and the report module.
    public static func versions() -> [String: String] {
        var v: [String: String] = [:]
        #if compiler(>=6.3)
        v["swift"] = "6.3"
        #elseif compiler(>=6.2)
        v["swift"] = "6.2"
        #elseif compiler(>=6.1)
        v["swift"] = "6.1"
        #else
        v["swift"] = "6.0"
        #endif
        // Each module names the libraries it links.
        for libraries in [AnalysisLibraries.versions, Plots.libraryVersions, NeuralNet.libraryVersions] {
            v.merge(libraries) { current, _ in current }
        }
        v["cmark-gfm"] = String(cString: cmark_version_string())
        v["report"] = Report.version
        return v
    }

    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
