// Which of the search's trained networks the final model averages: greedy forward
// selection on the validation split (Caruana, Niculescu-Mizil, Crew & Ksikes, "Ensemble
// selection from libraries of models", ICML 2004). Start from the best single network;
// add, one at a time, the network whose addition most improves the averaged prediction
// on the validation split; stop when none improves it or `maxMembers` are in.
//
// Why by the ensemble's score and not by each network's own: a network a little worse on
// its own but wrong on other samples helps the average more than a near-copy of the best
// (the search's top trials are often neighbours of one configuration). Selection without
// replacement keeps the members equally weighted, which the Ensemble layer computes.
//
// Classification averages log-probabilities as the Ensemble layer does and scores by
// accuracy, ties broken by cross-entropy (accuracy alone moves in steps of one sample
// and would stop at the first tie); regression averages outputs and scores by MSE.

import Foundation
import HoneData

enum EnsembleSelection {
    /// Indices into `outputs` (each one network's validation outputs, row-major
    /// [samples × outputCount]) in the order chosen; `first` is the best single network.
    static func select(_ outputs: [[Float]], targets: Targets, first: Int, maxMembers: Int) -> [Int] {
        guard !outputs.isEmpty, maxMembers > 1 else { return outputs.isEmpty ? [] : [first] }
        let scoring = Scoring(targets: targets)
        let prepared = outputs.map(scoring.prepare)
        var chosen = [first]
        var sum = prepared[first]
        var current = scoring.score(sum, members: 1)
        while chosen.count < min(maxMembers, outputs.count) {
            var best: (index: Int, score: Score)?
            for k in prepared.indices where !chosen.contains(k) {
                let s = scoring.score(zip(sum, prepared[k]).map(+), members: chosen.count + 1)
                if s.isBetter(than: best?.score ?? current) { best = (k, s) }
            }
            guard let best else { break }
            chosen.append(best.index)
            sum = zip(sum, prepared[best.index]).map(+)
            current = best.score
        }
        return chosen
    }

    /// Higher accuracy, then lower loss (classification); lower loss (regression).
    struct Score {
        var accuracy: Double?
        var loss: Double
        func isBetter(than other: Score) -> Bool {
            if let a = accuracy, let b = other.accuracy, a != b { return a > b }
            return loss < other.loss - 1e-12
        }
    }

    private struct Scoring {
        let labels: [Int32]?
        let values: [Float]?
        let width: Int

        init(targets: Targets) {
            switch targets {
            case .classes(let l, let classCount, _): (labels, values, width) = (l, nil, classCount)
            case .regression(let v, let outputCount): (labels, values, width) = (nil, v, outputCount)
            }
        }

        /// Log-softmax rows (classification) or the outputs as they are (regression), in
        /// double precision for the sums.
        func prepare(_ output: [Float]) -> [Double] {
            var out = output.map(Double.init)
            guard labels != nil else { return out }
            for start in stride(from: 0, to: out.count, by: width) {
                let row = start..<(start + width)
                let top = out[row].max() ?? 0
                let logSum = top + Foundation.log(out[row].reduce(0) { $0 + Foundation.exp($1 - top) })
                for j in row { out[j] -= logSum }
            }
            return out
        }

        /// The score of the mean of `members` prepared outputs, given their sum.
        func score(_ sum: [Double], members: Int) -> Score {
            let scale = 1 / Double(members)
            if let labels {
                var correct = 0, loss = 0.0
                for (i, label) in labels.enumerated() {
                    let row = (i * width)..<((i + 1) * width)
                    var top = row.lowerBound
                    for j in row where sum[j] > sum[top] { top = j }
                    if top - row.lowerBound == Int(label) { correct += 1 }
                    // The averaged log-probabilities are the logits of the ensemble.
                    let m = sum[top] * scale
                    let logSum = m + Foundation.log(sum[row].reduce(0) { $0 + Foundation.exp($1 * scale - m) })
                    loss += logSum - sum[row.lowerBound + Int(label)] * scale
                }
                return Score(accuracy: Double(correct) / Double(labels.count), loss: loss / Double(labels.count))
            }
            let values = values ?? []
            var loss = 0.0
            for (i, v) in values.enumerated() { let d = sum[i] * scale - Double(v); loss += d * d }
            return Score(accuracy: nil, loss: loss / Double(max(values.count, 1)))
        }
    }
}
