import Analysis
import AtomicFiles
import Foundation
import NeuralNet

/// Where a report run reads and writes, and how.
public struct ReportOptions: Sendable {
    /// The run's preset.
    public var preset: Preset
    /// The stage cache root (`runs/`); stages go to `runs/<preset>/<stage>/<key>/`.
    public var runsDirectory: URL
    /// The report folder (`report/`), replaced as a whole by `writeReport`.
    public var reportDirectory: URL
    /// `report-templates/`.
    public var templatesDirectory: URL
    /// Rebuild stages even when cached.
    public var force: Bool
    /// Git, versions and cores to record.
    public var facts: RunFacts
    /// Make any data problem fatal instead of leaving the series or file out (`--strict`).
    public var strictData: Bool
    /// Share the stage cache with other processes on purpose (`StageRunner.sharedCache`).
    public var sharedCache = false

    public init(
        preset: Preset, runsDirectory: URL, reportDirectory: URL, templatesDirectory: URL,
        force: Bool, facts: RunFacts, strictData: Bool = false
    ) {
        self.strictData = strictData
        self.preset = preset
        self.runsDirectory = runsDirectory
        self.reportDirectory = reportDirectory
        self.templatesDirectory = templatesDirectory
        self.force = force
        self.facts = facts
    }
}

/// What `writeReport` produced.
public struct ReportOutcome: Sendable {
    public var document: ReportDocument
    public var manifest: Manifest
    /// Entries whose build threw, with the error; they appear in the report as not reproduced.
    public var failures: [String]
}

/// Builds the report: runs the stages the entries need through the cache, builds every
/// entry, renders Markdown and HTML and writes the manifest (docs/design.md, "Data flow").
public final class ReportBuilder {
    public var options: ReportOptions
    /// The figures and tables to build (`Registry.entries` unless a test supplies others).
    public let entries: [any ReportEntry]
    /// Receives stage progress.
    public var onEvent: (StageEvent) -> Void
    /// Definitions used instead of the report's own of the same names (same configuration and
    /// upstream, so the same keys) — e.g. training stages that show their progress.
    public var replacing: [StageDefinition] = []

    public init(
        options: ReportOptions, entries: [any ReportEntry] = Registry.entries,
        onEvent: @escaping (StageEvent) -> Void = { _ in }
    ) {
        self.options = options
        self.entries = entries
        self.onEvent = onEvent
    }

    /// Builds every entry and writes `index.md`, `index.html`, `report.css`, `manifest.json`
    /// and the entries' files into a fresh report folder (built beside it, then swapped in).
    public func writeReport() throws -> ReportOutcome {
        let started = Date()
        let clock = DispatchTime.now().uptimeNanoseconds
        let renderer = try ReportRenderer(templates: options.templatesDirectory)
        let (document, results, failures) = try assemble(entries)

        let markdown = try renderer.markdown(document)
        let html = try renderer.html(
            markdown: markdown, title: "Reproduction of Rahimzadeh et al. (COVID-CTset), preset \(options.preset.name)")
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        let manifest = makeManifest(document, results: results, started: started, seconds: seconds)

        let fm = FileManager.default
        let target = options.reportDirectory.standardizedFileURL
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: staging)
        for entry in document.entries {
            for (path, data) in entry.built?.files ?? [:] { try AtomicFile.write(data, to: staging.appendingPathComponent(path)) }
        }
        try AtomicFile.write(markdown, to: staging.appendingPathComponent("index.md"))
        try AtomicFile.write(html, to: staging.appendingPathComponent("index.html"))
        try AtomicFile.write(renderer.stylesheet(), to: staging.appendingPathComponent("report.css"))
        try AtomicFile.write(manifest.encoded(), to: staging.appendingPathComponent("manifest.json"))
        do {
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.moveItem(at: staging, to: target)
        } catch {
            throw PipelineError.io(file: target.path, reason: "cannot move the finished report into place: \(error)")
        }
        return ReportOutcome(document: document, manifest: manifest, failures: failures)
    }

    /// Builds one figure or table, running only the stages it needs, and writes its files
    /// into the report folder. Returns its record (pending ones carry their reason).
    public func writeEntry(_ id: EntryID) throws -> (record: EntryRecord, files: [URL]) {
        guard let entry = entries.first(where: { $0.id == id }) else {
            throw ReportError.unknownEntry(label: id.label)
        }
        let (document, _, failures) = try assemble([entry])
        if let failure = failures.first { throw PipelineError.stageFailed(stage: id.slug, reason: failure) }
        let record = document.entries[0]
        var written: [URL] = []
        for (path, data) in (record.built?.files ?? [:]).sorted(by: { $0.key < $1.key }) {
            let url = options.reportDirectory.appendingPathComponent(path)
            try AtomicFile.write(data, to: url)
            written.append(url)
        }
        return (record, written)
    }

    /// Runs `targets` and the stages they need (reusing cached ones), with `replacing` used in
    /// place of the report's own definitions of the same names — e.g. a training stage that
    /// shows its progress; a replacement must have the same configuration, so the same key.
    public func runStages(_ targets: [String], replacing: [StageDefinition] = []) throws -> [String: StageResult] {
        let runner = try makeRunner(replacing: replacing + self.replacing)
        return try runner.run(targets)
    }

    /// A stage runner for the preset with every stage of the pipeline registered.
    func makeRunner(replacing: [StageDefinition]) throws -> StageRunner {
        try Pipeline.runner(
            preset: options.preset, runsDirectory: options.runsDirectory, versions: options.facts.versions,
            force: options.force, strictData: options.strictData, sharedCache: options.sharedCache,
            replacing: replacing, onEvent: onEvent)
    }

    // MARK: - Assembly

    /// Runs the stages `entries` need and builds them.
    func assemble(_ entries: [any ReportEntry]) throws -> (ReportDocument, [String: StageResult], [String]) {
        let preset = options.preset
        let paper = try PaperTables.load()
        let audit = PaperAudit.run(paper, labels: try LabelSources.shipped())
        let dataSource = try DataSourceIdentity.of(preset)
        let runner = try makeRunner(replacing: replacing)

        var pending: [EntryID: String] = [:]
        var needed: [String] = []
        for entry in entries {
            if let reason = entry.pendingReason {
                pending[entry.id] = reason
            } else if let missing = entry.stages.first(where: { !runner.isDefined($0) }) {
                pending[entry.id] = PipelineStages.unavailable(missing, dataSource: dataSource)
            } else {
                needed += entry.stages.filter { !needed.contains($0) }
                needed += entry.optionalStages.filter { runner.isDefined($0) && !needed.contains($0) }
            }
        }
        let results = try runner.run(needed)
        // Stages entries read only when cached: looked up, never computed, not in the manifest.
        var available = results
        for entry in entries where pending[entry.id] == nil {
            for name in entry.cachedStages where available[name] == nil {
                if let result = runner.cached(name) { available[name] = result }
            }
        }
        let inputs = EntryInputs(preset: preset, dataSource: dataSource, paper: paper, stages: available)

        var records: [EntryRecord] = []
        var failures: [String] = []
        for entry in entries.sorted(by: { $0.id < $1.id }) {
            let caption = Captions.of(entry.id)
            var record = EntryRecord(
                id: entry.id, title: caption.title, caption: caption.caption,
                stages: entry.stages, built: nil, pendingReason: pending[entry.id])
            if record.pendingReason == nil {
                do { record.built = try entry.build(inputs) } catch {
                    record.pendingReason = "building it failed: \(error)"
                    failures.append("\(entry.id): \(error)")
                }
            }
            records.append(record)
        }
        let document = ReportDocument(
            preset: preset, dataSource: dataSource, facts: options.facts,
            entries: records, audit: audit,
            stageKeys: results.mapValues { $0.record.key })
        return (document, results, failures)
    }

    func makeManifest(_ d: ReportDocument, results: [String: StageResult], started: Date, seconds: Double) -> Manifest {
        var numbers: [String: Double] = [:]
        var verdicts: [String: String] = [:]
        var measurements: [String: Double] = [:]
        for e in d.entries {
            for c in e.built?.comparisons ?? [] {
                let key = "\(e.id.slug).\(c.key)"
                if let p = c.paperValue { numbers[key + ".paper"] = p }
                if let o = c.oursValue {
                    if e.built?.measuresWallClock == true { measurements[key + ".ours"] = o } else { numbers[key + ".ours"] = o }
                }
                verdicts[key] = c.verdict.text
            }
        }
        for f in d.audit.findings {
            if let p = f.printed { numbers["audit.\(f.id).printed"] = p }
            if let r = f.recomputed { numbers["audit.\(f.id).recomputed"] = r }
            verdicts["audit.\(f.id)"] = f.severity.rawValue
        }
        numbers["audit.checks"] = Double(d.audit.checks)
        var seeds: [String: UInt64] = ["preset": d.preset.seed]
        for (name, r) in results { seeds["stage:\(name)"] = r.record.seed }
        let body = Manifest.Body(
            schema: 1, preset: d.preset.name, presetHash: StageKey.sha256(d.preset.canonicalJSON()),
            seeds: seeds, dataSource: d.dataSource, gitCommit: d.facts.gitCommit, gitDirty: d.facts.gitDirty,
            versions: d.facts.versions, cores: d.facts.cores, stages: d.stageKeys,
            entries: Dictionary(uniqueKeysWithValues: d.entries.map { ($0.id.slug, $0.status) }),
            numbers: numbers, verdicts: verdicts)
        let timing = Manifest.Timing(
            stageSeconds: results.mapValues { $0.reused ? 0 : $0.record.wallSeconds },
            totalSeconds: seconds, startedAt: ISO8601DateFormatter().string(from: started),
            measurements: measurements.isEmpty ? nil : measurements)
        return Manifest(report: body, timing: timing)
    }
}
