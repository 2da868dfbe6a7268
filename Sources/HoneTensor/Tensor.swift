// Float32 N-d tensors on contiguous row-major buffers, with reverse-mode autograd.
//
// An op computes its output with a hand-written forward kernel and, when any input
// needs a gradient, records a closure holding the matching backward kernel. The graph
// is the chain of those closures; `backward()` runs them in reverse topological order
// and then drops them, so intermediate buffers return to the pool after every step.

import Foundation

public enum TensorError: Error, CustomStringConvertible {
    case shapeMismatch(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let s): return "shape mismatch: \(s)"
        case .invalidArgument(let s): return "invalid argument: \(s)"
        }
    }
}

public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let buffer: TensorBuffer
    /// Whether gradients flow to (and through) this tensor.
    public var requiresGrad: Bool
    /// Allocated (zeroed) on first accumulation.
    public private(set) var grad: TensorBuffer?

    @usableFromInline var parents: [Tensor] = []
    @usableFromInline var backwardFn: ((Tensor) -> Void)?
    /// Diagnostic name of the op that produced this tensor.
    public private(set) var op: String = "leaf"

    public init(shape: [Int], buffer: TensorBuffer, requiresGrad: Bool = false) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        let n = shape.reduce(1, *)
        require(n == buffer.count, "Tensor: shape \(shape) needs \(n) elements, buffer has \(buffer.count)")
        self.shape = shape
        self.count = n
        self.buffer = buffer
        self.requiresGrad = requiresGrad
    }

    /// Uninitialized contents: only for outputs a kernel fills completely.
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, buffer: TensorBuffer(count: shape.reduce(1, *)))
    }

    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, buffer: TensorBuffer(count: shape.reduce(1, *), zeroed: true), requiresGrad: requiresGrad)
    }

    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        let b = TensorBuffer(count: shape.reduce(1, *))
        b.pointer.update(repeating: value, count: b.count)
        self.init(shape: shape, buffer: b, requiresGrad: requiresGrad)
    }

    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        require(values.count == shape.reduce(1, *), "Tensor: \(values.count) values for shape \(shape)")
        let b = TensorBuffer(count: values.count)
        values.withUnsafeBufferPointer { b.pointer.update(from: $0.baseAddress!, count: values.count) }
        self.init(shape: shape, buffer: b, requiresGrad: requiresGrad)
    }

    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init([scalar], shape: [], requiresGrad: requiresGrad)
    }

    /// Normal(0, std) entries from a seeded generator.
    public convenience init(randomNormal shape: [Int], std: Float = 1, rng: inout RandomGenerator, requiresGrad: Bool = false) {
        self.init(uninitializedShape: shape)
        for i in 0..<count { data[i] = Float(rng.normal()) * std }
        self.requiresGrad = requiresGrad
    }

    /// Uniform entries in [low, high) from a seeded generator.
    public convenience init(randomUniform shape: [Int], low: Float, high: Float, rng: inout RandomGenerator, requiresGrad: Bool = false) {
        self.init(uninitializedShape: shape)
        for i in 0..<count { data[i] = low + (high - low) * rng.uniformFloat() }
        self.requiresGrad = requiresGrad
    }

    @inlinable public var data: UnsafeMutablePointer<Float> { buffer.pointer }
    public var rank: Int { shape.count }
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }
    public var item: Float {
        require(count == 1, "item: tensor of shape \(shape) is not a scalar")
        return data[0]
    }
    public var gradScalars: [Float]? { grad.map { Array($0.buffer) } }
    public var isLeaf: Bool { backwardFn == nil }

    /// The gradient buffer, allocated and zeroed if this is the first accumulation.
    @inlinable
    public func gradPointer() -> UnsafeMutablePointer<Float> {
        if let g = grad { return g.pointer }
        return makeGrad()
    }

    @usableFromInline
    func makeGrad() -> UnsafeMutablePointer<Float> {
        let g = TensorBuffer(count: count, zeroed: true)
        grad = g
        return g.pointer
    }

    public func zeroGrad() { grad?.zero() }
    public func dropGrad() { grad = nil }

    /// A leaf holding the same values, cut from the graph.
    public func detached() -> Tensor { Tensor(shape: shape, buffer: buffer) }

    /// A deep copy of the values (a new buffer), cut from the graph.
    public func copy(requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.data.update(from: data, count: count)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Records `fn` as the backward step producing `self` from `inputs`, if any input needs a gradient.
    /// The name is an autoclosure so that ops formatting it (dense[relu], …) pay for the
    /// string only when a node is recorded, never on the no-grad evaluation path.
    @inlinable
    public func record(_ op: @autoclosure () -> String, _ inputs: [Tensor], _ fn: @escaping (Tensor) -> Void) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        parents = inputs
        backwardFn = fn
        setOp(op())
        return self
    }

    @usableFromInline func setOp(_ name: String) { op = name }

    /// Back-propagates from this tensor (a scalar, or with an explicit seed gradient)
    /// into every tensor that requires a gradient, then frees the graph.
    public func backward(seed: [Float]? = nil) {
        require(requiresGrad, "backward: tensor does not require a gradient (op \(op))")
        let g = gradPointer()
        if let seed {
            require(seed.count == count, "backward: seed has \(seed.count) values for shape \(shape)")
            for i in 0..<count { g[i] += seed[i] }
        } else {
            require(count == 1, "backward: needs a seed gradient for non-scalar shape \(shape)")
            g[0] += 1
        }
        for node in topologicalOrder().reversed() {
            guard let fn = node.backwardFn else { continue }
            fn(node)
            // The graph is single-use: release closures and parents so buffers recycle.
            node.backwardFn = nil
            node.parents = []
        }
    }

    /// Nodes reachable from self with every node after its inputs (iterative DFS).
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let p = node.parents[next]
                if p.backwardFn != nil, visited.insert(ObjectIdentifier(p)).inserted {
                    stack.append((p, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

/// Turns graph recording off on the current thread (evaluation, optimizer updates).
public enum GradMode {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// True unless inside `GradMode.withoutGrad` on this thread.
    @inlinable public static var isEnabled: Bool { !disabledOnThisThread }

    @usableFromInline static var disabledOnThisThread: Bool { pthread_getspecific(key) != nil }

    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}
