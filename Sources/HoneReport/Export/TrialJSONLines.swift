// The trials of a study as JSON Lines: one JSON object per trial per line, everything
// stored about it, intermediate reports in full.

import HoneSearch
import HoneTensor

/// One line per trial (in trial-number order), each a trial in Hone's one JSON encoding
/// (TrialEncoding.swift in HoneSearch: the same object hone_study_trials_json gives, with
/// distributions, `intermediate_values`, `duration_s` and `worker_id`).
public enum TrialJSONLines {
    public static func render(trials: [FrozenTrial]) -> String {
        var writer = JSONWriter()
        for trial in trials.sorted(by: { $0.number < $1.number }) {
            writer.trial(trial)
            writer.raw("\n")
        }
        return writer.text
    }
}
