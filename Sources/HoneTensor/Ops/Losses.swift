// Regression and binary-classification losses, each the mean over every element and
// each one fused kernel (no intermediate tensors): the loss and its gradient are both
// cheap closed forms. Sums are taken in Double so a large batch does not lose the
// small terms. The softmax cross-entropy lives in SoftmaxCrossEntropy.swift.

import Foundation

extension Tensor {
    private func checkSameShape(_ other: Tensor, _ op: String, _ what: String) {
        require(shape == other.shape, "\(op): \(what) shape \(other.shape) does not match prediction shape \(shape)")
        require(count > 0, "\(op): empty prediction of shape \(shape)")
    }

    /// Mean binary cross-entropy of logits x against targets t in [0, 1], in the stable form
    /// max(x, 0) − x·t + log(1 + exp(−|x|)), which never evaluates exp of a large positive number.
    public func binaryCrossEntropyWithLogits(targets: Tensor) -> Tensor {
        checkSameShape(targets, "binaryCrossEntropyWithLogits", "targets")
        let x = data, t = targets.data, n = count
        var total = 0.0
        for i in 0..<n {
            let v = x[i]
            total += Double(max(v, 0) - v * t[i] + log1pf(expf(-abs(v))))
        }
        let loss = Tensor(scalar: Float(total / Double(n)))
        let logits = self
        return loss.record("bce_with_logits", [logits, targets]) { out in
            let g = out.grad!.pointer[0] / Float(n)
            if logits.requiresGrad { // d/dx = sigmoid(x) − t
                let dx = logits.gradPointer()
                for i in 0..<n { dx[i] += g * (Activation.sigmoid(x[i]) - t[i]) }
            }
            if targets.requiresGrad { // d/dt = −x
                let dt = targets.gradPointer()
                for i in 0..<n { dt[i] -= g * x[i] }
            }
        }
    }

    /// Mean squared error, mean((self − target)²).
    public func mse(target: Tensor) -> Tensor {
        checkSameShape(target, "mse", "target")
        let x = data, t = target.data, n = count
        var total = 0.0
        for i in 0..<n { let d = x[i] - t[i]; total += Double(d * d) }
        let loss = Tensor(scalar: Float(total / Double(n)))
        let pred = self
        return loss.record("mse", [pred, target]) { out in
            let g = 2 * out.grad!.pointer[0] / Float(n)
            if pred.requiresGrad {
                let dx = pred.gradPointer()
                for i in 0..<n { dx[i] += g * (x[i] - t[i]) }
            }
            if target.requiresGrad {
                let dt = target.gradPointer()
                for i in 0..<n { dt[i] -= g * (x[i] - t[i]) }
            }
        }
    }

    /// Mean absolute error (L1 loss), mean(|self − target|). Its subgradient at a tie is 0.
    public func l1(target: Tensor) -> Tensor {
        checkSameShape(target, "l1", "target")
        let x = data, t = target.data, n = count
        var total = 0.0
        for i in 0..<n { total += Double(abs(x[i] - t[i])) }
        let loss = Tensor(scalar: Float(total / Double(n)))
        let pred = self
        return loss.record("l1", [pred, target]) { out in
            let g = out.grad!.pointer[0] / Float(n)
            @inline(__always) func sign(_ d: Float) -> Float { d > 0 ? 1 : (d < 0 ? -1 : 0) }
            if pred.requiresGrad {
                let dx = pred.gradPointer()
                for i in 0..<n { dx[i] += g * sign(x[i] - t[i]) }
            }
            if target.requiresGrad {
                let dt = target.gradPointer()
                for i in 0..<n { dt[i] -= g * sign(x[i] - t[i]) }
            }
        }
    }
}
