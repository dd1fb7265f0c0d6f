import Foundation

/// The folders the program reads beside its sources — the presets (`configs/`) and the report's
/// templates (`report-templates/`) — found from any working directory.
///
/// A path given on the command line is used as given. The default name is looked up in the
/// working directory first (an edited copy there wins), then in the checkout the executable was
/// built in: the build folder lies inside the checkout, so walking up from the executable finds
/// the folder beside `Package.swift`. `paper-repro all` therefore runs from any directory, and
/// `swift run paper-repro …` works in the checkout.
enum CheckoutFolder {
    static func resolve(_ path: String, defaultName: String) -> URL {
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
        return URL(fileURLWithPath: path)
    }

    static func configs(_ path: String) -> URL { resolve(path, defaultName: "configs") }
    static func templates(_ path: String) -> URL { resolve(path, defaultName: "report-templates") }
}
