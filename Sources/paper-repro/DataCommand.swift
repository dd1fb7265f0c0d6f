import ArgumentParser

/// `paper-repro data …`: dataset commands.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Index, inspect and generate datasets.",
        subcommands: [SynthCommand.self]
    )
}
