import Foundation

/// Runs stages through the content-addressed cache under `runs/<preset>/`.
///
/// Layout: `runs/<preset>/<stage>/<key>/` holds a finished stage's outputs and its
/// `stage.json`; `<key>.partial/` holds an unfinished one. A finished stage is reused
/// unless `force` is set. Stages are resolved depth-first, upstream before downstream, and
/// only the stages the targets need are run.
public final class StageRunner {
    /// `runs/<preset>` (created on first use).
    public let root: URL
    /// The preset seed stage seeds are derived from.
    public let presetSeed: UInt64
    /// Versions recorded in every `stage.json`.
    public let versions: [String: String]
    /// Rebuild every requested stage even when cached.
    public let force: Bool
    /// Receives a `StageEvent` per stage start and finish.
    public var onEvent: (StageEvent) -> Void

    private var definitions: [String: StageDefinition] = [:]
    private var results: [String: StageResult] = [:]
    private var resolving: Set<String> = []
    private var plannedTotal = 0
    private var counter = 0

    public init(root: URL, presetSeed: UInt64, versions: [String: String], force: Bool,
                onEvent: @escaping (StageEvent) -> Void = { _ in }) {
        self.root = root
        self.presetSeed = presetSeed
        self.versions = versions
        self.force = force
        self.onEvent = onEvent
    }

    /// Adds a stage definition; a programmer error if the name is taken.
    public func register(_ definition: StageDefinition) {
        precondition(definitions[definition.name] == nil, "stage '\(definition.name)' defined twice")
        definitions[definition.name] = definition
    }

    /// True if a stage with this name is defined.
    public func isDefined(_ name: String) -> Bool { definitions[name] != nil }

    /// The stages `targets` need, upstream first, without duplicates.
    /// - Throws: `PipelineError.unknownStage` or `.cycle`.
    public func plan(_ targets: [String]) throws -> [String] {
        var order: [String] = []
        var seen: Set<String> = []
        var onPath: Set<String> = []
        func visit(_ name: String, neededBy: String) throws {
            if seen.contains(name) { return }
            guard let definition = definitions[name] else {
                throw PipelineError.unknownStage(name: name, neededBy: neededBy)
            }
            guard onPath.insert(name).inserted else { throw PipelineError.cycle(stage: name) }
            for up in definition.upstream { try visit(up, neededBy: name) }
            onPath.remove(name)
            seen.insert(name)
            order.append(name)
        }
        for target in targets { try visit(target, neededBy: "request") }
        return order
    }

    /// Runs (or reuses) every stage `targets` need and returns all their results by name.
    public func run(_ targets: [String]) throws -> [String: StageResult] {
        let order = try plan(targets)
        plannedTotal = order.count
        counter = 0
        for name in order { _ = try resolve(name) }
        return results.filter { order.contains($0.key) }
    }

    // MARK: - One stage

    private func resolve(_ name: String) throws -> StageResult {
        if let done = results[name] { return done }
        let definition = definitions[name]!
        var upstreamHashes: [String: String] = [:]
        var upstreamDirectories: [String: URL] = [:]
        for up in definition.upstream {
            let result = try resolve(up)
            upstreamHashes[up] = result.record.outputHash
            upstreamDirectories[up] = result.directory
        }
        let key = StageKey.key(stage: name, configuration: definition.configuration, upstream: upstreamHashes)
        let stageFolder = root.appendingPathComponent(name)
        let finalDirectory = stageFolder.appendingPathComponent(key)
        let partialDirectory = stageFolder.appendingPathComponent("\(key).partial")
        let recordFile = finalDirectory.appendingPathComponent("stage.json")
        let fm = FileManager.default
        counter += 1
        let index = counter
        onEvent(.started(stage: name, index: index, total: plannedTotal))

        if !force, fm.fileExists(atPath: recordFile.path),
           let record = try? JSONDecoder().decode(StageRecord.self, from: Data(contentsOf: recordFile)),
           record.key == key {
            let result = StageResult(record: record, directory: finalDirectory, reused: true)
            results[name] = result
            onEvent(.finished(stage: name, index: index, total: plannedTotal, seconds: 0, reused: true))
            return result
        }

        do {
            if force {
                if fm.fileExists(atPath: partialDirectory.path) { try fm.removeItem(at: partialDirectory) }
            }
            try fm.createDirectory(at: partialDirectory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.io(file: partialDirectory.path, reason: "\(error)")
        }
        let seed = StageKey.seed(presetSeed: presetSeed, key: key)
        let context = StageContext(stage: name, key: key, outputDirectory: partialDirectory,
                                   upstreamDirectories: upstreamDirectories, seed: seed)
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            try definition.run(context)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.stageFailed(stage: name, reason: "\(error)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

        let outputs = try hashOutputs(in: partialDirectory).filter { !definition.isTimingRecord($0.key) }
        let record = StageRecord(
            stage: name, key: key,
            configuration: String(decoding: definition.configuration, as: UTF8.self),
            upstream: upstreamHashes, outputs: outputs, outputHash: StageKey.combine(outputs),
            seed: seed, versions: versions, wallSeconds: seconds,
            finishedAt: ISO8601DateFormatter().string(from: Date()))
        try AtomicFile.write(CanonicalJSON.encodePretty(record),
                             to: partialDirectory.appendingPathComponent("stage.json"))
        do {
            if fm.fileExists(atPath: finalDirectory.path) { try fm.removeItem(at: finalDirectory) }
            try fm.moveItem(at: partialDirectory, to: finalDirectory)
        } catch {
            throw PipelineError.io(file: finalDirectory.path, reason: "cannot move finished stage into place: \(error)")
        }
        let result = StageResult(record: record, directory: finalDirectory, reused: false)
        results[name] = result
        onEvent(.finished(stage: name, index: index, total: plannedTotal, seconds: seconds, reused: false))
        return result
    }

    /// Relative path -> SHA-256 of every regular file under `directory`, except `stage.json`
    /// and hidden temporaries.
    private func hashOutputs(in directory: URL) throws -> [String: String] {
        var outputs: [String: String] = [:]
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw PipelineError.io(file: directory.path, reason: "cannot list outputs")
        }
        let base = directory.standardizedFileURL.path
        for case let url as URL in enumerator {
            let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
            guard isFile, !url.lastPathComponent.hasPrefix("."), url.lastPathComponent != "stage.json" else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(base + "/") { relative.removeFirst(base.count + 1) }
            outputs[relative] = try StageKey.sha256(file: url)
        }
        return outputs
    }
}
