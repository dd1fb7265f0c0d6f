import Foundation
import NeuralNet

/// Classifies slice files with a trained network, streaming: files are read, prepared and
/// classified `batchSize` at a time, so a patient's slices are never all in memory at once.
///
/// Reading uses both cores (one file per task); the network runs in inference mode.
public struct SliceClassifier {
    public let graph: Graph
    public let preparation: InputPreparation
    public let batchSize: Int

    public init(graph: Graph, preparation: InputPreparation, batchSize: Int) {
        precondition(batchSize > 0, "batch size must be positive")
        self.graph = graph
        self.preparation = preparation
        self.batchSize = batchSize
    }

    /// Seconds spent reading and preparing files, and in the network, since creation.
    public final class Timing: @unchecked Sendable {
        public var readSeconds = 0.0
        public var classifySeconds = 0.0
        public init() {}
    }

    /// P(COVID) of every file in `paths`, in order.
    /// - Throws: `TIFFError` naming the first file that cannot be read.
    public func classify(_ paths: [String], timing: Timing? = nil) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(paths.count)
        let n = preparation.size * preparation.size
        var start = 0
        while start < paths.count {
            let chunk = Array(paths[start..<min(start + batchSize, paths.count)])
            let t0 = DispatchTime.now().uptimeNanoseconds
            var pixels = [Float](repeating: 0, count: chunk.count * n)
            let errors = ErrorBox()
            let prep = preparation
            pixels.withUnsafeMutableBufferPointer { buf in
                let base = buf.baseAddress!
                Parallel.run(workers: chunk.count) { k in
                    do {
                        let img = try prep.load(chunk[k])
                        (base + k * n).update(from: img, count: n)
                    } catch { errors.set(k, error) }
                }
            }
            if let e = errors.first { throw e }
            let t1 = DispatchTime.now().uptimeNanoseconds
            out += ClassEncoding.covidProbabilities(
                graph, Tensor(shape: [chunk.count, preparation.size, preparation.size, 1], data: pixels))
            let t2 = DispatchTime.now().uptimeNanoseconds
            timing?.readSeconds += Double(t1 - t0) / 1e9
            timing?.classifySeconds += Double(t2 - t1) / 1e9
            start += chunk.count
        }
        return out
    }
}
