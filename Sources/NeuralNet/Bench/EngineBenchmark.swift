import CBLAS
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine benchmark behind `paper-repro bench engine` (release builds only; never a test).
///
/// Measures (docs/design.md, "Performance method"): the `cblas_sgemm` ceiling on large squares;
/// forward and backward GFLOP/s of ResNet50V2's 3×3 and 1×1 convolutions at 512 px (batch 1)
/// and 128 px (batch 14) and their fraction of the ceiling; images per second of a small
/// ResNet-style stack at batch 1 and 14; peak resident memory of a batch-14 training step at
/// 128 px. Times are medians of `repeats` runs after one warm-up run.
public enum EngineBenchmark {
    /// One sgemm measurement.
    public struct GemmResult: Codable, Sendable {
        public let size: Int, variant: String, gflops: Double
    }

    /// One convolution shape.
    public struct ConvResult: Codable, Sendable {
        public let name: String, inputPixels: Int, batch: Int
        public let height: Int, channels: Int, filters: Int, kernel: Int, stride: Int
        public let forwardGFLOPs: Double, backwardGFLOPs: Double
        public let forwardFractionOfCeiling: Double, backwardFractionOfCeiling: Double
        public let forwardMilliseconds: Double, backwardMilliseconds: Double
        /// The bare forward GEMM of this shape (M = N·OH·OW, N = OC, K = KH·KW·C), timed right
        /// before the convolution, and the convolution's forward speed as a fraction of it.
        public let sameShapeGemmGFLOPs: Double, forwardFractionOfSameShapeGemm: Double
    }

    /// Throughput of the ResNet-style stack.
    public struct StackResult: Codable, Sendable {
        public let description: String, inputPixels: Int, parameters: Int, forwardGMACPerImage: Double
        public let inferenceBatch1ImagesPerSecond: Double
        public let inferenceBatch14ImagesPerSecond: Double
        public let trainingBatch14ImagesPerSecond: Double
        public let trainingBatch14GFLOPs: Double
        /// The layers taking the most time in one batch-14 training step (ms, forward + backward).
        public let slowestLayers: [String]
    }

    /// Everything the benchmark measured.
    public struct Report: Codable, Sendable {
        public let threads: Int
        public let gemm: [GemmResult]
        /// Best large-square sgemm GFLOP/s: the denominator of every fraction.
        public let ceilingGFLOPs: Double
        /// Ratio of the ceiling to the anchor range midpoint (155 GFLOP/s, docs/performance-anchors.md).
        public let ceilingVsAnchor: Double
        public let convolutions: [ConvResult]
        public let stack: StackResult
        /// Peak resident set size (MiB, getrusage) after warm-up and batch-14 training steps at 128 px.
        public let peakRSSMiBTrainingStep128: Double
        /// 3×3 forward ≥ 70 % and backward ≥ 50 % of the ceiling at 512 px shapes.
        public let bar3x3Forward512Met: Bool, bar3x3Backward512Met: Bool
    }

    // MARK: - Timing

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// Median seconds of `repeats` runs after one warm-up.
    static func time(repeats: Int, _ body: () -> Void) -> Double {
        body()
        var t: [Double] = []
        for _ in 0..<repeats { let s = now(); body(); t.append(now() - s) }
        return t.sorted()[t.count / 2]
    }

    #if os(Linux)
    static let RUSAGE_SELF_ID = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    static let RUSAGE_SELF_ID = RUSAGE_SELF
    #endif

    static func peakRSSMiB() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF_ID, &u)
        return Double(u.ru_maxrss) / 1024  // Linux: KiB
    }

    // MARK: - Run

    /// Runs the benchmark. `quick` uses fewer repeats and smaller squares (for smoke runs).
    public static func run(quick: Bool = false, progress: (String) -> Void = { _ in }) -> Report {
        let repeats = quick ? 1 : 3
        var rng = RNG(seed: 2026)

        // Peak memory first, before anything else grows the heap.
        progress("ResNet-style stack at 128 px")
        let stack = stackBenchmark(repeats: repeats, rng: &rng)
        let rss = peakRSSMiB()

        progress("sgemm ceiling")
        var gemm: [GemmResult] = []
        for size in quick ? [512, 1024] : [1024, 2048, 3072] {
            let a = rng.uniformTensor([size, size]), b = rng.uniformTensor([size, size])
            var c = Tensor.zeros([size, size])
            let flops = 2 * Double(size) * Double(size) * Double(size)
            let tEngine = time(repeats: repeats) {
                a.data.withUnsafeBufferPointer { ap in
                    b.data.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableElements { cp in
                            // M = N = K = size
                            sgemm(
                                m: size, n: size, k: size, a: ap.baseAddress!, lda: size, b: bp.baseAddress!, ldb: size,
                                beta: 0, c: cp.baseAddress!, ldc: size)
                        }
                    }
                }
            }
            gemm.append(
                GemmResult(size: size, variant: "engine (fixed blocks, single-threaded OpenBLAS per block)", gflops: flops / tEngine * 1e-9)
            )
            openblas_set_num_threads(Int32(Parallel.threads))
            let tBlas = time(repeats: repeats) {
                a.data.withUnsafeBufferPointer { ap in
                    b.data.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableElements { cp in
                            // M = N = K = size
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1,
                                ap.baseAddress!, Int32(size), bp.baseAddress!, Int32(size), 0, cp.baseAddress!, Int32(size))
                        }
                    }
                }
            }
            openblas_set_num_threads(1)
            gemm.append(GemmResult(size: size, variant: "OpenBLAS threaded", gflops: flops / tBlas * 1e-9))
        }
        let ceiling = gemm.map(\.gflops).max() ?? 1

        progress("ResNet50V2 convolutions")
        var convs: [ConvResult] = []
        // (name, H at 512 px input, C, OC, k, stride)
        let shapes: [(String, Int, Int, Int, Int, Int)] = [
            ("conv2 3x3 64->64", 128, 64, 64, 3, 1),
            ("conv3 3x3 128->128", 64, 128, 128, 3, 1),
            ("conv4 3x3 256->256", 32, 256, 256, 3, 1),
            ("conv5 3x3 512->512", 16, 512, 512, 3, 1),
            ("conv2 1x1 64->256", 128, 64, 256, 1, 1),
            ("conv2 1x1 256->64", 128, 256, 64, 1, 1),
            ("conv4 1x1 1024->256", 32, 1024, 256, 1, 1),
            ("conv5 1x1 512->2048", 16, 512, 2048, 1, 1)
        ]
        for (pixels, batch) in [(512, 1), (128, 14)] {
            for (name, h512, c, oc, k, s) in shapes {
                let h = h512 * pixels / 512
                convs.append(
                    convBenchmark(
                        name: name, pixels: pixels, batch: batch, h: h, c: c, oc: oc, k: k, s: s,
                        ceiling: ceiling, repeats: repeats, rng: &rng))
            }
        }
        // The machine may be shared: measure the squares once more and keep the best.
        for size in quick ? [1024] : [2048, 3072] {
            let a = rng.uniformTensor([size, size]), b = rng.uniformTensor([size, size])
            var c = Tensor.zeros([size, size])
            let t = time(repeats: repeats) { gemmOnly(a, b, &c, m: size, n: size, k: size) }
            gemm.append(
                GemmResult(
                    size: size, variant: "engine, measured again after the convolutions",
                    gflops: 2 * Double(size * size) * Double(size) / t * 1e-9))
        }
        let finalCeiling = gemm.map(\.gflops).max() ?? ceiling
        if finalCeiling > ceiling {
            convs = convs.map { c -> ConvResult in
                ConvResult(
                    name: c.name, inputPixels: c.inputPixels, batch: c.batch, height: c.height, channels: c.channels,
                    filters: c.filters, kernel: c.kernel, stride: c.stride, forwardGFLOPs: c.forwardGFLOPs,
                    backwardGFLOPs: c.backwardGFLOPs, forwardFractionOfCeiling: c.forwardGFLOPs / finalCeiling,
                    backwardFractionOfCeiling: c.backwardGFLOPs / finalCeiling,
                    forwardMilliseconds: c.forwardMilliseconds, backwardMilliseconds: c.backwardMilliseconds,
                    sameShapeGemmGFLOPs: c.sameShapeGemmGFLOPs, forwardFractionOfSameShapeGemm: c.forwardFractionOfSameShapeGemm)
            }
        }
        let at512 = convs.filter { $0.inputPixels == 512 && $0.kernel == 3 }
        return Report(
            threads: Parallel.threads, gemm: gemm, ceilingGFLOPs: finalCeiling, ceilingVsAnchor: finalCeiling / 155,
            convolutions: convs, stack: stack, peakRSSMiBTrainingStep128: rss,
            bar3x3Forward512Met: at512.allSatisfy { $0.forwardFractionOfCeiling >= 0.7 },
            bar3x3Backward512Met: at512.allSatisfy { $0.backwardFractionOfCeiling >= 0.5 })
    }

    static func convBenchmark(
        name: String, pixels: Int, batch: Int, h: Int, c: Int, oc: Int, k: Int, s: Int,
        ceiling: Double, repeats: Int, rng: inout RNG
    ) -> ConvResult {
        let x = rng.uniformTensor([batch, h, h, c])
        let kernel = rng.uniformTensor([k, k, c, oc], -0.1, 0.1)
        let g = ConvGeometry(input: x.shape, kernel: (k, k), stride: (s, s), padding: .same)
        let M = batch * g.outputPixels, K = k * k * c
        let ga = rng.uniformTensor([M, K]), gb = rng.uniformTensor([K, oc])
        var gc = Tensor.zeros([M, oc])
        let tg = time(repeats: repeats) { gemmOnly(ga, gb, &gc, m: M, n: oc, k: K) }
        let ws = Workspace()
        var y = Tensor.zeros([0])
        let tf = time(repeats: repeats) { Conv2DOp.forward(x, kernel: kernel, bias: nil, geometry: g, workspace: ws, into: &y) }
        var dk = Tensor(shape: kernel.shape)
        var db: Tensor? = nil
        var dx: Tensor? = Tensor.zeros([0])
        let tb = time(repeats: repeats) {
            Conv2DOp.backward(y, x: x, kernel: kernel, geometry: g, workspace: ws, dKernel: &dk, dBias: &db, dx: &dx)
        }
        let flops = 2 * Double(batch * g.outputPixels) * Double(k * k * c) * Double(oc)
        let fg = flops / tf * 1e-9, bg = 2 * flops / tb * 1e-9
        return ConvResult(
            name: name, inputPixels: pixels, batch: batch, height: h, channels: c, filters: oc, kernel: k, stride: s,
            forwardGFLOPs: fg, backwardGFLOPs: bg,
            forwardFractionOfCeiling: fg / ceiling, backwardFractionOfCeiling: bg / ceiling,
            forwardMilliseconds: tf * 1e3, backwardMilliseconds: tb * 1e3,
            sameShapeGemmGFLOPs: flops / tg * 1e-9, forwardFractionOfSameShapeGemm: tg / tf)
    }

    static func gemmOnly(_ a: Tensor, _ b: Tensor, _ c: inout Tensor, m: Int, n: Int, k: Int) {
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableElements { cp in
                    // M = m, N = n, K = k
                    sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
                }
            }
        }
    }

    // MARK: - A small ResNet-style stack

    /// Input 128×128×1 → 7×7/2 conv 32 → BN → ReLU → 3×3/2 max pool → two pre-activation
    /// bottleneck blocks (64 → 16 → 64) at 32×32 → a strided block to 128 at 16×16 → BN → ReLU →
    /// global average pool → dense 2.
    public static func resNetStack(pixels: Int = 128, seed: UInt64 = 1) -> Graph {
        let g = Graph(seed: seed)
        let x = g.input("input_1", shape: [pixels, pixels, 1])
        var h = g.add(ZeroPadding2D("conv1_pad", padding: 3), x)
        h = g.add(Conv2D("conv1_conv", filters: 32, kernelSize: 7, strides: 2), h)
        h = g.add(ZeroPadding2D("pool1_pad", padding: 1), h)
        h = g.add(MaxPooling2D("pool1_pool", poolSize: 3, strides: 2), h)
        func block(_ name: String, _ input: Graph.Node, filters: Int, stride: Int, project: Bool) -> Graph.Node {
            var p = g.add(BatchNormalization("\(name)_preact_bn", epsilon: 1.001e-5), input)
            p = g.add(ReLU("\(name)_preact_relu"), p)
            let shortcut: Graph.Node
            if project {
                shortcut = g.add(Conv2D("\(name)_0_conv", filters: 4 * filters, kernelSize: 1, strides: stride), p)
            } else if stride > 1 {
                shortcut = g.add(MaxPooling2D("\(name)_0_pool", poolSize: 1, strides: stride), input)
            } else {
                shortcut = input
            }
            var r = g.add(Conv2D("\(name)_1_conv", filters: filters, kernelSize: 1, useBias: false), p)
            r = g.add(BatchNormalization("\(name)_1_bn", epsilon: 1.001e-5), r)
            r = g.add(ReLU("\(name)_1_relu"), r)
            r = g.add(ZeroPadding2D("\(name)_2_pad", padding: 1), r)
            r = g.add(Conv2D("\(name)_2_conv", filters: filters, kernelSize: 3, strides: stride, useBias: false), r)
            r = g.add(BatchNormalization("\(name)_2_bn", epsilon: 1.001e-5), r)
            r = g.add(ReLU("\(name)_2_relu"), r)
            r = g.add(Conv2D("\(name)_3_conv", filters: 4 * filters, kernelSize: 1), r)
            return g.add(Add("\(name)_out"), shortcut, r)
        }
        h = block("conv2_block1", h, filters: 16, stride: 1, project: true)
        h = block("conv2_block2", h, filters: 16, stride: 1, project: false)
        h = block("conv3_block1", h, filters: 32, stride: 2, project: true)
        h = g.add(BatchNormalization("post_bn", epsilon: 1.001e-5), h)
        h = g.add(ReLU("post_relu"), h)
        h = g.add(GlobalAveragePooling2D("avg_pool"), h)
        g.outputs = [g.add(Dense("predictions", units: 2), h)]
        return g
    }

    /// Forward multiply-adds per image of the convolution and dense layers of a graph.
    public static func forwardMACsPerImage(_ g: Graph) -> Double {
        var total = 0.0
        for name in g.nodeNames {
            let node = g.node(named: name)!
            let out = g.shape(of: node)
            if let c = g.layer(of: node) as? Conv2D {
                total += Double(out[0] * out[1] * out[2]) * Double(c.kernelSize.0 * c.kernelSize.1 * c.kernel.value.shape[2])
            } else if let d = g.layer(of: node) as? Dense {
                total += Double(d.kernel.value.count)
            }
        }
        return total
    }

    static func stackBenchmark(repeats: Int, rng: inout RNG) -> StackResult {
        let g = resNetStack()
        let macs = forwardMACsPerImage(g)
        let opt = Nadam(learningRate: 1e-4)
        let x14 = rng.uniformTensor([14, 128, 128, 1], 0, 1)
        var y14 = Tensor.zeros([14, 2])
        for i in 0..<14 { y14.data[2 * i + i % 2] = 1 }
        let tTrain = time(repeats: repeats + 1) {
            let logits = g.forward([x14], mode: .training)[0]
            let (_, d) = LossOp.softmaxCrossEntropy(logits: logits, labels: y14)
            g.zeroGradients()
            g.backward([d])
            opt.step(g.trainableParameters)
        }
        g.profiling = true
        let step = { () -> Void in
            let logits = g.forward([x14], mode: .training)[0]
            let (_, d) = LossOp.softmaxCrossEntropy(logits: logits, labels: y14)
            g.zeroGradients()
            g.backward([d])
        }
        step()
        g.profiling = false
        let slowest = g.layerTimes.sorted { $0.value.forward + $0.value.backward > $1.value.forward + $1.value.backward }
            .prefix(8).map {
                "\($0.key): \(String(format: "%.2f", $0.value.forward * 1e3)) + \(String(format: "%.2f", $0.value.backward * 1e3)) ms"
            }
        g.releaseActivations()
        let x1 = rng.uniformTensor([1, 128, 128, 1], 0, 1)
        let t1 = time(repeats: 5 * repeats) { _ = g.forward([x1], mode: .inference) }
        let t14 = time(repeats: repeats) { _ = g.forward([x14], mode: .inference) }
        return StackResult(
            description: "ResNet-style: 7x7/2 conv 32, max pool, 2 bottleneck blocks (64) at 32x32, 1 strided block (128), GAP, dense 2",
            inputPixels: 128, parameters: g.parameterCount, forwardGMACPerImage: macs * 1e-9,
            inferenceBatch1ImagesPerSecond: 1 / t1, inferenceBatch14ImagesPerSecond: 14 / t14,
            trainingBatch14ImagesPerSecond: 14 / tTrain,
            trainingBatch14GFLOPs: 3 * 2 * macs * 14 / tTrain * 1e-9, slowestLayers: slowest)
    }
}
