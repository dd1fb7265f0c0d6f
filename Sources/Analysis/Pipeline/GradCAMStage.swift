import AtomicFiles
import Foundation
import NeuralNet

/// The `gradcam` stage (§3.3, Fig. 12): Grad-CAM maps of fold 1's chosen networks on fold 1's
/// test images, and on the twin a localisation score of each map against the lesion mask.
///
/// Images are chosen deterministically: the expert-labelled test slices of fold 1 sorted by
/// key; for the figure, `figureImages` COVID slices, each the largest lesion of a different
/// patient, the patients with the largest lesions first (when masks exist,
/// else evenly spaced) and `figureImages` normal slices evenly spaced; for the scores, up to
/// `scoredImages` COVID slices with a lesion, evenly spaced. Maps explain the COVID class for
/// the scores and the predicted class for the figure, at each model's default layer.
///
/// Outputs `gradcam.json` (`GradCAMStage.Output`: per map the model, slice, class, layer,
/// probability, peak, and the score when a mask exists) and `maps.safetensors` (every map,
/// `[H, W]` in [0, 1], named `<model>/<index>`, with the seed and layers as metadata).
public enum GradCAMStage: Stage {
    public static let name = "gradcam"
    public static let file = "gradcam.json"
    public static let mapsFile = "maps.safetensors"
    public static let figureImages = 4
    public static let scoredImages = 40

    public struct MapRecord: Codable, Equatable, Sendable {
        public let model: ModelKind
        public let key: SliceKey
        public let truth: ClassLabel
        /// True when the map is one of the figure's; false for scored-only maps.
        public let inFigure: Bool
        public let classIndex: Int
        public let layer: String
        public let probability: Double
        public let peak: Double
        public let score: LocalisationScore?
        /// Name of the map in `maps.safetensors`.
        public let tensor: String
        /// How the map weighs the activations; nil for Grad-CAM, the paper's.
        public var method: GradCAM.Method? = nil

        /// The method, Grad-CAM when not recorded.
        public var mapMethod: GradCAM.Method { method ?? .gradCAM }
    }

    public struct Output: Codable, Equatable, Sendable {
        public let fold: Int
        public let size: Int
        public let seed: UInt64
        public let maps: [MapRecord]
    }

    /// The lesion mask of a twin slice resized to `size` (area average ≥ 0.5), or nil.
    public static func lesionMask(for path: String, size: Int) throws -> [Bool]? {
        let url = URL(fileURLWithPath: path)
        let maskPath = url.deletingLastPathComponent().appendingPathComponent("lesion_masks")
            .appendingPathComponent(url.lastPathComponent).path
        guard FileManager.default.fileExists(atPath: maskPath) else { return nil }
        let image = try TIFFReader.read(maskPath)
        let binary = image.float32.map { $0 > 0 ? Float(1) : 0 }
        let resized =
            (image.width == size && image.height == size)
            ? binary
            : InputPreparation.resample(binary, width: image.width, height: image.height, to: size, size, method: .area)
        return resized.map { $0 >= 0.5 }
    }

    static func spaced<T>(_ items: [T], _ n: Int) -> [T] {
        guard items.count > n, n > 0 else { return items }
        return (0..<n).map { items[$0 * (items.count - 1) / max(n - 1, 1)] }
    }

    /// How many maps, at which layers, scored how; the seed recorded with the maps. The
    /// networks and their input size are the ones the trainings recorded.
    public struct Config: Codable, Sendable, Equatable {
        var format = 7
        public var methods = GradCAM.Method.allCases.map(\.rawValue)
        public var figure = GradCAMStage.figureImages
        public var scored = GradCAMStage.scoredImages
        public var layers = ModelKind.allCases.map { GradCAM.defaultLayer($0) }
        public var fpnFallback = "\(GradCAM.fpnFallbackLayer) below \(GradCAM.minimumSide)"
        public var pointingTolerance = LocalisationScore.pointingTolerance
        public var seed: UInt64
    }

    public static func definition(preset: Preset) -> StageDefinition {
        StageDefinition(
            GradCAMStage.self, upstream: [IndexStage.name, FoldsStage.name, TrainStage.name], config: Config(seed: preset.seed))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        guard let fold = plan.folds.first else { throw PipelineError.stageFailed(stage: name, reason: "no folds") }
        let trained = try TrainStage.read(from: context.upstream(TrainStage.name))
        let size = try trained.require(ModelKind.allCases[0], fold: fold.index).preparation.size
        let records = try ImageSet.records(dataset: dataset, patients: fold.testPatients).sorted { $0.key < $1.key }
        let covid = records.filter { $0.label == .covid }, normal = records.filter { $0.label == .normal }
        // Lesion area per COVID slice (masks exist only on the twin).
        var lesion: [(ImageRecord, [Bool])] = []
        for r in covid {
            if let m = try lesionMask(for: r.path, size: size), m.contains(true) { lesion.append((r, m)) }
        }
        // The figure's COVID slices: each patient's largest lesion, the patients with the largest.
        var largest: [String: (ImageRecord, Int)] = [:]
        for (r, m) in lesion {
            let area = m.filter { $0 }.count
            if let best = largest[r.key.patientID], (best.1, r.key) >= (area, best.0.key) { continue }
            largest[r.key.patientID] = (r, area)
        }
        let figureCovid: [ImageRecord] =
            lesion.isEmpty
            ? spaced(covid, config.figure)
            : Array(largest.values.sorted { ($0.1, $1.0.key) > ($1.1, $0.0.key) }.prefix(config.figure).map(\.0)).sorted {
                $0.key < $1.key
            }
        let figure = figureCovid + spaced(normal, config.figure)
        let scored = spaced(lesion, config.scored)
        let masks = Dictionary(lesion.map { ($0.0.key, $0.1) }, uniquingKeysWith: { a, _ in a })
        var maps: [MapRecord] = [], tensors: [(String, Tensor)] = []
        // The paper's Grad-CAM for the figure and the scores, then HiResCAM for the scores (after
        // every Grad-CAM map, so those keep their names). Methods not in the configuration are
        // not computed.
        let methods = config.methods.compactMap(GradCAM.Method.init(rawValue:))
        for method in methods {
            for model in ModelKind.allCases {
                let training = try trained.require(model, fold: fold.index)
                guard training.preparation.size == size else {
                    throw PipelineError.stageFailed(stage: name, reason: "the networks were trained at different input sizes")
                }
                let graph = try TrainStage.bestModel(training, fold: fold.index, from: trained.directory)
                let layer = GradCAM.layer(for: model, in: graph)
                let scoredJobs = scored.map { ($0.0, false, ClassEncoding.covidIndex as Int?) }
                let jobs = method == .gradCAM ? figure.map { ($0, true, nil as Int?) } + scoredJobs : scoredJobs
                for (record, inFigure, classIndex) in jobs {
                    let pixels = try training.preparation.load(record.path)
                    var raw = training.preparation; raw.scaling = .raw
                    let body =
                        masks[record.key] == nil
                        ? nil
                        : LocalisationScore.outsideBody(stored: try raw.load(record.path), width: size, height: size)
                    let map = GradCAM.compute(
                        graph: graph, image: Tensor(shape: [1, size, size, 1], data: pixels),
                        layer: layer, classIndex: classIndex, method: method)
                    let tensorName = "\(model.rawValue)/\(maps.count)"
                    tensors.append((tensorName, Tensor(shape: [size, size], data: map.heat)))
                    var entry = MapRecord(
                        model: model, key: record.key, truth: record.label, inFigure: inFigure,
                        classIndex: map.classIndex, layer: layer, probability: Double(map.probability),
                        peak: Double(map.peak),
                        score: masks[record.key].map { LocalisationScore(map: map, mask: $0, outsideBody: body) },
                        tensor: tensorName)
                    if method != .gradCAM { entry.method = method }
                    maps.append(entry)
                }
            }
        }
        try AtomicFile.write(
            CanonicalJSON.encodePretty(Output(fold: fold.index, size: size, seed: config.seed, maps: maps)),
            to: context.outputDirectory.appendingPathComponent(file))
        try SafeTensors.write(
            tensors,
            metadata: [
                "seed": "\(config.seed)", "fold": "\(fold.index)",
                "layers": Array(Set(maps.map { "\($0.model.rawValue)=\($0.layer)" })).sorted().joined(separator: ",")
            ],
            to: context.outputDirectory.appendingPathComponent(mapsFile))
    }

    public static func read(from directory: URL) throws -> Output {
        try IndexStage.read(Output.self, directory.appendingPathComponent(file))
    }

    /// The maps of `output`, by tensor name.
    public static func readMaps(from directory: URL) throws -> [String: [Float]] {
        let (tensors, _) = try SafeTensors.read(from: directory.appendingPathComponent(mapsFile))
        return Dictionary(tensors.map { ($0.0, $0.1.data) }, uniquingKeysWith: { a, _ in a })
    }
}
