/// A dense, contiguous, row-major Float32 tensor with value semantics.
///
/// Images are NHWC; convolution kernels `[KH, KW, C, OC]`; dense kernels `[C, OC]`.
/// Storage is a Swift array, so copies are copy-on-write: a layer that keeps a buffer and
/// writes into it after its consumers have dropped their copies reuses the memory.
public struct Tensor: Equatable, Sendable {
    /// The dimensions.
    public private(set) var shape: Shape
    /// The elements in row-major order; `data.count == shape.count`.
    public var data: [Float]

    /// A tensor filled with `value`.
    public init(shape: Shape, repeating value: Float = 0) {
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.count)
        BufferStatistics.created(shape.count)
    }

    /// A tensor over existing elements; `precondition`s that the counts agree.
    public init(shape: Shape, data: [Float]) {
        precondition(shape.count == data.count, "shape \(shape) needs \(shape.count) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A zero tensor of the given dimensions.
    public static func zeros(_ dims: [Int]) -> Tensor { Tensor(shape: Shape(dims)) }

    /// Number of elements.
    public var count: Int { data.count }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ dims: [Int]) -> Tensor {
        Tensor(shape: Shape(dims), data: data)
    }

    /// Changes the shape in place to one of equal element count.
    public mutating func reshape(_ dims: [Int]) {
        let s = Shape(dims)
        precondition(s.count == data.count, "cannot reshape \(shape) to \(s)")
        shape = s
    }

    /// Makes `self` a tensor of `shape`, reusing the storage when the element count allows.
    /// Contents are unspecified afterwards unless `zero` is true.
    public mutating func resize(to shape: Shape, zero: Bool = false) {
        if data.count != shape.count {
            data = [Float](repeating: 0, count: shape.count)
            BufferStatistics.created(shape.count)
        } else if zero {
            withUnsafeMutableElements { p in
                p.update(repeating: 0)
            }
        }
        self.shape = shape
    }

    /// Calls `body` with mutable access to the elements (as `data.withUnsafeMutableBufferPointer`).
    /// A copy-on-write copy that the access forces (the storage was shared) is recorded in
    /// `BufferStatistics`, so tests can check that a step writes into buffers it owns.
    @inline(__always)
    public mutating func withUnsafeMutableElements<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        let before = data.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        return try data.withUnsafeMutableBufferPointer { p in
            if UnsafeRawPointer(p.baseAddress) != before { BufferStatistics.created(p.count) }
            return try body(&p)
        }
    }

    /// Element at a multi-index (slow; for tests and debugging).
    public subscript(_ index: Int...) -> Float {
        get { data[flatIndex(index)] }
        set { data[flatIndex(index)] = newValue }
    }

    /// Row-major offset of a multi-index.
    public func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.rank, "index rank \(index.count) ≠ tensor rank \(shape.rank)")
        var offset = 0
        for (i, d) in zip(index, shape.dims) {
            precondition(i >= 0 && i < d, "index \(index) out of range for \(shape)")
            offset = offset * d + i
        }
        return offset
    }

    /// Sum of all elements, accumulated in Double in index order.
    public func sum() -> Double { data.reduce(0.0) { $0 + Double($1) } }
}

/// Counts of element buffers the engine creates, for tests that check buffer reuse: fresh
/// tensor storage (`Tensor.init(shape:repeating:)`, a `resize` that changes the element count,
/// scratch arrays of the kernels) and copy-on-write copies forced by `withUnsafeMutableElements`.
/// Only buffers of at least `largeElements` floats are counted. Counting is not atomic: buffers
/// created concurrently could be under-counted, never over-counted.
public enum BufferStatistics {
    /// Buffers of at least this many elements are counted.
    nonisolated(unsafe) public static var largeElements = 4096
    /// Number of large buffers created since the last `reset()`.
    nonisolated(unsafe) public private(set) static var largeBuffersCreated = 0

    /// Sets the count to zero.
    public static func reset() { largeBuffersCreated = 0 }

    @inline(__always) static func created(_ count: Int) {
        if count >= largeElements { largeBuffersCreated += 1 }
    }
}
