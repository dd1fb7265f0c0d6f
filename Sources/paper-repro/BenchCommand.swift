import ArgumentParser

/// `paper-repro bench …`: benchmarks (release builds; never part of the unit tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed: the selection algorithm, the neural-network engine.",
        subcommands: [BenchSelectionCommand.self]
    )
}
