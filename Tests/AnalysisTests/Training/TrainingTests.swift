import Foundation
import NeuralNet
import XCTest

@testable import Analysis

final class TrainingTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("training") }
    override func tearDown() { dir.remove() }

    // MARK: - A tiny dataset in the raw layout

    /// `covidPatients` + `normalPatients` patients with `perPatient` 72×72 slices each, in
    /// `<root>/<batch>/<patientN>/SR_2/IM0000k.tif`, and an `all.csv` labelling all of them.
    /// COVID slices carry a bright disc, normal slices are darker noise.
    func makeDataset(covidPatients: Int = 2, normalPatients: Int = 2, perPatient: Int = 3, size: Int = 72) throws -> Dataset {
        var rng = RNG(seed: 99)
        var csv = "filename,class\n"
        var patient = 1
        for (batch, count) in [("137covid", covidPatients), ("normal1", normalPatients)] {
            for _ in 0..<count {
                for k in 1...perPatient {
                    let covid = batch.contains("covid")
                    var px = [UInt16](repeating: 0, count: size * size)
                    for y in 0..<size {
                        for x in 0..<size {
                            let d = hypot(Double(x - size / 2), Double(y - size / 3))
                            let base = covid && d < Double(size) / 5 ? 1800.0 : 400.0
                            px[y * size + x] = UInt16(base + 200 * rng.uniform())
                        }
                    }
                    let rel = "\(batch)/patient\(patient)/SR_2/IM0000\(k).tif"
                    let url = dir.url.appendingPathComponent(rel)
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try TIFFWriter.write(TIFFImage(width: size, height: size, uint16: px), to: url.path)
                    csv += "\(batch)_patient\(patient)_SR_2_IM0000\(k).tif,\(covid ? "covid" : "normal")\n"
                }
                patient += 1
            }
        }
        try csv.write(to: dir.url.appendingPathComponent("all.csv"), atomically: true, encoding: .utf8)
        return try DatasetReader.read(root: dir.url.path)
    }

    /// conv(3×3, stride 2) → BN → ReLU → GAP → Dropout(0.5) → Dense(2): small enough for debug builds.
    func tinyGraph(size: Int = 72, seed: UInt64 = 4) -> Graph {
        let g = Graph(seed: seed)
        let x = g.input("input_1", shape: [size, size, 1])
        var h = g.add(Conv2D("conv", filters: 4, kernelSize: 3, strides: 4, padding: .same), x)
        h = g.add(BatchNormalization("bn"), h)
        h = g.add(ReLU("relu"), h)
        h = g.add(GlobalAveragePooling2D("gap"), h)
        h = g.add(Dropout("dropout", rate: 0.5, seed: seed &+ 1), h)
        g.outputs = [g.add(Dense("dense", units: 2), h)]
        return g
    }

    /// The FPN at its smallest scale, freshly initialised.
    func fpn(_ cfg: TrainingConfig) -> Graph { try! cfg.model.build(scale: cfg.scale, seed: 4) }

    func config(epochs: Int, batch: Int = 4) -> TrainingConfig {
        TrainingConfig(
            model: .resnet50v2FPN, scale: ModelScale(inputSize: 72, widthMultiplier: 0.0625, fpnFeatures: 4),
            epochs: epochs, batchSize: batch, learningRate: 1e-2, seed: 11, evaluationBatchSize: 5)
    }

    func sets(_ data: Dataset, preparation: InputPreparation) throws -> (ImageSet, ImageSet) {
        let ids = data.patients.map(\.id)
        let train = try ImageSet.load(try ImageSet.records(dataset: data, patients: ids), preparation: preparation)
        let val = try ImageSet.load(try ImageSet.records(dataset: data, patients: [ids[0], ids.last!]), preparation: preparation)
        return (train, val)
    }

    func weights(_ url: URL) throws -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: url).tensors.map { ($0.0, $0.1.data) })
    }

    // MARK: - Data

    func testImageSetRecordsLabelsAndBatches() throws {
        let data = try makeDataset()
        let records = try ImageSet.records(dataset: data, patients: ["patient1", "patient3"])
        XCTAssertEqual(records.map(\.label), [.covid, .covid, .covid, .normal, .normal, .normal])
        XCTAssertTrue(records[0].path.hasSuffix("137covid/patient1/SR_2/IM00001.tif"), records[0].path)
        let set = try ImageSet.load(records, preparation: InputPreparation(size: 72))
        // Raw input: the stored 16-bit values, unscaled.
        let stored = try TIFFReader.read(records[4].path).float32
        XCTAssertEqual(Array(set.pixels[(4 * 72 * 72)..<(5 * 72 * 72)]), stored)
        let (x, y) = set.batch([4, 0])
        XCTAssertEqual(x.shape, [2, 72, 72, 1]); XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.data, [0, 1, 1, 0])  // normal = [0, 1], COVID = [1, 0]: COVID is class 0
        XCTAssertEqual(ClassEncoding.label(ofIndex: 0), .covid)
        // Shuffles: a seeded permutation per epoch; the last partial batch is kept.
        let o = BatchSchedule.order(count: 31, seed: 2, epoch: 0)
        XCTAssertEqual(o.sorted(), Array(0..<31))
        XCTAssertEqual(o, BatchSchedule.order(count: 31, seed: 2, epoch: 0))
        XCTAssertNotEqual(o, BatchSchedule.order(count: 31, seed: 2, epoch: 1))
        XCTAssertEqual(BatchSchedule.batches(o, batchSize: 14).map(\.count), [14, 14, 3])
        // Augmented batches regenerate bit for bit.
        let a1 = set.batch([1, 2], augmentation: .paper, seed: 3, epoch: 5).images
        XCTAssertEqual(a1, set.batch([1, 2], augmentation: .paper, seed: 3, epoch: 5).images)
        XCTAssertNotEqual(a1, set.batch([1, 2]).images)
        XCTAssertThrowsError(
            try ImageSet.records(
                dataset: Dataset(
                    root: data.root, layout: data.layout, patients: [],
                    labelled: data.labelled, notes: []), patients: ["patient1"]))
    }

    /// The config's schedule sets the rate of every step: after a cosine run the optimizer holds
    /// the last step's rate, and the weights differ from a constant-rate run's.
    func testTheScheduleSetsEveryStepsRate() throws {
        let set = FoldTraining.syntheticSet(count: 8, size: 72, seed: 3)
        var cosine = config(epochs: 2)
        cosine.learningRateSchedule = .cosine
        let a = Trainer(config: cosine, graph: tinyGraph())
        _ = try a.train(training: set, validation: set, outputDirectory: dir.url.appendingPathComponent("cosine"))
        XCTAssertEqual(
            a.optimizer.learningRate,
            cosine.learningRate * LearningRateSchedule.cosine.factor(epoch: 1, batch: 1, epochs: 2, batchesPerEpoch: 2),
            accuracy: 1e-15)
        let b = Trainer(config: config(epochs: 2), graph: tinyGraph())
        _ = try b.train(training: set, validation: set, outputDirectory: dir.url.appendingPathComponent("constant"))
        XCTAssertEqual(b.optimizer.learningRate, config(epochs: 2).learningRate)
        XCTAssertNotEqual(a.graph.trainableParameters.first?.value.data, b.graph.trainableParameters.first?.value.data)
    }

    func testUnreadableImagesAndEmptySetsThrow() throws {
        let bad = dir.url.appendingPathComponent("bad.tif")
        try Data("not a tiff".utf8).write(to: bad)
        let rec = ImageRecord(key: SliceKey(patientID: "p", series: "SR_2", imageNumber: 1), path: bad.path, label: .covid)
        XCTAssertThrowsError(try ImageSet.load([rec], preparation: InputPreparation(size: 8)))
        let set = FoldTraining.syntheticSet(count: 3, size: 72, seed: 1)
        let empty = ImageSet(records: [], size: 72, pixels: [])
        let trainer = Trainer(config: config(epochs: 1), graph: tinyGraph())
        XCTAssertThrowsError(try trainer.train(training: set, validation: empty, outputDirectory: dir.url)) {
            XCTAssertEqual($0 as? TrainingDataError, .emptySet(name: "validation set", reason: "no labelled images"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path(Trainer.lastFileName)))
    }

    func testInputScalingAndResize() {
        let img: [Float] = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]  // 4×4
        XCTAssertEqual(InputPreparation(size: 4).prepare(img, width: 4, height: 4), img)
        XCTAssertEqual(InputPreparation(size: 2).prepare(img, width: 4, height: 4), [5, 9, 21, 25])  // 2×2 box means
        XCTAssertEqual(InputPreparation(size: 4, scaling: .perImageMax).prepare(img, width: 4, height: 4).max(), 1)
        XCTAssertEqual(InputPreparation(size: 4, scaling: .fixed).prepare(img, width: 4, height: 4)[15], 30 / 65535)
        // 3 → 2 by area: output 0 covers input [0, 1.5): (a + b/2)/1.5.
        let three = InputPreparation.resample([0, 3, 6], width: 3, height: 1, to: 2, 1, method: .area)
        XCTAssertEqual(three[0], 1, accuracy: 1e-6); XCTAssertEqual(three[1], 5, accuracy: 1e-6)
        // Bilinear with half-pixel centres: 2 → 4 gives [a, a+¼(b−a), b−¼(b−a), b].
        XCTAssertEqual(InputPreparation.resample([0, 8], width: 2, height: 1, to: 4, 1, method: .bilinear), [0, 2, 6, 8])
    }

    // MARK: - Training loop

    func testTwoEpochsWriteHistoryAndBestCheckpointReloads() throws {
        let data = try makeDataset()
        let cfg = config(epochs: 2)
        let (train, val) = try sets(data, preparation: cfg.preparation)
        let g = try cfg.model.build(scale: cfg.scale, seed: 4)  // the FPN at its smallest
        let before = g.parameters.map(\.value)
        var calls = 0
        let out = try Trainer(config: cfg, graph: g).train(
            training: train, validation: val, outputDirectory: dir.url.appendingPathComponent("run"),
            progress: { p in
                calls += 1; XCTAssertLessThanOrEqual(p.images, p.imagesInEpoch)
            })
        XCTAssertTrue(out.completed)
        XCTAssertEqual(calls, 2 * 3)  // 12 images in batches of 4, two epochs
        XCTAssertNotEqual(g.parameters.map(\.value), before)
        let history = try TrainingHistory.read(from: out.historyFile)
        XCTAssertEqual(history.records.map(\.epoch), [1, 2])
        XCTAssertEqual(history.records[0].isBest, true)
        XCTAssertEqual(history, out.history)
        for r in history.records {
            XCTAssertTrue(r.trainLoss.isFinite && r.validationLoss.isFinite)
            XCTAssertTrue((0...1).contains(r.validationAccuracy) && (0...1).contains(r.trainAccuracy))
            XCTAssertEqual(r.trainImages, 12); XCTAssertEqual(r.validationImages, 6)
        }
        // The best checkpoint reloads to the weights it saved, and reproduces its validation accuracy.
        let best = history.bestEpoch!
        let saved = try weights(out.bestWeights)
        let fresh = try cfg.model.build(scale: cfg.scale, seed: 77)
        try fresh.loadWeights(from: out.bestWeights)
        for p in fresh.parameters { XCTAssertEqual(p.value.data, saved[p.name], p.name) }
        let acc = Trainer(config: cfg, graph: fresh).evaluate(val).accuracy
        XCTAssertEqual(acc, history.records[best - 1].validationAccuracy)
        if best == 2 { for p in g.parameters { XCTAssertEqual(p.value.data, saved[p.name], p.name) } }
    }

    func testResumeAfterInterruptionIsBitIdentical() throws {
        let data = try makeDataset()
        let cfg = config(epochs: 3)
        let (train, val) = try sets(data, preparation: cfg.preparation)
        let straight = dir.url.appendingPathComponent("straight"), resumed = dir.url.appendingPathComponent("resumed")
        XCTAssertTrue(
            try Trainer(config: cfg, graph: fpn(cfg)).train(training: train, validation: val, outputDirectory: straight).completed)

        // Stop after epoch 1 and one batch of epoch 2 (as a kill would), then rerun twice more.
        var batches = 0
        let first = try Trainer(config: cfg, graph: fpn(cfg)).train(
            training: train, validation: val, outputDirectory: resumed,
            progress: { _ in batches += 1 }, shouldStop: { batches == 4 })
        XCTAssertFalse(first.completed)
        XCTAssertEqual(first.history.records.count, 1)
        var lastBatch = false  // finish epoch 2, then stop
        let second = try Trainer(config: cfg, graph: fpn(cfg)).train(
            training: train, validation: val, outputDirectory: resumed,
            progress: { lastBatch = $0.batch == $0.batches },
            shouldStop: { lastBatch })
        XCTAssertEqual(second.resumedAfterEpoch, 1); XCTAssertFalse(second.completed)
        let third = try Trainer(config: cfg, graph: fpn(cfg)).train(training: train, validation: val, outputDirectory: resumed)
        XCTAssertTrue(third.completed); XCTAssertEqual(third.resumedAfterEpoch, 2)

        let a = try weights(straight.appendingPathComponent(Trainer.lastFileName))
        let b = try weights(resumed.appendingPathComponent(Trainer.lastFileName))
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        XCTAssertTrue(a.keys.contains { $0.hasPrefix("optimizer/") })
        let differing = a.keys.sorted().filter { a[$0] != b[$0] }
        XCTAssertEqual(differing, [], "\(differing.count) of \(a.count) tensors differ after resuming")
        XCTAssertTrue(
            try weights(straight.appendingPathComponent(Trainer.bestFileName))
                == weights(resumed.appendingPathComponent(Trainer.bestFileName)), "best checkpoints differ")
        let h1 = try TrainingHistory.read(from: straight.appendingPathComponent(Trainer.historyFileName))
        let h2 = try TrainingHistory.read(from: resumed.appendingPathComponent(Trainer.historyFileName))
        XCTAssertEqual(h1.records.map(\.trainLoss), h2.records.map(\.trainLoss))
        XCTAssertEqual(h1.records.map(\.validationAccuracy), h2.records.map(\.validationAccuracy))

        // A different configuration does not resume from these files.
        var other = cfg; other.learningRate = 1e-3
        XCTAssertThrowsError(try Trainer(config: other, graph: fpn(cfg)).train(training: train, validation: val, outputDirectory: resumed))
        {
            guard case TrainingError.checkpointMismatch = $0 else { return XCTFail("\($0)") }
        }
    }

    func testTinyFPNTrainsOneStepAndLossFalls() throws {
        // The paper's model at its smallest: one batch, several Nadam steps on the same images.
        let data = try makeDataset(covidPatients: 1, normalPatients: 1, perPatient: 2)
        let cfg = TrainingConfig(
            model: .resnet50v2FPN, scale: ModelScale(inputSize: 72, widthMultiplier: 0.0625, fpnFeatures: 4),
            epochs: 1, batchSize: 4, learningRate: 1e-3, seed: 1, inputScaling: .fixed)
        let (train, _) = try sets(data, preparation: cfg.preparation)
        let trainer = Trainer(config: cfg, graph: try cfg.model.build(scale: cfg.scale, seed: 3))
        let (x, y) = train.batch(Array(0..<train.count))
        var losses: [Double] = []
        for _ in 0..<4 { losses.append(trainer.step(x, y).loss) }
        XCTAssertTrue(losses.allSatisfy(\.isFinite), "\(losses)")
        XCTAssertLessThan(losses.last!, losses.first!, "\(losses)")
    }
}
