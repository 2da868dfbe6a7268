// Softmax followed by cross-entropy, fused: the gradient with respect to the logits is
// simply (softmax − one-hot) / batch, which is both cheaper and more stable than
// back-propagating through a separate log-softmax.
//
// Label smoothing ε (Szegedy et al. 2016; PyTorch's CrossEntropyLoss(label_smoothing=ε))
// trains against q = (1 − ε)·one-hot + ε/K instead of the one-hot target: the loss is
// logsumexp(z) − Σ_j q_j z_j and the gradient (softmax − q) / batch.

import Foundation

extension Tensor {
    /// Mean cross-entropy of logits [batch, classes] against integer class labels,
    /// optionally smoothed by `labelSmoothing` ∈ [0, 1].
    public func softmaxCrossEntropy(labels: [Int32], labelSmoothing: Float = 0) -> Tensor {
        require(rank == 2, "softmaxCrossEntropy: logits must be [batch, classes], got \(shape)")
        let batch = shape[0], classes = shape[1]
        require(labels.count == batch, "softmaxCrossEntropy: \(labels.count) labels for batch of \(batch)")
        require(labelSmoothing >= 0 && labelSmoothing <= 1, "softmaxCrossEntropy: labelSmoothing must be in [0, 1], got \(labelSmoothing)")
        // Target weights: `onLabel` on the true class plus `offLabel` on every class.
        let offLabel = labelSmoothing / Float(max(classes, 1)), onLabel = 1 - labelSmoothing
        let probs = TensorBuffer(count: count)
        var total: Double = 0
        labels.withUnsafeBufferPointer { lab in
            for r in 0..<batch {
                let z = data + r * classes, p = probs.pointer + r * classes
                var mx = z[0]
                for j in 1..<classes where z[j] > mx { mx = z[j] }
                var sum: Float = 0
                for j in 0..<classes { let e = expf(z[j] - mx); p[j] = e; sum += e }
                let inv = 1 / sum
                for j in 0..<classes { p[j] *= inv }
                let label = Int(lab[r])
                require(label >= 0 && label < classes, "softmaxCrossEntropy: label \(label) outside 0..<\(classes)")
                // log p[label] computed from the logits, not from p, to keep precision for tiny p.
                total += Double(mx + logf(sum)) - Double(onLabel) * Double(z[label])
                if offLabel > 0 {
                    var zSum = 0.0
                    for j in 0..<classes { zSum += Double(z[j]) }
                    total -= Double(offLabel) * zSum
                }
            }
        }
        let loss = Tensor(scalar: Float(total / Double(max(batch, 1))))
        let logits = self
        return loss.record("softmax_cross_entropy", [logits]) { out in
            let g = out.grad!.pointer[0] / Float(batch)
            let dz = logits.gradPointer()
            labels.withUnsafeBufferPointer { lab in
                for r in 0..<batch {
                    let p = probs.pointer + r * classes, d = dz + r * classes
                    for j in 0..<classes { d[j] += g * (p[j] - offLabel) }
                    d[Int(lab[r])] -= g * onLabel
                }
            }
        }
    }
}
