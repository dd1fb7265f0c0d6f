import CBLAS
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Work splitting for the engine's kernels, deterministic by construction.
///
/// Work is always split into **fixed-size chunks that do not depend on the thread count**;
/// chunks run on up to `threads` cores (`DispatchQueue.concurrentPerform`). A reduction keeps
/// one partial result per chunk and combines the partials in chunk order, so results are
/// bit-identical for any thread count.
public enum Parallel {
    nonisolated(unsafe) private static var _threads = defaultThreads()
    /// OpenBLAS itself always runs single-threaded: its own splitting changes results with the
    /// thread count. `sgemm` below splits large products into fixed blocks instead.
    static let blasSingleThreaded: Void = {
        openblas_set_num_threads(1)
        #if canImport(Glibc)
        // Keep large freed blocks in the heap instead of returning them to the kernel: a training
        // step frees and reallocates the same activation sizes every step, and fresh mmap'd pages
        // cost a page fault each. (Process-wide glibc setting; peak memory is unchanged.)
        _ = glibcMallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD (malloc.h)
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD (malloc.h)
        #endif
    }()

    /// Number of cores used by element-wise kernels and by OpenBLAS. Starts at
    /// `defaultThreads()`; the command line's `--threads` sets it.
    public static var threads: Int { _threads }

    /// The thread count to use when none is given: `SLURM_CPUS_PER_TASK` when the environment
    /// sets it to a positive integer (the cores a Slurm job was granted win, even over a larger
    /// machine), otherwise the cores available to the process.
    /// - Parameters:
    ///   - environment: the process environment (a test passes its own dictionary).
    ///   - availableCores: the active processor count; values below 1 count as 1.
    /// - Returns: at least 1.
    public static func defaultThreads(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        availableCores: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> Int {
        if let text = environment["SLURM_CPUS_PER_TASK"]?.trimmingCharacters(in: .whitespaces),
            let slurm = Int(text), slurm >= 1
        {
            return slurm
        }
        return max(availableCores, 1)
    }

    /// Sets the number of cores for the engine's kernels, GEMMs included (≥ 1).
    public static func setThreads(_ n: Int) {
        precondition(n >= 1, "thread count must be ≥ 1")
        _threads = n
    }

    /// Number of chunks of size `chunk` covering `count` items.
    @inline(__always)
    public static func chunkCount(_ count: Int, chunk: Int) -> Int { (count + chunk - 1) / chunk }

    /// Calls `body(chunkIndex, range)` once for every fixed chunk `[i·chunk, min((i+1)·chunk, count))`.
    /// Chunks may run concurrently; `body` must only write memory owned by its chunk. With `work`
    /// (e.g. the floats the whole loop touches) below `minimumParallelWork`, the chunks run serially.
    public static func forChunks(_ count: Int, chunk: Int, work: Int = .max, _ body: (Int, Range<Int>) -> Void) {
        precondition(chunk > 0)
        let n = chunkCount(count, chunk: chunk)
        if n == 0 { return }
        if n == 1 || _threads == 1 || work < Engine.options.minimumParallelWork {
            for i in 0..<n { body(i, (i * chunk)..<min((i + 1) * chunk, count)) }
            return
        }
        run(workers: n) { i in body(i, (i * chunk)..<min((i + 1) * chunk, count)) }
    }

    /// Calls `work(w)` for every worker index `w` in `0..<workers`, concurrently when there is
    /// more than one. Each call must only write memory owned by its worker — the kernels' own
    /// discipline, which the compiler cannot check on raw pointers, hence the unchecked box.
    public static func run(workers: Int, _ work: (Int) -> Void) {
        if workers <= 1 {
            if workers == 1 { work(0) }
            return
        }
        withoutActuallyEscaping(work) { work in
            let box = UncheckedBox(work)
            DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
        }
    }

    /// Per-column sums of a row-major `[rows, cols]` matrix, accumulated in Double: one partial
    /// per fixed chunk of `chunk` rows, partials added in chunk order (thread-count independent).
    /// `value(row, col)` supplies the summand, e.g. `dy[r, c] * xhat[r, c]`.
    public static func columnSums(
        rows: Int, cols: Int, chunk: Int = 256, work: Int? = nil,
        _ rowTerm: (Int, UnsafeMutablePointer<Double>) -> Void
    ) -> [Double] {
        let nChunks = max(chunkCount(rows, chunk: chunk), 1)
        var partials = [Double](repeating: 0, count: nChunks * cols)
        partials.withUnsafeMutableBufferPointer { pp in
            let base = pp.baseAddress!
            forChunks(rows, chunk: chunk, work: work ?? rows * cols) { ci, range in
                let acc = base + ci * cols
                for r in range { rowTerm(r, acc) }
            }
        }
        var total = [Double](repeating: 0, count: cols)
        for ci in 0..<nChunks {
            for c in 0..<cols { total[c] += partials[ci * cols + c] }
        }
        return total
    }
}

#if canImport(Glibc)
/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Chunk sizes shared by the kernels (fixed, never derived from the thread count).
enum Chunk {
    /// Elements per chunk for element-wise kernels.
    static let elements = 1 << 15
}

/// GEMM blocking: products of at least `gemmSplitWork` multiply-adds are split into
/// `gemmBlocks` fixed blocks along the larger of M and N (never along K), each a
/// single-threaded `cblas_sgemm`, run on up to `Parallel.threads` cores. The blocks depend only
/// on the shape, so the result is the same for any thread count.
let gemmSplitWork = 1 << 21
let gemmBlocks = 4
/// Products with `K ≥ gemmSplitKMin` and at most `gemmSplitKMaxOutput` outputs split K instead.
let gemmSplitKMin = 4096
let gemmSplitKMaxOutput = 1 << 16

/// Row-major single-precision GEMM: `C = alpha·op(A)·op(B) + beta·C`, with
/// `op(A)` of shape `[m, k]`, `op(B)` `[k, n]`, `C` `[m, n]`.
func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    Parallel.blasSingleThreaded
    let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
    if k >= gemmSplitKMin && m * n <= gemmSplitKMaxOutput && m * n * k >= gemmSplitWork {
        // Small output, long inner dimension (a kernel gradient): fixed slices of K, one partial
        // product per slice, added in slice order.
        let step = ((k + gemmBlocks - 1) / gemmBlocks + 7) / 8 * 8
        let slices = (k + step - 1) / step
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: slices * m * n)
        defer { partial.deallocate() }
        Parallel.forChunks(k, chunk: step) { ci, r in
            let a0 = transA ? a + r.lowerBound * lda : a + r.lowerBound
            let b0 = transB ? b + r.lowerBound : b + r.lowerBound * ldb
            cblas_sgemm(
                CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(r.count), alpha, a0, Int32(lda),
                b0, Int32(ldb), 0, partial + ci * m * n, Int32(n))
        }
        for i in 0..<m {
            let row = c + i * ldc
            for j in 0..<n {
                var sum: Float = beta == 0 ? 0 : beta * row[j]
                for s in 0..<slices { sum += partial[(s * m + i) * n + j] }
                row[j] = sum
            }
        }
        return
    }
    if m * n * k < gemmSplitWork || max(m, n) < 2 * gemmBlocks {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        return
    }
    if m >= n {
        // Rows [i0, i1) of C need rows [i0, i1) of op(A).
        let step = ((m + gemmBlocks - 1) / gemmBlocks + 7) / 8 * 8
        Parallel.forChunks(m, chunk: step) { _, r in
            let a0 = transA ? a + r.lowerBound : a + r.lowerBound * lda
            cblas_sgemm(
                CblasRowMajor, ta, tb, Int32(r.count), Int32(n), Int32(k), alpha, a0, Int32(lda),
                b, Int32(ldb), beta, c + r.lowerBound * ldc, Int32(ldc))
        }
    } else {
        // Columns [j0, j1) of C need columns [j0, j1) of op(B).
        let step = ((n + gemmBlocks - 1) / gemmBlocks + 7) / 8 * 8
        Parallel.forChunks(n, chunk: step) { _, r in
            let b0 = transB ? b + r.lowerBound * ldb : b + r.lowerBound
            cblas_sgemm(
                CblasRowMajor, ta, tb, Int32(m), Int32(r.count), Int32(k), alpha, a, Int32(lda),
                b0, Int32(ldb), beta, c + r.lowerBound, Int32(ldc))
        }
    }
}

/// Reusable scratch memory (e.g. the im2col workspace): independent slots that grow but
/// never shrink. Slot 0 holds the columns of the kernel gradient, slot 1 the fused blocks,
/// slot 2 the flipped kernel of a stride-1 input gradient or the padded input of a single-channel
/// layer, slots 3 and 4 the transformed input
/// and products of a Winograd convolution.
public final class Workspace: @unchecked Sendable {
    private var pointers: [UnsafeMutablePointer<Float>?] = [nil, nil, nil, nil, nil]
    private var capacities: [Int] = [0, 0, 0, 0, 0]

    public init() {}

    deinit { for p in pointers { p?.deallocate() } }

    /// Floats currently held by all slots.
    public var capacity: Int { capacities.reduce(0, +) }

    /// A buffer of at least `count` floats in `slot`; contents unspecified. Valid until the
    /// next request for the same slot.
    func buffer(_ count: Int, slot: Int = 0) -> UnsafeMutablePointer<Float> {
        if count > capacities[slot] || pointers[slot] == nil {
            pointers[slot]?.deallocate()
            pointers[slot] = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            capacities[slot] = max(count, 1)
        }
        return pointers[slot]!
    }
}

/// A value the compiler may not prove safe to share between threads, shared on purpose (see
/// `Parallel.run`).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
