extension Graph {
    /// One training step of a single-head classifier: forward in training mode, fused softmax +
    /// categorical cross-entropy against `labels [N, K]` (one-hot), backward, optimizer update.
    /// Returns the batch's mean loss and the softmax probabilities `[N, K]`.
    @discardableResult
    public func trainStep(_ x: Tensor, labels: Tensor, optimizer: Nadam) -> (loss: Double, probabilities: Tensor) {
        precondition(outputs.count == 1, "trainStep expects a single-head graph")
        let logits = forward([x], mode: .training)[0]
        let (loss, dLogits) = LossOp.softmaxCrossEntropy(logits: logits, labels: labels)
        zeroGradients()
        backward([dLogits])
        optimizer.step(trainableParameters)
        return (loss, LossOp.softmax(logits))
    }

    /// Softmax probabilities `[N, K]` of a single-head classifier in inference mode.
    public func predict(_ x: Tensor) -> Tensor {
        precondition(outputs.count == 1, "predict expects a single-head graph")
        return LossOp.softmax(forward([x], mode: .inference)[0])
    }
}
