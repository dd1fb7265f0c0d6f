import Foundation

/// A named run configuration, read from `configs/<name>.json` (docs/design.md, "Modules": presets as data).
///
/// A preset fixes everything a run depends on besides the data itself: the data source
/// (synthetic-twin size or the real dataset, optionally a patient subset), the model scale,
/// the training schedule, the number of folds and the seed. Its canonical JSON (sorted keys)
/// is hashed into every stage key, so changing any field invalidates exactly the stages
/// that read it.
public struct Preset: Codable, Sendable, Equatable {
    /// Where the CT images come from.
    public struct DataSource: Codable, Sendable, Equatable {
        /// The digital twin or COVID-CTset on disk at `realPath`.
        public var source: DataSourceKind
        /// Path of the real dataset's root folder, used when `source` is `.real`.
        public var realPath: String?
        /// Number of COVID patients the synthetic twin generates (the paper has 95).
        public var syntheticCovidPatients: Int
        /// Number of normal patients the synthetic twin generates (the paper has 282).
        public var syntheticNormalPatients: Int
        /// Side of the synthetic slices in pixels (the real slices are 512).
        public var syntheticImageSize: Int
        /// When set, only this many patients per class are used (a stated subset); nil = all.
        public var patientSubset: Int?
    }

    /// How large the networks are (§2.3; the paper uses 512 px, full width, 256 FPN features).
    public struct ModelScale: Codable, Sendable, Equatable {
        /// Input side in pixels (square images).
        public var inputSize: Int
        /// Multiplier on every backbone channel count; 1.0 is the published ResNet50V2.
        public var widthMultiplier: Double
        /// Channels of each feature-pyramid level.
        public var fpnFeatures: Int
        /// Batch normalisation momentum; nil (absent) = Keras's 0.99, the paper's.
        public var batchNormMomentum: Double?
    }

    /// Training schedule and augmentation (Table 3). Every field reaches training:
    /// `TrainStage.config(_:preset:)` reads the schedule and `augmentation` the ranges.
    public struct Training: Codable, Sendable, Equatable {
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Double
        /// How the rate moves over the run: "constant" (Table 3; also when absent) or "cosine"
        /// (`LearningRateSchedule`).
        public var learningRateSchedule: String?
        /// The optimizer; only `"Nadam"` is implemented (`Preset.Training.optimizers`).
        public var optimizer: String
        /// The loss; only `"categorical cross-entropy"` is implemented (`Preset.Training.losses`).
        public var loss: String
        /// Random horizontal and vertical flips.
        public var flips: Bool
        /// Zoom range as a fraction (0.05 = 5%), in `0..<1`.
        public var zoomRange: Double
        /// Rotation range in degrees (360 = any angle), in `0...360`.
        public var rotationDegrees: Double
        /// Width/height shift range as a fraction of the side, in `0..<1`.
        public var shiftRange: Double
        /// The slices a fold trains on: "labelled" (`all.csv`, the paper; also when absent) or
        /// "series-balanced" (`TrainingSlices`).
        public var slices: String?
    }

    /// The preset's name (`smoke`, `default`, `paper`); equals the file's base name.
    public var name: String
    /// One sentence saying what the preset is for and how long it takes.
    public var description: String
    /// The seed every stage's generator is derived from.
    public var seed: UInt64
    public var data: DataSource
    public var model: ModelScale
    public var training: Training
    /// Number of cross-validation folds (the paper uses 5).
    public var folds: Int
    /// At most this many test patients per fold and class are identified (Tables 5, 6); nil = all.
    public var identificationPatients: Int?
    /// Table 7's measurement: the slice counts to time and the timed runs per patient; nil =
    /// the paper's eight counts, median of three.
    public var timing: TimingSettings?
    /// Why each departure from the paper's Table 3 was made, with the measurement behind it
    /// (shown in Table 3's notes); nil or empty for the `paper` preset.
    public var deviations: [String]?

    /// Table 7's slice counts and repeats (see `TimingStage`).
    public struct TimingSettings: Codable, Equatable, Sendable {
        public var targets: [Int]
        public var repeats: Int
        public init(targets: [Int], repeats: Int) { self.targets = targets; self.repeats = repeats }
    }

    /// The canonical JSON of this preset: sorted keys, no whitespace. Stable across runs.
    public func canonicalJSON() -> Data {
        CanonicalJSON.encode(self)
    }
}

/// Errors reading presets.
public enum PresetError: Error, CustomStringConvertible {
    /// No `<name>.json` in the configs folder.
    case notFound(name: String, directory: String, available: [String])
    /// The file exists but is not a valid preset.
    case invalid(file: String, reason: String)
    /// A field holds a value this program does not implement or accept.
    case invalidField(file: String, field: String, value: String, accepted: String)

    public var description: String {
        switch self {
        case let .notFound(name, directory, available):
            return "no preset '\(name)' in \(directory) (available: \(available.joined(separator: ", ")))"
        case let .invalid(file, reason):
            return "\(file): not a valid preset: \(reason)"
        case let .invalidField(file, field, value, accepted):
            return "\(file): not a valid preset: \(field) is \(value); accepted: \(accepted)"
        }
    }
}

extension Preset {
    /// Reads `<directory>/<name>.json`.
    /// - Throws: `PresetError.notFound` or `PresetError.invalid`.
    /// The presets shipped with the program (the package's copy of the repository's `configs/`).
    public static var bundledDirectory: URL? { Bundle.module.url(forResource: "presets", withExtension: nil) }

    public static func load(name: String, directory: URL) throws -> Preset {
        let file = directory.appendingPathComponent("\(name).json")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw PresetError.notFound(
                name: name, directory: directory.path,
                available: (try? names(in: directory)) ?? [])
        }
        do {
            let preset = try JSONDecoder().decode(Preset.self, from: Data(contentsOf: file))
            guard preset.name == name else {
                throw PresetError.invalid(file: file.path, reason: "name '\(preset.name)' differs from file name")
            }
            try preset.validate(file: file.path)
            return preset
        } catch let error as PresetError {
            throw error
        } catch {
            throw PresetError.invalid(file: file.path, reason: "\(error)")
        }
    }

    /// The preset names in `directory` (base names of `*.json`), sorted.
    public static func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }
            .sorted()
    }

    /// Every preset in `directory`, sorted by name.
    public static func loadAll(directory: URL) throws -> [Preset] {
        try names(in: directory).map { try load(name: $0, directory: directory) }
    }
}

/// Where a run's CT images come from (`"synthetic"` or `"real"` in a preset's JSON).
public enum DataSourceKind: String, Codable, Sendable, Equatable {
    /// The synthetic digital twin, generated by the `twin` stage.
    case synthetic
    /// COVID-CTset in its raw layout on disk.
    case real
}
