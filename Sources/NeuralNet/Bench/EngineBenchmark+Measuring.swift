import CBLAS
import Foundation

/// The engine benchmark's measuring tools, for other benchmarks (e.g. the models' benchmark in
/// Analysis): its timer, its peak-memory reading and its sgemm ceiling.
extension EngineBenchmark {
    /// Median wall-clock seconds of `repeats` runs of `body` after one warm-up run.
    public static func medianSeconds(repeats: Int, _ body: () -> Void) -> Double {
        precondition(repeats >= 1)
        return time(repeats: repeats, body)
    }

    /// Peak resident set size of the process (MiB). On Linux this is the kernel's high-water mark
    /// `VmHWM` (which `resetPeakResident()` can lower); elsewhere `getrusage`'s `ru_maxrss`.
    public static func peakResidentMiB() -> Double {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Double(line.split(separator: " ").dropFirst().first ?? "")
        {
            return kib / 1024
        }
        #endif
        return peakRSSMiB()
    }

    /// Returns the heap's free memory to the kernel (glibc `malloc_trim(0)`; the engine keeps
    /// freed blocks, see `Parallel`), then resets the peak-RSS mark to the current resident size
    /// (Linux ≥ 4.0: writes "5" to `/proc/self/clear_refs`), so that `peakResidentMiB()` measures
    /// what follows. Returns false where unsupported; the peak then covers the whole process so far.
    @discardableResult
    public static func resetPeakResident() -> Bool {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)); return true } catch { return false }
        #else
        return false
        #endif
    }

    /// The sgemm ceiling (GFLOP/s, `2·n³` per product): the best of the engine's `sgemm` and
    /// threaded OpenBLAS on `n × n` squares, each timed as the median of `repeats` runs after a
    /// warm-up, with `Parallel.threads` cores — the same measurement as `run`'s.
    public static func sgemmCeiling(sizes: [Int], repeats: Int, seed: UInt64 = 2026) -> Double {
        var rng = RNG(seed: seed)
        var best = 0.0
        for size in sizes {
            let a = rng.uniformTensor([size, size]), b = rng.uniformTensor([size, size])
            var c = Tensor.zeros([size, size])
            let flops = 2 * Double(size) * Double(size) * Double(size)
            let tEngine = time(repeats: repeats) { gemmOnly(a, b, &c, m: size, n: size, k: size) }
            openblas_set_num_threads(Int32(Parallel.threads))
            let tBlas = time(repeats: repeats) {
                a.data.withUnsafeBufferPointer { ap in
                    b.data.withUnsafeBufferPointer { bp in
                        c.data.withUnsafeMutableBufferPointer { cp in
                            // M = N = K = size
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1,
                                ap.baseAddress!, Int32(size), bp.baseAddress!, Int32(size), 0, cp.baseAddress!, Int32(size))
                        }
                    }
                }
            }
            openblas_set_num_threads(1)
            best = max(best, flops / tEngine * 1e-9, flops / tBlas * 1e-9)
        }
        return best
    }
}

#if canImport(Glibc)
/// glibc's `malloc_trim` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("malloc_trim")
func glibcMallocTrim(_ pad: Int) -> Int32
#endif
