import ArgumentParser

/// The `paper-repro` command: reproduces the COVID-CTset paper end to end.
@main
struct PaperRepro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper-repro",
        abstract: "Reproduce Rahimzadeh et al. (COVID-CTset) end to end and write a report.",
        subcommands: [
            AllCommand.self, FigureCommand.self, TableCommand.self, VerifyCommand.self, PresetsCommand.self, StagesCommand.self,
            DataCommand.self, SelectCommand.self, TrainCommand.self, EstimateCommand.self, DiagnoseCommand.self, ModelCommand.self,
            PlotsCommand.self, BenchCommand.self, ClusterCommand.self
        ]
    )
}
