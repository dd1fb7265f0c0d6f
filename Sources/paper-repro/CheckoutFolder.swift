import Analysis
import Foundation
import Report

/// The folders of presets (`configs/`) and report templates (`report-templates/`), found from
/// any working directory.
///
/// Both ship with the program as package resources (`Sources/Analysis/Resources/presets` and
/// `Sources/Report/Resources/templates`, which `configs` and `report-templates` in the
/// repository link to, so they stay the editable sources). A path given on the command line is
/// used as given. The default name is looked up in the working directory first (an edited copy
/// there wins), then in the checkout the executable was built in (walking up from the
/// executable to the folder beside `Package.swift`, so an edit shows without a rebuild), then
/// in the resources built with the executable, which also serve a copy of the program and its
/// `*.resources` folders installed anywhere. `paper-repro all` therefore runs from any
/// directory, and `swift run paper-repro …` works in the checkout.
enum CheckoutFolder {
    static func resolve(_ path: String, defaultName: String, bundled: URL?) -> URL {
        let fm = FileManager.default
        guard path == defaultName, !fm.fileExists(atPath: path) else { return URL(fileURLWithPath: path) }
        var dir = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
            .resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent(defaultName)
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path), fm.fileExists(atPath: candidate.path) {
                return candidate
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return bundled ?? URL(fileURLWithPath: path)
    }

    static func configs(_ path: String) -> URL { resolve(path, defaultName: "configs", bundled: Preset.bundledDirectory) }
    static func templates(_ path: String) -> URL {
        resolve(path, defaultName: "report-templates", bundled: ReportRenderer.bundledTemplates)
    }
}
