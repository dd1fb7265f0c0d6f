extension Graph {
    /// One training step of a single-head classifier: forward in training mode, fused softmax +
    /// categorical cross-entropy against `labels [N, K]` (one-hot), backward, optimizer update.
    /// This is the step training runs (`Trainer`) and the benchmarks time.
    /// Returns the batch's mean loss and the logits `[N, K]` of the forward pass.
    @discardableResult
    public func trainStep(_ x: Tensor, labels: Tensor, optimizer: Nadam) -> (loss: Double, logits: Tensor) {
        precondition(outputs.count == 1, "trainStep expects a single-head graph")
        zeroGradients()
        let logits = forward([x], mode: .training)[0]
        let (loss, dLogits) = LossOp.softmaxCrossEntropy(logits: logits, labels: labels)
        backward([dLogits])
        optimizer.step(trainableParameters)
        return (loss, logits)
    }

    /// Softmax probabilities `[N, K]` of a single-head classifier in inference mode.
    public func predict(_ x: Tensor) -> Tensor {
        precondition(outputs.count == 1, "predict expects a single-head graph")
        return LossOp.softmax(forward([x], mode: .inference)[0])
    }
}
