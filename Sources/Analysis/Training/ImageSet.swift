import Dispatch
import Foundation
import NeuralNet

/// The class order of the networks' two outputs: **COVID = 0, normal = 1**.
///
/// This is the order Keras's `flow_from_dataframe(class_mode='categorical')` gives the authors'
/// `class` column (classes sorted alphabetically: "covid" < "normal"). Softmax column 0 is the
/// COVID probability that `ConfusionCounts`, ROC and patient identification consume (COVID is
/// their positive class).
public enum ClassEncoding {
    public static let covidIndex = 0
    public static let normalIndex = 1
    public static let classCount = 2

    /// The output index of a class.
    public static func index(of label: ClassLabel) -> Int { label == .covid ? covidIndex : normalIndex }
    /// The class of an output index (argmax).
    public static func label(ofIndex i: Int) -> ClassLabel { i == covidIndex ? .covid : .normal }
    /// The one-hot target row of a class.
    public static func oneHot(_ label: ClassLabel) -> [Float] {
        var v = [Float](repeating: 0, count: classCount); v[index(of: label)] = 1; return v
    }

    /// P(COVID) of every image of the batch `x [N, H, W, 1]`: the classifier's softmax in
    /// inference mode, the COVID column. Every stage and command that classifies images goes
    /// through here (a slice is COVID when this is above `ClassDecision.threshold`).
    public static func covidProbabilities(_ graph: Graph, _ x: Tensor) -> [Double] {
        let p = graph.predict(x)
        return (0..<x.shape[0]).map { Double(p.data[$0 * classCount + covidIndex]) }
    }
}

/// A labelled image that can not be used for training, with the file and the reason.
public enum TrainingDataError: Error, Equatable, CustomStringConvertible {
    /// A labelled slice has no file in the dataset.
    case missingImage(file: String, reason: String)
    /// A set needed for training is empty.
    case emptySet(name: String, reason: String)

    public var description: String {
        switch self {
        case let .missingImage(f, r): return "\(f): \(r)"
        case let .emptySet(n, r): return "\(n): \(r)"
        }
    }
}

/// One labelled image of a set: where it is and what it is.
public struct ImageRecord: Codable, Equatable, Hashable, Sendable {
    public let key: SliceKey
    public let path: String
    public let label: ClassLabel
    public init(key: SliceKey, path: String, label: ClassLabel) { self.key = key; self.path = path; self.label = label }
}

/// Prepared images of one set (training or validation) held in memory at the model's input
/// size: `count` images of `size × size` values, back to back, with their labels.
/// At 96 px, 3,700 images take 136 MB.
public struct ImageSet: Sendable {
    public let records: [ImageRecord]
    public let size: Int
    /// `count·size·size` values, image `k` at `[k·size·size, (k+1)·size·size)`.
    public let pixels: [Float]

    public var count: Int { records.count }
    public var labels: [ClassLabel] { records.map(\.label) }

    /// Wraps already prepared pixels (e.g. synthetic images for a benchmark).
    public init(records: [ImageRecord], size: Int, pixels: [Float]) {
        precondition(pixels.count == records.count * size * size, "pixels do not match \(records.count) images of \(size)²")
        self.records = records; self.size = size; self.pixels = pixels
    }

    /// The labelled slices (§2.4: `all.csv`) of `patients`, in the dataset's labelled order,
    /// with their file paths. Throws `missingImage` for a labelled slice without a file.
    public static func records(dataset: Dataset, patients: [String]) throws -> [ImageRecord] {
        let wanted = Set(patients)
        var paths: [SliceKey: String] = [:]
        for p in dataset.patients where wanted.contains(p.id) {
            for s in p.series {
                for f in s.slices { paths[SliceKey(patientID: p.id, series: s.name, imageNumber: f.imageNumber)] = f.path }
            }
        }
        return try dataset.labelled.filter { wanted.contains($0.patientID) }.map { l in
            guard let path = paths[l.key] else {
                throw TrainingDataError.missingImage(file: l.filename, reason: "labelled in all.csv but not found under \(dataset.root)")
            }
            return ImageRecord(key: l.key, path: path, label: l.label)
        }
    }

    /// Reads and prepares every record's image, spreading the files over both cores.
    public static func load(_ records: [ImageRecord], preparation: InputPreparation) throws -> ImageSet {
        let n = preparation.size * preparation.size
        var pixels = [Float](repeating: 0, count: records.count * n)
        let errors = ErrorBox()
        pixels.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            Parallel.run(workers: records.count) { k in
                do {
                    let img = try preparation.load(records[k].path)
                    (base + k * n).update(from: img, count: n)
                } catch { errors.set(k, error) }
            }
        }
        if let e = errors.first { throw e }
        return ImageSet(records: records, size: preparation.size, pixels: pixels)
    }

    // MARK: - Batches

    /// The batch of images `indices` as an NHWC tensor `[B, size, size, 1]` and one-hot labels
    /// `[B, 2]`. With `augmentation`, image `indices[k]` is transformed by the sample drawn for
    /// (`seed`, `epoch`, `indices[k]`), so a batch is reproducible from those numbers alone.
    public func batch(
        _ indices: [Int], augmentation: AugmentationParameters? = nil, seed: UInt64 = 0,
        epoch: Int = 0
    ) -> (images: Tensor, labels: Tensor) {
        let n = size * size
        var raw = [Float](repeating: 0, count: indices.count * n)
        var labels = [Float](repeating: 0, count: indices.count * ClassEncoding.classCount)
        for (k, i) in indices.enumerated() {
            raw.replaceSubrange((k * n)..<((k + 1) * n), with: pixels[(i * n)..<((i + 1) * n)])
            labels[k * ClassEncoding.classCount + ClassEncoding.index(of: records[i].label)] = 1
        }
        if let augmentation {
            let samples = indices.map { augmentation.sample(seed: seed, epoch: epoch, index: $0, width: size, height: size) }
            raw = Augmentation.applyBatch(raw, width: size, height: size, samples: samples)
        }
        return (
            Tensor(shape: [indices.count, size, size, 1], data: raw),
            Tensor(shape: [indices.count, ClassEncoding.classCount], data: labels)
        )
    }
}

/// The order of the training images in each epoch: a seeded Fisher–Yates shuffle (its own
/// implementation, so it never changes with the standard library), cut into batches of
/// `batchSize`; the last, partial batch is kept (Keras's `flow` does the same).
public enum BatchSchedule {
    /// A permutation of `0..<count` for `epoch` (0-based) of a run seeded `seed`.
    public static func order(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = RNG(seed: TrainingSeeds.derive(seed, "shuffle", epoch))
        var a = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                a.swapAt(i, j)
            }
        }
        return a
    }

    /// `order` cut into consecutive batches of `batchSize` (the last may be smaller).
    public static func batches(_ order: [Int], batchSize: Int) -> [[Int]] {
        precondition(batchSize > 0, "batch size must be positive")
        return stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
    }
}

/// The first error raised by concurrent work, kept by lowest index (deterministic).
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (Int, Error)?
    func set(_ index: Int, _ e: Error) {
        lock.lock(); defer { lock.unlock() }
        if stored == nil || index < stored!.0 { stored = (index, e) }
    }
    var first: Error? { lock.lock(); defer { lock.unlock() }; return stored?.1 }
}
