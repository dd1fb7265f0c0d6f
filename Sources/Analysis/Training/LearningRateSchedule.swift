import Foundation

/// How the Nadam learning rate moves over a training run.
///
/// - `constant`: the configured rate on every step (Table 3; Keras's default).
/// - `cosine`: the configured rate multiplied by `(1 + cos(π·t/T)) / 2`, where `t` counts the
///   steps already taken and `T` is the run's number of steps (`epochs × batches per epoch`):
///   the full rate on the first step, falling smoothly towards zero on the last. A short run's
///   last epochs then move the weights little, so the epoch the checkpoint keeps is not one
///   caught mid-swing (the `default` preset's measurement is in its deviations).
///
/// The rate of a step is a pure function of (epoch, batch, epochs, batches), so a resumed run
/// takes the same steps as an uninterrupted one.
public enum LearningRateSchedule: String, Codable, CaseIterable, Sendable {
    case constant
    case cosine

    /// The multiplier on the configured rate for batch `batch` (0-based) of epoch `epoch`
    /// (0-based), in a run of `epochs` epochs of `batchesPerEpoch` batches each.
    public func factor(epoch: Int, batch: Int, epochs: Int, batchesPerEpoch: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case .cosine:
            let total = max(epochs * batchesPerEpoch, 1)
            let t = min(max(epoch * batchesPerEpoch + batch, 0), total)
            return 0.5 * (1 + Foundation.cos(Double.pi * Double(t) / Double(total)))
        }
    }
}
