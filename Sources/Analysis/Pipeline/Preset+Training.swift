import Foundation

// MARK: - The preset's training block as training uses it

extension Preset.Training {
    /// The optimizers training implements (`NeuralNet.Nadam`; Table 3).
    public static let optimizers = ["Nadam"]
    /// The losses training implements (`Graph.trainStep`'s softmax cross-entropy; Table 3).
    public static let losses = ["categorical cross-entropy"]
    /// Accepted zoom and shift ranges (fractions of the side), and rotation ranges (degrees).
    public static let zoomRanges = 0.0..<1.0
    public static let shiftRanges = 0.0..<1.0
    public static let rotationRanges = 0.0...360.0

    /// The augmentation training draws from (§2.4, Table 3): the one mapping from a preset to
    /// `AugmentationParameters`. `flips` sets both the horizontal and the vertical flip,
    /// `shiftRange` both the width and the height shift fraction, `rotationDegrees` the rotation
    /// range and `zoomRange` the zoom range; the shear is not in the preset and stays the
    /// authors' ±0.05° (`AugmentationParameters.paper`). The paper's block maps to `.paper`.
    public var augmentation: AugmentationParameters {
        AugmentationParameters(
            rotationRangeDegrees: rotationDegrees, widthShiftFraction: shiftRange,
            heightShiftFraction: shiftRange, shearRangeDegrees: AugmentationParameters.paper.shearRangeDegrees,
            zoomRange: zoomRange, horizontalFlip: flips, verticalFlip: flips)
    }

    /// Checks that training can run this block as written.
    /// - Parameter file: the preset file, named in the error.
    /// - Throws: `PresetError.invalidField` naming the first bad field (`training.optimizer`,
    ///   `training.loss`, `training.learningRateSchedule`, `training.zoomRange`, `training.shiftRange`, `training.rotationDegrees`),
    ///   its value and the accepted values. NaN is outside every range.
    public func validate(file: String) throws {
        func reject(_ field: String, _ value: String, _ accepted: String) -> PresetError {
            .invalidField(file: file, field: "training." + field, value: value, accepted: accepted)
        }
        func quoted(_ names: [String]) -> String { names.map { "\"\($0)\"" }.joined(separator: ", ") }
        guard Self.optimizers.contains(optimizer) else {
            throw reject("optimizer", "\"\(optimizer)\"", quoted(Self.optimizers) + " (the only one implemented)")
        }
        guard Self.losses.contains(loss) else {
            throw reject("loss", "\"\(loss)\"", quoted(Self.losses) + " (the only one implemented)")
        }
        guard Self.zoomRanges.contains(zoomRange) else {
            throw reject("zoomRange", "\(zoomRange)", "a fraction in [0, 1), e.g. 0.05 for 5%")
        }
        guard Self.shiftRanges.contains(shiftRange) else {
            throw reject("shiftRange", "\(shiftRange)", "a fraction of the side in [0, 1), e.g. 0.05 for 5%")
        }
        guard Self.rotationRanges.contains(rotationDegrees) else {
            throw reject("rotationDegrees", "\(rotationDegrees)", "degrees in [0, 360]")
        }
        if let learningRateSchedule, LearningRateSchedule(rawValue: learningRateSchedule) == nil {
            throw reject("learningRateSchedule", "\"\(learningRateSchedule)\"", quoted(LearningRateSchedule.allCases.map(\.rawValue)))
        }
        if let slices, TrainingSlices(rawValue: slices) == nil {
            throw reject("slices", "\"\(slices)\"", quoted(TrainingSlices.allCases.map(\.rawValue)))
        }
    }

    /// The slices training uses (`slices`, "labelled" when absent; `validate` rejects others).
    public var trainingSlices: TrainingSlices { slices.flatMap(TrainingSlices.init(rawValue:)) ?? .labelled }

    /// The learning-rate schedule (`learningRateSchedule`, "constant" when absent; `validate`
    /// rejects others).
    public var schedule: LearningRateSchedule {
        learningRateSchedule.flatMap(LearningRateSchedule.init(rawValue:)) ?? .constant
    }
}

extension Preset {
    /// Checks the fields training reads (`Preset.Training.validate(file:)`); `Preset.load` calls
    /// it on every preset it reads.
    /// - Throws: `PresetError.invalidField` naming `file`, the field and the accepted values.
    public func validate(file: String) throws {
        try training.validate(file: file)
        if let m = model.batchNormMomentum, !(m > 0 && m < 1) {
            throw PresetError.invalidField(
                file: file, field: "model.batchNormMomentum", value: "\(m)",
                accepted: "a number in (0, 1), e.g. 0.99 (Keras's default), or absent")
        }
        if let subset = data.patientSubset, subset < 1 {
            throw PresetError.invalidField(
                file: file, field: "data.patientSubset", value: "\(subset)",
                accepted: "a number of patients per class of at least 1, or null for all")
        }
    }
}
