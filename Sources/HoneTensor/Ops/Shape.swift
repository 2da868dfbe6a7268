// Shape changes. Reshape and flatten only relabel a contiguous buffer, so they share
// it (no copy); transpose permutes axes and must move data, which it does with one
// strided read loop per innermost output row.

import Foundation

extension Tensor {
    /// The same values under a new shape (one dimension may be -1, inferred). The result
    /// shares this tensor's buffer: writing through either changes both.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        require(inferred.count <= 1, "reshaped: more than one -1 in \(newShape)")
        require(newShape.allSatisfy { $0 >= -1 }, "reshaped: negative dimension in \(newShape)")
        var target = newShape
        if let i = inferred.first {
            let known = newShape.enumerated().reduce(1) { $1.offset == i ? $0 : $0 * $1.element }
            require(known > 0 && count % known == 0,
                         "reshaped: cannot infer the -1 in \(newShape) for \(count) elements (shape \(shape))")
            target[i] = count / known
        }
        require(target.reduce(1, *) == count, "reshaped: cannot view shape \(shape) (\(count) elements) as \(newShape)")
        if target == shape { return self }
        let y = Tensor(shape: target, buffer: buffer)
        return y.record("reshape", [self]) { out in
            ElementwiseKernels.accumulate(out.grad!.pointer, self.count, scale: 1, into: self.gradPointer(), 1)
        }
    }

    /// Keeps axes before `startAxis` and merges the rest into one: [N, C, H, W] → [N, C·H·W].
    public func flattened(startAxis: Int = 1) -> Tensor {
        let start = startAxis < 0 ? startAxis + rank : startAxis
        require(start >= 0 && start < max(rank, 1), "flattened: start axis \(startAxis) out of range for shape \(shape)")
        if rank == 0 { return reshaped([1]) }
        return reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// Axes permuted: output axis i is input axis `permutation[i]`.
    public func transposed(_ permutation: [Int]) -> Tensor {
        require(permutation.count == rank && Set(permutation) == Set(0..<rank),
                     "transposed: \(permutation) is not a permutation of the \(rank) axes of \(shape)")
        if permutation == Array(0..<rank) { return self }
        let outShape = permutation.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * shape[d + 1] }
        // Input stride along each output axis.
        let strides = permutation.map { inStrides[$0] }
        let y = Tensor(uninitializedShape: outShape)
        Tensor.permuteRuns(outShape, strides) { src, dst, n, s in
            let x = self.data + src, yp = y.data + dst
            for i in 0..<n { yp[i] = x[i * s] }
        }
        return y.record("transpose", [self]) { out in
            let dy = out.grad!.pointer, dx = self.gradPointer()
            Tensor.permuteRuns(outShape, strides) { src, dst, n, s in
                let g = dy + dst, d = dx + src
                for i in 0..<n { d[i * s] += g[i] }
            }
        }
    }

    /// 2-D transpose [m, n] → [n, m].
    public func transposed() -> Tensor {
        require(rank == 2, "transposed(): needs a 2-D tensor, got \(shape); pass a permutation for rank \(rank)")
        return transposed([1, 0])
    }

    /// Walks a contiguous output of `outShape` row by row: `body(inputOffset, outputOffset,
    /// rowLength, inputStrideAlongRow)`, with `strides` the input stride of each output axis.
    private static func permuteRuns(_ outShape: [Int], _ strides: [Int], _ body: (Int, Int, Int, Int) -> Void) {
        let total = outShape.reduce(1, *)
        guard total > 0 else { return }
        let k = outShape.count - 1
        let n = outShape[k], s = strides[k]
        var index = [Int](repeating: 0, count: k)
        var src = 0
        for row in 0..<(total / n) {
            body(src, row * n, n, s)
            var d = k - 1
            while d >= 0 {
                index[d] += 1; src += strides[d]
                if index[d] < outShape[d] { break }
                src -= strides[d] * outShape[d]; index[d] = 0
                d -= 1
            }
        }
    }
}

extension Tensor {
    /// Joins tensors along `axis` (negative counts from the end); every other dimension must
    /// agree. Viewed as [outer, size_i · inner], each input is a block of columns copied in turn.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let ax = axis < 0 ? axis + first.rank : axis
        require(ax >= 0 && ax < first.rank, "concat: axis \(axis) out of range for shape \(first.shape)")
        for (i, t) in tensors.enumerated() {
            require(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
                         "concat: tensor \(i) has shape \(t.shape), incompatible with \(first.shape) along axis \(ax)")
        }
        var outShape = first.shape
        outShape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
        let outer = first.shape[..<ax].reduce(1, *), inner = first.shape[(ax + 1)...].reduce(1, *)
        let rowOut = outShape[ax] * inner
        let y = Tensor(uninitializedShape: outShape)
        var column = 0
        for t in tensors {
            let w = t.shape[ax] * inner
            if w > 0 {
                for o in 0..<outer { (y.data + o * rowOut + column).update(from: t.data + o * w, count: w) }
            }
            column += w
        }
        return y.record("concat", tensors) { out in
            let dy = out.grad!.pointer
            var column = 0
            for t in tensors {
                let w = t.shape[ax] * inner
                if t.requiresGrad && w > 0 {
                    let g = t.gradPointer()
                    for o in 0..<outer {
                        ElementwiseKernels.accumulate(dy + o * rowOut + column, w, scale: 1, into: g + o * w, 1)
                    }
                }
                column += w
            }
        }
    }
}
