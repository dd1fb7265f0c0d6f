/// The engine's tuning switches and block sizes, in one value.
///
/// None of them changes what a layer computes beyond float rounding: they choose between
/// equivalent kernels (fast paths, fusions) and fix block sizes. Block sizes depend only on
/// these values and the shapes, never on the thread count, so results stay bit-identical for
/// any number of threads. The defaults are the measured choices; tests and benchmarks change a
/// value for a comparison with `Engine.with(_:_:)`, which restores the previous options.
public struct EngineOptions: Sendable, Equatable {
    // MARK: Paths

    /// Inference uses the fast paths, equal to the plain ones up to float rounding: a pass
    /// that keeps no activations runs the fused plan of `Graph+InferencePlan`, and 3×3 stride-1
    /// convolutions run through `WinogradConvOp`. Off: every layer runs on its own with the
    /// training arithmetic (for comparisons).
    public var inferenceFastPaths = true
    /// A training pass runs a BatchNormalization whose only consumer is a ReLU together with it
    /// (`BatchNormalization.fusedReLUForward` / `fusedReLUBackward`): one pass over the tensor
    /// instead of two, forward and backward. Off: every layer on its own.
    public var trainingFusion = true
    /// Single-channel convolutions (the stem on a CT slice) run the direct loops of
    /// `Conv2DOp+SingleChannel` instead of im2col + GEMM.
    public var directSingleChannel = true
    /// Convolution backward passes run the blocked path of `Conv2DOp+Blocked` where it applies.
    public var blockedBackward = true
    /// Inference 3×3 stride-1 convolutions use Winograd only with at least this many input and
    /// output channels. Measured: ResNet50V2's 3×3 layers (64–512 channels) take about half the
    /// time of im2col; at 16–32 channels (width 0.125) the 16 thin GEMMs and the transforms take
    /// twice as long as im2col.
    public var winogradMinimumChannels = 64

    // MARK: Block sizes

    /// Upper bound (floats) of the im2col workspace of `Conv2DOp`, unless one image alone needs more.
    public var convolutionBlockBudget = 1 << 22
    /// Target rows of one fused convolution block. Measured on the ResNet50V2 3×3 shapes: ≈ 128
    /// rows keep a block's columns near L2 for the GEMM, while the kernel, which OpenBLAS packs
    /// once per call, is amortised over enough rows.
    public var targetBlockRows = 128
    /// Floats of im2col a fused block aims for when its patch is short: with few channels
    /// (`targetBlockRows` rows of a 3×3×8 patch are 9K floats) a block of `targetBlockRows` rows
    /// makes GEMMs too small to amortise their call, so such blocks take more rows.
    public var targetBlockFloats = 1 << 15
    /// Rows of `dy` that a blocked backward block aims for (fewer rows make the GEMMs too thin).
    public var backwardBlockRows = 512
    /// Largest partial kernel gradients (floats, all blocks together) the blocked backward path
    /// keeps; larger layers take the general path.
    public var blockedPartialBudget = 1 << 21
    /// Target floats of one output block of a pointwise inference convolution.
    public var pointwiseBlockFloats = 1 << 16
    /// Least and most rows of one block of a pointwise inference convolution.
    public var pointwiseBlockRowRange = (least: 128, most: 1024)
    /// Upper bound (floats) of one Winograd block's transformed input plus products (≈ 8 MiB).
    public var winogradBlockBudget = 1 << 21
    /// Winograd output tile 4 (F(4×4, 3×3)) when the layer has at least this many 4×4 tiles, so
    /// that the 36 GEMMs are tall enough; otherwise 2 (F(2×2, 3×3)).
    public var winogradLargeTileMinimum = 256
    /// Work (floats touched, or multiply-adds) below which `Parallel.forChunks` runs its chunks
    /// one after another on the calling thread: on tensors of a few hundred kilobytes a pass
    /// takes tens of microseconds, about what waking the other cores costs, and on a shared
    /// machine every parallel region risks waiting for a descheduled worker. The chunks are the
    /// same either way, so results do not change.
    public var minimumParallelWork = 1 << 18

    public init() {}

    public static func == (a: EngineOptions, b: EngineOptions) -> Bool {
        a.inferenceFastPaths == b.inferenceFastPaths && a.trainingFusion == b.trainingFusion
            && a.directSingleChannel == b.directSingleChannel && a.blockedBackward == b.blockedBackward
            && a.winogradMinimumChannels == b.winogradMinimumChannels && a.convolutionBlockBudget == b.convolutionBlockBudget
            && a.targetBlockRows == b.targetBlockRows && a.targetBlockFloats == b.targetBlockFloats
            && a.backwardBlockRows == b.backwardBlockRows && a.blockedPartialBudget == b.blockedPartialBudget
            && a.pointwiseBlockFloats == b.pointwiseBlockFloats && a.pointwiseBlockRowRange == b.pointwiseBlockRowRange
            && a.winogradBlockBudget == b.winogradBlockBudget && a.winogradLargeTileMinimum == b.winogradLargeTileMinimum
            && a.minimumParallelWork == b.minimumParallelWork
    }
}

/// The engine's process-wide execution settings: its options and (in `Parallel`) its thread
/// count. Kernels read `Engine.options`; nothing else in the engine is a global switch.
public enum Engine {
    /// The options every kernel reads. Set it before a computation, not during one.
    nonisolated(unsafe) public static var options = EngineOptions()

    /// Runs `body` with the options changed by `change`, then restores the previous options.
    @discardableResult
    public static func with<T>(_ change: (inout EngineOptions) -> Void, _ body: () throws -> T) rethrows -> T {
        let saved = options
        change(&options)
        defer { options = saved }
        return try body()
    }
}
