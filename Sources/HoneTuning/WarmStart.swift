// Warm starts from another study: its finished trials become history of a new study, so
// the sampler starts from what is already known instead of from scratch.
//
// Only trials that fit the new search space are copied — a copied value is evidence about
// a point of the new space only if that point exists there. Each kept parameter takes the
// new space's distribution, because samplers model a parameter from the trials whose
// distribution equals the current one; a copy that kept the old range would be ignored
// or, worse, mix two encodings of one name.

import Foundation
import HoneSearch

/// Where a warm start reads from: a study name and, optionally, the storage URL that
/// holds it (nil: the new study's own storage). Parsed from `STUDY[@URL]`.
public struct WarmStartSource: Equatable, Sendable {
    public var study: String
    public var storage: String?

    public init(study: String, storage: String? = nil) {
        self.study = study
        self.storage = storage
    }

    /// Parses `NAME` or `NAME@URL`. The name ends at the first `@`, so URLs with user
    /// names (`postgresql://user@host/db`) keep theirs.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let at = trimmed.firstIndex(of: "@") {
            study = String(trimmed[..<at])
            let url = String(trimmed[trimmed.index(after: at)...])
            guard !url.isEmpty else { throw TuningError.invalidArgument("warm start '\(text)': nothing after '@' (expected STUDY@STORAGE-URL)") }
            storage = url
        } else {
            study = trimmed
            storage = nil
        }
        guard !study.isEmpty else { throw TuningError.invalidArgument("warm start '\(text)': no study name (expected STUDY or STUDY@STORAGE-URL)") }
    }

    /// Loads the source study: from `storage` when given, else from `defaultStorage` (the
    /// new study's). `open` turns a URL into a storage (HoneStorage's `openStorage`).
    public func load(defaultStorage: Storage, open: (String) throws -> Storage) throws -> Study {
        let storage = try self.storage.map(open) ?? defaultStorage
        do {
            return try Study.load(name: study, storage: storage)
        } catch StorageError.studyNotFound {
            let names = (try? storage.allStudies().map(\.name)) ?? []
            throw TuningError.invalidArgument("warm start: no study named \"\(study)\" in \(self.storage ?? "the study's storage")"
                + (names.isEmpty ? "" : " (its studies: \(names.sorted().joined(separator: ", ")))"))
        }
    }
}

/// What a warm start did.
public struct WarmStartSummary: Equatable, Sendable {
    /// Trials copied by this call.
    public var copied: Int
    /// Trials of the source already copied into this study by an earlier warm start
    /// (a resumed study is not seeded twice).
    public var alreadyCopied: Int
    /// Source trials left out, with why (trial number → reason).
    public var skipped: [Int: String]

    public init(copied: Int = 0, alreadyCopied: Int = 0, skipped: [Int: String] = [:]) {
        self.copied = copied
        self.alreadyCopied = alreadyCopied
        self.skipped = skipped
    }

    /// One line for people: "copied 12 trials (3 skipped: …)".
    public var description: String {
        var text = "copied \(copied) trial\(copied == 1 ? "" : "s")"
        if alreadyCopied > 0 { text += ", \(alreadyCopied) already copied earlier" }
        if !skipped.isEmpty {
            let first = skipped.keys.sorted().prefix(3).map { "trial \($0): \(skipped[$0]!)" }
            text += "; skipped \(skipped.count) that do not fit the space (" + first.joined(separator: "; ")
                + (skipped.count > 3 ? "; …" : "") + ")"
        }
        return text
    }
}

extension Study {
    /// Copies the COMPLETE trials of `source` whose parameters fit `space` into this study.
    ///
    /// A trial fits when it has at least one parameter that `space` names and every such
    /// parameter's value lies in the new distribution (`Distribution.contains`); those
    /// parameters are stored with the new distributions, and parameters `space` does not
    /// name are dropped. With `space` nil (a define-by-run objective whose space is only
    /// known once it runs) every COMPLETE trial is copied with its own distributions.
    /// Values, intermediate reports and attributes are copied as they are; the copy
    /// records its origin in the system attribute `copied_from`, and trials copied by an
    /// earlier warm start from the same study are not copied again.
    ///
    /// Throws when the two studies optimize different numbers of objectives or in
    /// different directions (their values would not be comparable).
    @discardableResult
    public func warmStart(from source: Study, space: SearchSpace?) throws -> WarmStartSummary {
        guard source.directions == directions else {
            let mine = directions.map(\.rawValue).joined(separator: ", ").lowercased()
            let theirs = source.directions.map(\.rawValue).joined(separator: ", ").lowercased()
            throw StudyError.invalidArgument("cannot warm-start study \"\(name)\" (\(mine)) from \"\(source.name)\" (\(theirs)): the objectives' directions differ")
        }
        guard source.id != id || source.storage.identity != storage.identity else {
            throw StudyError.invalidArgument("cannot warm-start study \"\(name)\" from itself (in \(storage.identity))")
        }
        var present = Set<Int>()
        for t in try trials() {
            if case .object(let origin)? = t.systemAttrs["copied_from"], origin["study"] == .string(source.name),
               case .number(let n)? = origin["number"] { present.insert(Int(n)) }
        }
        var summary = WarmStartSummary()
        summary.copied = try copyTrials(from: source, states: [.complete], adapt: { trial in
            if present.contains(trial.number) { summary.alreadyCopied += 1; return nil }
            guard let space else { return TrialDraft(copying: trial) }
            switch Self.fit(trial, to: space) {
            case .success(let params):
                var draft = TrialDraft(copying: trial)
                draft.params = params
                return draft
            case .failure(let why):
                summary.skipped[trial.number] = why.reason
                return nil
            }
        })
        return summary
    }

    struct Misfit: Error { var reason: String }

    /// The trial's parameters re-expressed in `space`, or why it does not fit.
    static func fit(_ trial: FrozenTrial, to space: SearchSpace) -> Result<[TrialParam], Misfit> {
        var params: [TrialParam] = []
        for name in trial.params.keys.sorted() {
            guard let distribution = space[name] else { continue }
            let value = trial.params[name]!
            guard distribution.contains(value) else {
                return .failure(Misfit(reason: "\(name) = \(value) is outside \(distribution)"))
            }
            params.append(TrialParam(name: name, distribution: distribution, value: value))
        }
        if params.isEmpty { return .failure(Misfit(reason: "none of its parameters is in the space")) }
        return .success(params)
    }
}
