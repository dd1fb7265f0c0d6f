import Foundation
import NeuralNet

/// A Grad-CAM heat map (Selvaraju et al., the paper's ref. [25]; §3.3, Fig. 12).
public struct GradCAMMap: Codable, Equatable, Sendable {
    /// Heat in [0, 1], `height` rows of `width`, resized to the model's input.
    public let heat: [Float]
    public let width: Int
    public let height: Int
    /// The class explained (0 or 1) and the model's softmax probability for it.
    public let classIndex: Int
    public let probability: Float
    /// The feature map the map was computed on.
    public let layer: String
    /// The map's maximum before scaling (class-score units): `heat × peak` is the raw map, so
    /// maps of different images can be shown on one shared scale.
    public var peak: Float = 1
}

/// Grad-CAM: for a feature map A (H×W×K) and the class score y_c, α_k = mean over positions of
/// ∂y_c/∂A_k and the map is ReLU(Σ_k α_k A_k), resized bilinearly to the input and scaled to
/// [0, 1] by its maximum. The resize puts each cell on the centre of the input window it was
/// computed from (`Graph.cellGeometry`), not on the centre of an even split of the image.
///
/// The class score is taken before softmax, as Selvaraju et al. do, but relative to the other
/// classes: y_c = z_c − mean of the other logits (for two classes the log-odds z_c − z_other).
/// Softmax depends only on differences of logits, so a feature that raises every logit alike
/// (how much lung is in view, say) changes no probability; explaining z_c alone would still
/// credit it. The relative score gives such features zero weight.
public enum GradCAM {
    /// How the gradient weighs the layer's activations.
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// Grad-CAM (Selvaraju et al., 2017), the paper's (§3.3): each channel weighted by its
        /// gradient averaged over the map, ReLU(Σ_k mean(∂y/∂A_k) A_k).
        case gradCAM = "grad-cam"
        /// HiResCAM (Draelos & Carin, 2020): gradient times activation position by position,
        /// ReLU(Σ_k ∂y/∂A_k ⊙ A_k). Where the gradient differs by position (heads that flatten a
        /// map into a dense layer, as the FPN's do) Grad-CAM's average can credit positions that
        /// add nothing to the class score; HiResCAM does not.
        case hiResCAM = "hirescam"
    }

    /// The layer Grad-CAM uses by default for each model: the last convolutional feature map.
    public static func defaultLayer(_ kind: ModelKind) -> String {
        switch kind {
        case .resnet50v2: return "post_relu"
        // The FPN classifies from its pyramid levels; P3, the finest, keeps the lesions' positions.
        case .resnet50v2FPN: return "P3"
        case .xception: return "block14_sepconv2_act"
        }
    }

    /// The smallest side a map may have to be used as the FPN's layer.
    public static let minimumSide = 8
    /// The FPN's layer when P3 is smaller than `minimumSide`: the backbone's last map at stride 8.
    public static let fpnFallbackLayer = "conv3_block3_out"

    /// The layer for `kind` in `graph`: `defaultLayer`, except for an FPN whose P3 is smaller
    /// than `minimumSide` on a side. P3 is 30×30 at the paper's 512 px but 4×4 at 96 px (cells of
    /// a quarter of the image, wider than the lesions), so at small inputs the map is taken on
    /// the backbone's last 12×12 map (stride 8), the finest the classifier's path reads.
    public static func layer(for kind: ModelKind, in graph: Graph) -> String {
        let preferred = defaultLayer(kind)
        guard kind == .resnet50v2FPN, let node = graph.node(named: preferred),
            min(graph.shape(of: node)[0], graph.shape(of: node)[1]) < minimumSide,
            graph.node(named: fpnFallbackLayer) != nil
        else { return preferred }
        return fpnFallbackLayer
    }

    /// Computes the map of one image `[1, H, W, C]` for `classIndex` (nil: the predicted class).
    /// Runs the graph in inference mode (moving BN statistics, no dropout).
    public static func compute(
        graph: Graph, image: Tensor, layer: String, classIndex: Int? = nil, method: Method = .gradCAM
    ) -> GradCAMMap {
        precondition(image.shape.rank == 4 && image.shape[0] == 1, "Grad-CAM takes one image [1, H, W, C]")
        guard let node = graph.node(named: layer) else { preconditionFailure("no layer named \(layer)") }
        let logits = graph.forward([image], mode: .inference, retainActivations: true)[0]
        let probabilities = LossOp.softmax(logits)
        let k = logits.shape[1]
        let c = classIndex ?? (0..<k).max { probabilities.data[$0] < probabilities.data[$1] }!
        var seed = Tensor(shape: logits.shape)
        for j in 0..<k { seed.data[j] = j == c ? 1 : -1 / Float(max(k - 1, 1)) }
        graph.zeroGradients()
        graph.backward([seed], keep: [node])
        let a = graph.value(of: node)!, g = graph.gradient(of: node)!
        let (h, w, ch) = (a.shape[1], a.shape[2], a.shape[3])
        var cam = [Float](repeating: 0, count: h * w)
        switch method {
        case .gradCAM:
            // α_k = mean over positions of the gradient.
            var alpha = [Float](repeating: 0, count: ch)
            for p in 0..<(h * w) { for q in 0..<ch { alpha[q] += g.data[p * ch + q] } }
            for q in 0..<ch { alpha[q] /= Float(h * w) }
            for p in 0..<(h * w) {
                var s: Float = 0
                for q in 0..<ch { s += alpha[q] * a.data[p * ch + q] }
                cam[p] = max(0, s)
            }
        case .hiResCAM:
            for p in 0..<(h * w) {
                var s: Float = 0
                for q in 0..<ch { s += g.data[p * ch + q] * a.data[p * ch + q] }
                cam[p] = max(0, s)
            }
        }
        let (outH, outW) = (image.shape[1], image.shape[2])
        var heat = resizeBilinear(
            cam, width: w, height: h, toWidth: outW, toHeight: outH, cells: graph.cellGeometry(of: node))
        let peak = heat.max() ?? 0
        if peak > 0 { for i in heat.indices { heat[i] /= peak } }
        return GradCAMMap(
            heat: heat, width: outW, height: outH, classIndex: c, probability: probabilities.data[c], layer: layer,
            peak: peak)
    }

    /// Bilinear resize of a map to the input's size: output pixel `(y, x)` reads the map at the
    /// fractional cell centred there (`cells`, clamped to the map), or, without `cells`, with
    /// half-pixel centres (as image libraries resize).
    static func resizeBilinear(
        _ src: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int,
        cells: (rows: CellAxis, columns: CellAxis)? = nil
    ) -> [Float] {
        let rows = cells?.rows ?? halfPixelAxis(from: height, to: toHeight)
        let columns = cells?.columns ?? halfPixelAxis(from: width, to: toWidth)
        var out = [Float](repeating: 0, count: toWidth * toHeight)
        for y in 0..<toHeight {
            let fy = Float(max(0, min(Double(height - 1), rows.cell(at: Double(y)))))
            let y0 = Int(fy), y1 = min(y0 + 1, height - 1), ty = fy - Float(y0)
            for x in 0..<toWidth {
                let fx = Float(max(0, min(Double(width - 1), columns.cell(at: Double(x)))))
                let x0 = Int(fx), x1 = min(x0 + 1, width - 1), tx = fx - Float(x0)
                let top = src[y0 * width + x0] * (1 - tx) + src[y0 * width + x1] * tx
                let bottom = src[y1 * width + x0] * (1 - tx) + src[y1 * width + x1] * tx
                out[y * toWidth + x] = top * (1 - ty) + bottom * ty
            }
        }
        return out
    }

    /// Half-pixel centres: cell `i` of `cells` over `pixels` is centred on `(i + 0.5)·pixels/cells − 0.5`.
    static func halfPixelAxis(from cells: Int, to pixels: Int) -> CellAxis {
        let stride = Double(pixels) / Double(cells)
        return CellAxis(stride: stride, offset: stride / 2 - 0.5)
    }
}

/// How well a heat map points at a known lesion (possible only on the synthetic twin, whose
/// lesion masks are ground truth).
public struct LocalisationScore: Codable, Equatable, Sendable {
    /// Share of the map's total heat that falls inside the lesion mask.
    public let energyInside: Double
    /// Whether the hottest pixel lies inside the mask (the strict pointing game).
    public let pointingHit: Bool
    /// Whether the hottest pixel lies within `pointingTolerance` of the image side from the mask:
    /// the pointing game as Zhang et al. (2016) define it, 15 pixels at 224 px.
    public var pointingHitWithinTolerance: Bool? = nil
    /// Share of the image the mask covers (the energy a uniform map would score).
    public let maskFraction: Double

    /// Share of the map's heat on air outside the patient, and whether its hottest pixel lies
    /// there (nil when no body outline was given): heat off the body explains nothing about the
    /// lungs (a skin marker, the table, the edge of the scan circle).
    public var heatOutsideBody: Double? = nil
    public var peakOutsideBody: Bool? = nil

    /// The pointing game's tolerance as a fraction of the image side (15 of 224 pixels).
    public static let pointingTolerance = 15.0 / 224.0

    /// Stored value below which a pixel counts as air when outlining the body (HU −500).
    public static let airStoredValue: Float = 524

    /// Air connected to the image border: pixels whose stored value (HU + 1024) is below
    /// `airStoredValue`, reached from the border through such pixels (4-connected). The lungs
    /// and airways, enclosed by the body wall, are not reached.
    public static func outsideBody(stored: [Float], width: Int, height: Int) -> [Bool] {
        precondition(stored.count == width * height, "image size mismatch")
        var outside = [Bool](repeating: false, count: stored.count)
        var stack: [Int] = []
        func visit(_ i: Int) { if !outside[i] && stored[i] < airStoredValue { outside[i] = true; stack.append(i) } }
        for x in 0..<width { visit(x); visit((height - 1) * width + x) }
        for y in 0..<height { visit(y * width); visit(y * width + width - 1) }
        while let i = stack.popLast() {
            let (x, y) = (i % width, i / width)
            if x > 0 { visit(i - 1) }
            if x < width - 1 { visit(i + 1) }
            if y > 0 { visit(i - width) }
            if y < height - 1 { visit(i + width) }
        }
        return outside
    }

    /// Scores `map` against `mask` (same size; true = lesion) and, when given, the air outside
    /// the body (`outsideBody`).
    public init(map: GradCAMMap, mask: [Bool], outsideBody: [Bool]? = nil) {
        precondition(mask.count == map.heat.count, "mask and map sizes differ")
        var inside = 0.0, total = 0.0, best = -Float.infinity, bestIndex = 0
        for i in map.heat.indices {
            total += Double(map.heat[i])
            if mask[i] { inside += Double(map.heat[i]) }
            if map.heat[i] > best { best = map.heat[i]; bestIndex = i }
        }
        energyInside = total > 0 ? inside / total : 0
        pointingHit = total > 0 && mask[bestIndex]
        let radius = Self.pointingTolerance * Double(max(map.width, map.height))
        let (bx, by) = (bestIndex % map.width, bestIndex / map.width)
        var near = false
        if total > 0 {
            let r = Int(radius.rounded(.up))
            search: for y in max(0, by - r)...min(map.height - 1, by + r) {
                for x in max(0, bx - r)...min(map.width - 1, bx + r) where mask[y * map.width + x] {
                    let d = Double((x - bx) * (x - bx) + (y - by) * (y - by)).squareRoot()
                    if d <= radius { near = true; break search }
                }
            }
        }
        pointingHitWithinTolerance = near
        maskFraction = Double(mask.filter { $0 }.count) / Double(max(mask.count, 1))
        if let outsideBody {
            precondition(outsideBody.count == map.heat.count, "body outline and map sizes differ")
            var off = 0.0
            for i in map.heat.indices where outsideBody[i] { off += Double(map.heat[i]) }
            heatOutsideBody = total > 0 ? off / total : 0
            peakOutsideBody = total > 0 && outsideBody[bestIndex]
        }
    }
}
