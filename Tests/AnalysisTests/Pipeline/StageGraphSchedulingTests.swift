import Foundation
import NeuralNet
import XCTest

@testable import Analysis

/// `StageRunner` with `concurrency` 2 runs the plan as a graph: a stage starts only after its
/// upstream stages finish, independent concurrent stages overlap with the engine's threads
/// shared out between them, and a stage that is not concurrent runs alone on every thread.
final class StageGraphSchedulingTests: XCTestCase {
    /// Start and finish of every stage run, in order, with the engine's thread count at start.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var events: [(stage: String, start: Bool, threads: Int)] = []
        func add(_ stage: String, start: Bool) {
            lock.withLock { events.append((stage, start, Parallel.threads)) }
        }
        func index(_ stage: String, start: Bool) -> Int? {
            lock.withLock { events.firstIndex { $0.stage == stage && $0.start == start } }
        }
        func threads(_ stage: String, start: Bool) -> Int? {
            lock.withLock { events.first { $0.stage == stage && $0.start == start }?.threads }
        }
    }

    var root: URL!
    var savedThreads = 1

    override func setUp() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("stage-graph-\(UUID().uuidString)")
        savedThreads = Parallel.threads
        Parallel.setThreads(2)
    }

    override func tearDown() {
        Parallel.setThreads(savedThreads)
        try? FileManager.default.removeItem(at: root)
    }

    func stage(_ name: String, _ upstream: [String] = [], seconds: Double = 0.25, fails: Bool = false, log: Log) -> StageDefinition {
        StageDefinition(name: name, upstream: upstream, configuration: Data("{}".utf8)) { context in
            log.add(name, start: true)
            Thread.sleep(forTimeInterval: seconds)
            log.add(name, start: false)
            if fails { throw PipelineError.stageFailed(stage: name, reason: "told to fail") }
            try Data(name.utf8).write(to: context.outputDirectory.appendingPathComponent("out.txt"))
        }
    }

    func runner(_ definitions: [StageDefinition], exclusive: Set<String>) -> StageRunner {
        let runner = StageRunner(root: root, presetSeed: 1, versions: [:], force: false)
        runner.isConcurrent = { !exclusive.contains($0) }
        runner.concurrency = 2
        definitions.forEach(runner.register)
        return runner
    }

    func testIndependentStagesOverlapAfterTheirUpstreamAndAnExclusiveStageRunsAlone() throws {
        let log = Log()
        let runner = runner(
            [
                stage("a", seconds: 0.05, log: log), stage("b1", ["a"], log: log), stage("b2", ["a"], log: log),
                stage("timing", ["a"], seconds: 0.1, log: log), stage("c", ["b1", "b2"], seconds: 0.05, log: log)
            ], exclusive: ["timing"])
        let results = try runner.run(["c", "timing"])
        XCTAssertEqual(Set(results.keys), ["a", "b1", "b2", "c", "timing"])
        let at = { (s: String, start: Bool) in log.index(s, start: start)! }
        // Upstream first.
        for (down, ups) in [("b1", ["a"]), ("b2", ["a"]), ("timing", ["a"]), ("c", ["b1", "b2"])] {
            for up in ups { XCTAssertLessThan(at(up, false), at(down, true), "\(down) started before \(up) finished") }
        }
        // b1 and b2 overlap, one thread each while both run.
        XCTAssertLessThan(at("b2", true), at("b1", false))
        XCTAssertLessThan(at("b1", true), at("b2", false))
        let firstDone = at("b1", false) < at("b2", false) ? "b1" : "b2"
        XCTAssertEqual(log.threads(firstDone, start: false), 1)
        // The exclusive stage: nothing starts or finishes while it runs, and it has both threads.
        XCTAssertEqual(at("timing", false), at("timing", true) + 1)
        XCTAssertEqual(log.threads("timing", start: true), 2)
        XCTAssertEqual(Parallel.threads, 2, "the thread count is restored")
        // A second runner on the same folder reuses everything.
        let again = self.runner(
            ["a", "b1", "b2", "timing", "c"].map { stage($0, $0 == "a" ? [] : $0 == "c" ? ["b1", "b2"] : ["a"], log: log) },
            exclusive: ["timing"])
        XCTAssertTrue(try again.run(["c", "timing"]).values.allSatisfy(\.reused))
    }

    func testAFailureStopsNewStagesAndLetsStartedOnesFinish() throws {
        let log = Log()
        let runner = runner(
            [
                stage("a", seconds: 0.05, log: log), stage("bad", ["a"], seconds: 0.05, fails: true, log: log),
                stage("slow", ["a"], seconds: 0.3, log: log), stage("after", ["bad", "slow"], log: log)
            ], exclusive: [])
        XCTAssertThrowsError(try runner.run(["after"])) { error in
            XCTAssertTrue("\(error)".contains("bad"), "\(error)")
        }
        XCTAssertNotNil(log.index("slow", start: false), "the stage already running finished")
        XCTAssertNil(log.index("after", start: true), "nothing downstream of the failure ran")
        XCTAssertEqual(Parallel.threads, 2)
    }

    /// Of the stages ready at once, those of higher priority start first, then plan order.
    func testHigherPriorityStagesStartFirst() throws {
        let log = Log()
        let runner = runner(
            [
                stage("a", seconds: 0.01, log: log), stage("short1", ["a"], seconds: 0.05, log: log),
                stage("short2", ["a"], seconds: 0.05, log: log), stage("train-x", ["a"], seconds: 0.05, log: log),
                stage("train-y", ["a"], seconds: 0.05, log: log)
            ], exclusive: [])
        runner.priority = { $0.hasPrefix("train-") ? 1 : 0 }
        _ = try runner.run(["short1", "short2", "train-x", "train-y"])
        let starts = log.events.filter(\.start).map(\.stage)
        XCTAssertEqual(starts.first, "a")
        XCTAssertEqual(Set(starts[1...2]), ["train-x", "train-y"], "\(starts)")
        XCTAssertEqual(Set(starts[3...]), ["short1", "short2"], "\(starts)")
    }
}
