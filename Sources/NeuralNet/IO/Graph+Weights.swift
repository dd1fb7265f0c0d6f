import Foundation

extension Graph {
    /// Saves every parameter (trainable and moving statistics) under its Keras name, atomically.
    public func saveWeights(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(parameters.map { ($0.name, $0.value) }, metadata: metadata, to: url)
    }

    /// Loads weights saved by `saveWeights` (or by any safetensors writer using Keras names).
    /// Every model parameter must be present with the same shape, and the file must hold no
    /// other tensors (names under `optimizer/` are ignored); otherwise throws `WeightsError`
    /// and leaves the model unchanged. Returns the file's metadata.
    @discardableResult
    public func loadWeights(from url: URL) throws -> [String: String] {
        let (tensors, metadata) = try SafeTensors.read(from: url)
        let file = url.path
        var byName: [String: Tensor] = [:]
        for (n, t) in tensors where !n.hasPrefix("optimizer/") { byName[n] = t }
        let params = parameters
        let known = Set(params.map(\.name))
        for p in params {
            guard let t = byName[p.name] else { throw WeightsError.missingTensor(file: file, name: p.name) }
            guard t.shape == p.value.shape else {
                throw WeightsError.shapeMismatch(file: file, name: p.name, expected: p.value.shape.dims, found: t.shape.dims)
            }
        }
        if let extra = byName.keys.sorted().first(where: { !known.contains($0) }) {
            throw WeightsError.unexpectedTensor(file: file, name: extra)
        }
        for p in params { p.value = byName[p.name]! }
        return metadata
    }
}
