import AtomicFiles
import Foundation
import NeuralNet

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

    /// Stages that may be computed beside other such stages, and how many stages at once.
    /// With `concurrency` above 1, `run` schedules the whole plan as a graph: a stage starts
    /// once its upstream stages have finished, up to `concurrency` at a time, and the engine's
    /// threads are shared out among the stages running (`Parallel.threads` is total / running,
    /// recomputed as stages start and finish). At small scale one training or evaluation gains
    /// little from a second core and two at once gain nearly twice. A stage for which this
    /// returns false (the timing stage: it measures speed) runs alone on every thread.
    /// Results do not depend on it (the engine is bit-identical for any thread count).
    public var isConcurrent: @Sendable (String) -> Bool = { _ in false }
    public var concurrency = 1
    /// Among the stages ready to start, those of higher priority start first (then plan order):
    /// the long stages many others wait for — the trainings — go first, so the short stages
    /// after them fill the last gaps instead of delaying them.
    public var priority: @Sendable (String) -> Int = { _ in 0 }
    /// Share the cache folder with other runners on purpose (a cluster job array's tasks):
    /// the folder's lock is taken `.shared` and each stage computed under its own lock, so
    /// tasks needing the same upstream stage compute it once (`CacheLock`).
    public var sharedCache = false

    /// Guards `results`, `counter` and events while stages run side by side.
    private let state = NSLock()
    private var definitions: [String: StageDefinition] = [:]
    private var results: [String: StageResult] = [:]
    private var resolving: Set<String> = []
    private var plannedTotal = 0
    private var counter = 0

    public init(
        root: URL, presetSeed: UInt64, versions: [String: String], force: Bool,
        onEvent: @escaping (StageEvent) -> Void = { _ in }
    ) {
        self.root = root
        self.presetSeed = presetSeed
        self.versions = versions
        self.force = force
        self.onEvent = onEvent
    }

    /// Adds a stage definition; a programmer error if the name is taken.
    /// A definition left at code version 1 takes its family's version from `StageCodeVersions`.
    public func register(_ definition: StageDefinition) {
        precondition(definitions[definition.name] == nil, "stage '\(definition.name)' defined twice")
        var d = definition
        if d.codeVersion == 1 { d.codeVersion = StageCodeVersions.version(for: d.name) }
        definitions[definition.name] = d
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

    /// Runs (or reuses) every stage `targets` need and returns all their results by name,
    /// holding the folder's `CacheLock` meanwhile.
    /// - Throws: `PipelineError.locked` when another process is running stages in `root`.
    public func run(_ targets: [String]) throws -> [String: StageResult] {
        let order = try plan(targets)
        // Held while stages are resolved: a second process on the same folder is refused.
        let lock = try CacheLock(folder: root, mode: sharedCache ? .shared : .exclusive)
        defer { withExtendedLifetime(lock) {} }
        plannedTotal = order.count
        counter = 0
        if concurrency > 1, order.filter(isConcurrent).count > 1 { try resolveAsGraph(order) }
        for name in order { _ = try resolve(name) }
        return state.withLock { results.filter { order.contains($0.key) } }
    }

    /// Resolves `order` (a plan: every stage's upstream stages come before it) `concurrency`
    /// stages at a time: a worker takes, of the highest `priority`, the first stage whose
    /// upstream stages have all finished and that may start now (a concurrent stage while no exclusive one runs; an exclusive one
    /// when nothing runs). The engine's threads are divided among the running stages. Every
    /// started stage finishes before the first error, if any, is thrown.
    private func resolveAsGraph(_ order: [String]) throws {
        let total = Parallel.threads
        defer { Parallel.setThreads(total) }
        let condition = NSCondition()
        var pending = order
        var finished: Set<String> = []
        var running = 0
        var exclusiveRunning = false
        var firstError: Error? = nil
        let share = { Parallel.setThreads(max(1, total / max(1, running))) }
        Parallel.run(workers: min(concurrency, order.count)) { _ in
            condition.lock()
            defer { condition.unlock() }
            while firstError == nil, !pending.isEmpty {
                let startable = pending.indices.filter { i in
                    definitions[pending[i]]!.upstream.allSatisfy(finished.contains)
                        && (isConcurrent(pending[i]) ? !exclusiveRunning : running == 0)
                }
                // The first of the highest priority (max keeps the first of equal maxima).
                guard let index = startable.max(by: { priority(pending[$0]) < priority(pending[$1]) }) else {
                    condition.wait()
                    continue
                }
                let name = pending.remove(at: index)
                let exclusive = !isConcurrent(name)
                running += 1
                if exclusive { exclusiveRunning = true }
                share()
                condition.unlock()
                var failure: Error? = nil
                do { _ = try resolve(name) } catch { failure = error }
                condition.lock()
                running -= 1
                if exclusive { exclusiveRunning = false }
                if let failure, firstError == nil { firstError = failure }
                finished.insert(name)
                share()
                condition.broadcast()
            }
            condition.broadcast()
        }
        if let firstError { throw firstError }
    }

    /// The finished result of stage `name` when it is already in the cache (or resolved by this
    /// runner), without computing it or anything upstream; nil when it or an upstream stage
    /// would have to be computed.
    public func cached(_ name: String) -> StageResult? {
        if let done = state.withLock({ results[name] }) { return done }
        guard let definition = definitions[name] else { return nil }
        var upstreamHashes: [String: String] = [:]
        for up in definition.upstream {
            guard let result = cached(up) else { return nil }
            upstreamHashes[up] = result.record.outputHash
        }
        let key = StageKey.key(
            stage: name, configuration: definition.configuration, upstream: upstreamHashes, codeVersion: definition.codeVersion)
        let directory = root.appendingPathComponent(name).appendingPathComponent(key)
        guard let record = try? StageRecord.read(from: directory), record.key == key else { return nil }
        return StageResult(record: record, directory: directory, reused: true)
    }

    // MARK: - One stage

    private func emit(_ event: StageEvent) { state.withLock { onEvent(event) } }

    private func resolve(_ name: String) throws -> StageResult {
        if let done = state.withLock({ results[name] }) { return done }
        let definition = definitions[name]!
        var upstreamHashes: [String: String] = [:]
        var upstreamDirectories: [String: URL] = [:]
        for up in definition.upstream {
            let result = try resolve(up)
            upstreamHashes[up] = result.record.outputHash
            upstreamDirectories[up] = result.directory
        }
        let key = StageKey.key(
            stage: name, configuration: definition.configuration, upstream: upstreamHashes,
            codeVersion: definition.codeVersion)
        let stageFolder = root.appendingPathComponent(name)
        let finalDirectory = stageFolder.appendingPathComponent(key)
        let partialDirectory = stageFolder.appendingPathComponent("\(key).partial")
        let recordFile = finalDirectory.appendingPathComponent("stage.json")
        let fm = FileManager.default
        let index = state.withLock {
            counter += 1; return counter
        }
        emit(.started(stage: name, index: index, total: plannedTotal))
        // With a shared cache, the stage is checked and computed under its own lock.
        let stageLock = sharedCache ? try CacheLock(folder: stageFolder, mode: .waitExclusive) : nil
        defer { withExtendedLifetime(stageLock) {} }

        if !force, fm.fileExists(atPath: recordFile.path),
            let record = try? JSONDecoder().decode(StageRecord.self, from: Data(contentsOf: recordFile)),
            record.key == key
        {
            let result = StageResult(record: record, directory: finalDirectory, reused: true)
            state.withLock { results[name] = result }
            emit(.finished(stage: name, index: index, total: plannedTotal, seconds: 0, reused: true))
            return result
        }

        emit(
            .computing(
                stage: name,
                reason: reason(
                    for: definition, key: key, upstream: upstreamHashes,
                    in: stageFolder, resuming: fm.fileExists(atPath: partialDirectory.path))))
        do {
            if force {
                if fm.fileExists(atPath: partialDirectory.path) { try fm.removeItem(at: partialDirectory) }
            }
            try fm.createDirectory(at: partialDirectory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.io(file: partialDirectory.path, reason: "\(error)")
        }
        let seed = StageKey.seed(presetSeed: presetSeed, key: key)
        let context = StageContext(
            stage: name, key: key, outputDirectory: partialDirectory,
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
            finishedAt: ISO8601DateFormatter().string(from: Date()), codeVersion: definition.codeVersion)
        try AtomicFile.write(
            CanonicalJSON.encodePretty(record),
            to: partialDirectory.appendingPathComponent("stage.json"))
        do {
            if fm.fileExists(atPath: finalDirectory.path) { try fm.removeItem(at: finalDirectory) }
            try fm.moveItem(at: partialDirectory, to: finalDirectory)
        } catch {
            throw PipelineError.io(file: finalDirectory.path, reason: "cannot move finished stage into place: \(error)")
        }
        let result = StageResult(record: record, directory: finalDirectory, reused: false)
        state.withLock { results[name] = result }
        emit(.finished(stage: name, index: index, total: plannedTotal, seconds: seconds, reused: false))
        return result
    }

    /// Why a stage is computed: compared with the newest finished result in its folder.
    func reason(for definition: StageDefinition, key: String, upstream: [String: String], in folder: URL, resuming: Bool) -> String {
        if force { return "--force" }
        if resuming { return "resuming an interrupted run" }
        let records = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { !$0.lastPathComponent.hasSuffix(".partial") }
            .compactMap { try? JSONDecoder().decode(StageRecord.self, from: Data(contentsOf: $0.appendingPathComponent("stage.json"))) }
        guard let last = records.max(by: { ($0.finishedAt, $0.key) < ($1.finishedAt, $1.key) }) else { return "first run" }
        var why: [String] = []
        let before = last.codeVersion ?? 1
        if before != definition.codeVersion { why.append("code version \(before) → \(definition.codeVersion)") }
        if last.configuration != String(decoding: definition.configuration, as: UTF8.self) { why.append("configuration changed") }
        let changed = Set(upstream.keys).union(last.upstream.keys).filter { upstream[$0] != last.upstream[$0] }.sorted()
        if !changed.isEmpty { why.append("upstream \(changed.joined(separator: ", ")) changed") }
        return why.isEmpty ? "no reusable result" : why.joined(separator: "; ")
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
