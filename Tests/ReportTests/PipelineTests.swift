import Analysis
import AtomicFiles
import NeuralNet
import XCTest

@testable import Report

/// Counts how often a stage's work ran.
final class RunCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func tick(_ name: String) { lock.lock(); counts[name, default: 0] += 1; lock.unlock() }
    func count(_ name: String) -> Int { lock.lock(); defer { lock.unlock() }; return counts[name] ?? 0 }
}

/// The stage cache: keys, reuse, --force, interrupted stages; presets.
final class PipelineTests: XCTestCase {
    func testStageKey() {
        let a = StageKey.key(stage: "s", configuration: Data("{\"x\":1}".utf8), upstream: ["u": "aa", "v": "bb"])
        XCTAssertEqual(a.count, 64)
        XCTAssertEqual(a, StageKey.key(stage: "s", configuration: Data("{\"x\":1}".utf8), upstream: ["v": "bb", "u": "aa"]))
        XCTAssertNotEqual(a, StageKey.key(stage: "s", configuration: Data("{\"x\":2}".utf8), upstream: ["u": "aa", "v": "bb"]))
        XCTAssertNotEqual(a, StageKey.key(stage: "s", configuration: Data("{\"x\":1}".utf8), upstream: ["u": "ab", "v": "bb"]))
        XCTAssertNotEqual(a, StageKey.key(stage: "t", configuration: Data("{\"x\":1}".utf8), upstream: ["u": "aa", "v": "bb"]))
        XCTAssertEqual(StageKey.sha256(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertNotEqual(StageKey.seed(presetSeed: 1, key: a), StageKey.seed(presetSeed: 2, key: a))
    }

    private func stages(_ counter: RunCounter, upstreamValue: String) -> [StageDefinition] {
        [
            StageDefinition(name: "up", configuration: Data(upstreamValue.utf8)) { ctx in
                counter.tick("up")
                try AtomicFile.write(upstreamValue, to: ctx.outputDirectory.appendingPathComponent("value.txt"))
            },
            StageDefinition(name: "down", upstream: ["up"], configuration: Data("{}".utf8)) { ctx in
                counter.tick("down")
                let v = try String(contentsOf: ctx.upstream("up").appendingPathComponent("value.txt"), encoding: .utf8)
                try AtomicFile.write(v + v, to: ctx.outputDirectory.appendingPathComponent("sub/double.txt"))
            },
            StageDefinition(name: "other", configuration: Data("{}".utf8)) { _ in counter.tick("other") }
        ]
    }

    func testStageRunnerCachesOnlyWhatIsNeededAndForces() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let counter = RunCounter()
        func runner(force: Bool = false, value: String = "a") -> StageRunner {
            let r = StageRunner(root: dir, presetSeed: 7, versions: ["v": "1"], force: force)
            stages(counter, upstreamValue: value).forEach(r.register)
            return r
        }
        var events: [String] = []
        let first = runner()
        first.onEvent = { if case let .finished(stage, _, _, _, reused) = $0 { events.append("\(stage):\(reused)") } }
        let r1 = try first.run(["down"])
        XCTAssertEqual(events, ["up:false", "down:false"])
        XCTAssertEqual(counter.count("other"), 0, "a stage nobody needs must not run")
        let down = try XCTUnwrap(r1["down"])
        XCTAssertEqual(try String(contentsOf: down.directory.appendingPathComponent("sub/double.txt"), encoding: .utf8), "aa")
        XCTAssertEqual(down.record.outputs.keys.sorted(), ["sub/double.txt"])
        XCTAssertEqual(down.directory.deletingLastPathComponent().lastPathComponent, "down")
        XCTAssertEqual(down.directory.lastPathComponent, down.record.key)
        let record = try JSONDecoder().decode(StageRecord.self, from: Data(contentsOf: down.directory.appendingPathComponent("stage.json")))
        XCTAssertEqual(record.upstream, ["up": r1["up"]!.record.outputHash])

        let r2 = try runner().run(["down"])
        XCTAssertTrue(r2["down"]!.reused && r2["up"]!.reused)
        XCTAssertEqual(counter.count("down"), 1)
        _ = try runner(force: true).run(["down"])
        XCTAssertEqual(counter.count("down"), 2)
        XCTAssertEqual(counter.count("up"), 2)
        // A change upstream changes the downstream key.
        let r3 = try runner(value: "b").run(["down"])
        XCTAssertNotEqual(r3["down"]!.record.key, down.record.key)
        XCTAssertFalse(r3["down"]!.reused)
    }

    /// The code version is part of the key: a new version recomputes the stage and says why;
    /// downstream stages are recomputed only when its outputs changed.
    func testCodeVersionChangesTheKeyAndOnlyIt() throws {
        let config = Data("{\"x\":1}".utf8)
        let v1 = StageKey.key(stage: "s", configuration: config, upstream: ["u": "aa"])
        XCTAssertEqual(
            v1, StageKey.key(stage: "s", configuration: config, upstream: ["u": "aa"], codeVersion: 1),
            "version 1 keeps keys made before versions existed")
        let v2 = StageKey.key(stage: "s", configuration: config, upstream: ["u": "aa"], codeVersion: 2)
        XCTAssertNotEqual(v1, v2)
        XCTAssertEqual(v2, StageKey.key(stage: "s", configuration: config, upstream: ["u": "aa"], codeVersion: 2))
        XCTAssertNotEqual(v2, StageKey.key(stage: "s", configuration: config, upstream: ["u": "aa"], codeVersion: 3))
        // Families: every training stage shares the "train" version.
        XCTAssertEqual(StageCodeVersions.family(of: "train-fpn-series-balanced-fold3"), "train")
        XCTAssertEqual(StageCodeVersions.family(of: "evaluate"), "evaluate")

        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let counter = RunCounter()
        func runner(upVersion: Int, downVersion: Int) -> (StageRunner, () -> [String]) {
            let r = StageRunner(root: dir, presetSeed: 7, versions: [:], force: false)
            var defs = stages(counter, upstreamValue: "a")
            defs[0].codeVersion = upVersion
            defs[1].codeVersion = downVersion
            defs.forEach(r.register)
            final class Box: @unchecked Sendable { var lines: [String] = [] }
            let box = Box()
            r.onEvent = { if case let .computing(stage, reason) = $0 { box.lines.append("\(stage): \(reason)") } }
            return (r, { box.lines })
        }
        let (first, firstReasons) = runner(upVersion: 1, downVersion: 1)
        _ = try first.run(["down"])
        XCTAssertEqual(firstReasons(), ["up: first run", "down: first run"])
        let (same, sameReasons) = runner(upVersion: 1, downVersion: 1)
        _ = try same.run(["down"])
        XCTAssertEqual(sameReasons(), [], "nothing recomputed when no version changed")
        let (newDown, downReasons) = runner(upVersion: 1, downVersion: 2)
        let r = try newDown.run(["down"])
        XCTAssertTrue(r["up"]!.reused)
        XCTAssertFalse(r["down"]!.reused)
        XCTAssertEqual(downReasons(), ["down: code version 1 → 2"])
        XCTAssertEqual(r["down"]!.record.codeVersion, 2)
        // A new version upstream recomputes it; its output is the same bytes, so what is
        // downstream keeps its key and is reused.
        let (newUp, upReasons) = runner(upVersion: 2, downVersion: 2)
        let r2 = try newUp.run(["down"])
        XCTAssertEqual(upReasons(), ["up: code version 1 → 2"])
        XCTAssertEqual(counter.count("up"), 2)
        XCTAssertEqual(counter.count("down"), 2)
        XCTAssertTrue(r2["down"]!.reused)
    }

    /// A second runner on a locked folder is refused with a message naming the holder; another
    /// process sees the lock too; the lock goes with its holder.
    func testALockedCacheIsRefusedWithAMessage() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var held: CacheLock? = try CacheLock(folder: dir)
        let runner = StageRunner(root: dir, presetSeed: 1, versions: [:], force: false)
        runner.register(StageDefinition(name: "s", configuration: Data()) { _ in })
        XCTAssertThrowsError(try runner.run(["s"])) { error in
            guard case let PipelineError.locked(path, holder)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, dir.path)
            XCTAssertTrue(holder.contains("pid \(getpid())"), holder)
            XCTAssertTrue("\(error)".contains("in use by another paper-repro"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("s").path), "nothing was written")
        // Another process: flock(1) cannot take it either.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            p.arguments = ["-n", held!.file.path, "true"]
            try p.run(); p.waitUntilExit()
            XCTAssertNotEqual(p.terminationStatus, 0, "another process took a held lock")
        }
        // Released: the same runner now works.
        held = nil
        XCTAssertNoThrow(try runner.run(["s"]))
    }

    /// Shared holders coexist; an exclusive holder excludes them and they exclude it.
    func testSharedLocksCoexistAndExcludeAnExclusiveHolder() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var a: CacheLock? = try CacheLock(folder: dir, mode: .shared)
        var b: CacheLock? = try CacheLock(folder: dir, mode: .shared)
        XCTAssertThrowsError(try CacheLock(folder: dir))
        a = nil; b = nil
        _ = (a, b)
        var c: CacheLock? = try CacheLock(folder: dir)
        XCTAssertThrowsError(try CacheLock(folder: dir, mode: .shared))
        c = nil; _ = c
        XCTAssertNoThrow(try CacheLock(folder: dir, mode: .shared))
    }

    /// Runners sharing a cache (cluster tasks) compute a stage they both need once: the second
    /// waits on the stage's lock, then reuses the first one's result; each computes its own
    /// target.
    func testRunnersSharingACacheComputeACommonStageOnce() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let counter = RunCounter()
        func runner() -> StageRunner {
            let r = StageRunner(root: dir, presetSeed: 1, versions: [:], force: false)
            r.sharedCache = true
            r.register(
                StageDefinition(name: "data", configuration: Data("{}".utf8)) { ctx in
                    counter.tick("data")
                    Thread.sleep(forTimeInterval: 0.3)  // long enough for the other runner to arrive
                    try AtomicFile.write("x", to: ctx.outputDirectory.appendingPathComponent("data.txt"))
                })
            for t in ["train1", "train2"] {
                r.register(
                    StageDefinition(name: t, upstream: ["data"], configuration: Data("{}".utf8)) { ctx in
                        counter.tick(t)
                        try AtomicFile.write(t, to: ctx.outputDirectory.appendingPathComponent("w.txt"))
                    })
            }
            return r
        }
        let results = NSLock()
        var reused: [Bool] = []
        var errors: [Error] = []
        Parallel.run(workers: 2) { i in
            do {
                let r = try runner().run(["train\(i + 1)"])
                results.lock(); reused.append(r["data"]!.reused); results.unlock()
            } catch {
                results.lock(); errors.append(error); results.unlock()
            }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        XCTAssertEqual(counter.count("data"), 1)
        XCTAssertEqual(counter.count("train1"), 1)
        XCTAssertEqual(counter.count("train2"), 1)
        XCTAssertEqual(reused.sorted { !$0 && $1 }, [false, true])
        // An exclusive runner (`paper-repro all`) is refused while a shared one works, and vice versa.
        let shared = try CacheLock(folder: dir, mode: .shared)
        let plain = StageRunner(root: dir, presetSeed: 1, versions: [:], force: false)
        plain.register(StageDefinition(name: "s", configuration: Data()) { _ in })
        XCTAssertThrowsError(try plain.run(["s"]))
        withExtendedLifetime(shared) {}
    }

    func testFailedStageLeavesNoFinishedFolder() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        struct Boom: Error {}
        let runner = StageRunner(root: dir, presetSeed: 1, versions: [:], force: false)
        runner.register(
            StageDefinition(name: "fails", configuration: Data()) { ctx in
                try AtomicFile.write("half", to: ctx.outputDirectory.appendingPathComponent("checkpoint.txt"))
                throw Boom()
            })
        XCTAssertThrowsError(try runner.run(["fails"])) { error in
            guard case PipelineError.stageFailed(stage: "fails", reason: _)? = error as? PipelineError else {
                return XCTFail("\(error)")
            }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("fails").path)
        XCTAssertEqual(names.count, 1)
        XCTAssertTrue(names[0].hasSuffix(".partial"), "the partial folder is kept for resuming: \(names)")
        XCTAssertThrowsError(try runner.plan(["missing"]))
    }

    func testPresets() throws {
        let presets = try Preset.loadAll(directory: Fixture.configs)
        XCTAssertEqual(presets.map(\.name), ["default", "paper", "smoke"])
        let paper = try Fixture.preset("paper")
        XCTAssertEqual(paper.model.inputSize, 512)
        XCTAssertEqual(paper.model.widthMultiplier, 1)
        XCTAssertEqual(paper.training.epochs, 50)
        XCTAssertEqual(paper.training.batchSize, 14)
        XCTAssertEqual(paper.training.learningRate, 1e-4)
        XCTAssertEqual(paper.folds, 5)
        XCTAssertEqual(paper.data.syntheticCovidPatients, 95)
        XCTAssertEqual(paper.data.syntheticNormalPatients, 282)
        let smoke = try Fixture.preset("smoke")
        XCTAssertLessThan(smoke.model.inputSize * smoke.training.epochs, paper.model.inputSize / 2)
        XCTAssertNotEqual(smoke.canonicalJSON(), paper.canonicalJSON())
        XCTAssertThrowsError(try Preset.load(name: "nope", directory: Fixture.configs))
        for preset in presets {
            XCTAssertGreaterThanOrEqual(preset.model.inputSize, ResNet50V2FPN.minimumInput, "\(preset.name): the FPN cannot run below this")
        }
    }

    func testPatientCounts() throws {
        let text = "Patient ID,SEX,AGE,Date,COVID-19 Infection\np1,F,053Y,1,Positive\np2,M,059Y,1,Positive\np3,M,010Y,1,Negative\n"
        let counts = try PatientCountsStage.count(patientDetails: text, file: "t.csv")
        XCTAssertEqual(
            counts.map { "\($0.infection) \($0.sex) \($0.ageGroup) \($0.patients)" },
            ["covid F 50_59 1", "covid M 50_59 1", "normal M 10_19 1"])
        XCTAssertThrowsError(try PatientCountsStage.count(patientDetails: "h\np1,X,053Y,1,Positive\n", file: "t.csv"))
    }

    /// Timing records (a training history's wall times) do not enter the output hash, so a
    /// rerun that only takes a different time keeps downstream keys.
    func testTimingRecordsAreNotHashed() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var hashes: [String] = []
        for run in 0..<2 {
            let r = StageRunner(root: dir, presetSeed: 1, versions: [:], force: true)
            var stage = StageDefinition(name: "timed", configuration: Data("{}".utf8)) { context in
                try AtomicFile.write(Data("weights".utf8), to: context.outputDirectory.appendingPathComponent("weights.bin"))
                try AtomicFile.write(Data("seconds \(run)".utf8), to: context.outputDirectory.appendingPathComponent("history.json"))
            }
            stage.isTimingRecord = { $0 == "history.json" }
            r.register(stage)
            let result = try XCTUnwrap(try r.run(["timed"])["timed"])
            XCTAssertEqual(result.record.outputs.keys.sorted(), ["weights.bin"])
            hashes.append(result.record.outputHash)
        }
        XCTAssertEqual(hashes[0], hashes[1])
    }
}
