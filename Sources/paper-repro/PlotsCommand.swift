import ArgumentParser
import Plots

/// `paper-repro plots …`: chart utilities.
struct PlotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plots",
        abstract: "Chart utilities.",
        subcommands: [GalleryCommand.self]
    )

    /// `paper-repro plots gallery DIR`: writes one figure of every kind as PNG and SVG.
    struct GalleryCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gallery",
            abstract: "Write one figure of every kind (PNG and SVG) into a directory.")

        @Argument(help: "Output directory (created if missing).")
        var directory: String

        func run() throws {
            let paths = try Gallery.write(to: directory)
            for p in paths { print(p) }
        }
    }
}
