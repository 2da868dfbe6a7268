// Checks shared by every backend, so they all reject the same records with the same words.

extension TrialDraft {
    /// Throws `StorageError.invalidRecord` unless the draft obeys `Storage.createTrial`'s rules.
    public func validate(objectives: Int) throws {
        var seen = Set<String>()
        for p in params {
            guard seen.insert(p.name).inserted else {
                throw StorageError.invalidRecord("parameter \"\(p.name)\" appears twice in the draft")
            }
            guard p.distribution.contains(p.value) else {
                throw StorageError.invalidRecord("parameter \"\(p.name)\": \(p.value) is not in \(p.distribution)")
            }
        }
        if !state.isFinished && finishedAt != nil {
            throw StorageError.invalidRecord("a \(state) trial cannot have a finish time")
        }
        if state == .complete {
            guard let v = values else { throw StorageError.invalidRecord("a COMPLETE trial needs values") }
            try TrialFinish.checkValues(v, objectives: objectives)
        }
        if let v = values, v.contains(where: { $0.isNaN }) {
            throw StorageError.invalidRecord("values must not be NaN, got \(v)")
        }
    }
}

extension TrialFinish {
    /// Throws `StorageError.invalidRecord` unless this is a valid way to end a trial.
    public func validate(objectives: Int) throws {
        guard state.isFinished else {
            throw StorageError.invalidRecord("a trial can only finish as COMPLETE, PRUNED or FAIL, not \(state)")
        }
        if state == .complete {
            guard let v = values else { throw StorageError.invalidRecord("a COMPLETE trial needs values") }
            try Self.checkValues(v, objectives: objectives)
        } else if let v = values, v.contains(where: { $0.isNaN }) {
            throw StorageError.invalidRecord("values must not be NaN, got \(v)")
        }
    }

    static func checkValues(_ v: [Double], objectives: Int) throws {
        guard v.count == objectives else {
            throw StorageError.invalidRecord("the study has \(objectives) objective(s), got \(v.count) value(s)")
        }
        guard v.allSatisfy({ $0.isFinite }) else {
            throw StorageError.invalidRecord("a COMPLETE trial needs finite values, got \(v)")
        }
    }
}

extension FrozenTrial {
    /// Applies `update` to a RUNNING trial snapshot, checking the rules of
    /// `Storage.updateTrial`. Backends that hold trials in memory use it directly; SQL
    /// backends mirror it statement by statement. The change sequence is left to the caller.
    public mutating func apply(_ update: TrialUpdate, objectives: Int) throws {
        guard state == .running else { throw StorageError.trialNotRunning(trialNumber: number, state: state) }
        try update.finish?.validate(objectives: objectives)
        for p in update.params {
            if let old = distributions[p.name] {
                if old != p.distribution || params[p.name] != p.value {
                    throw StorageError.paramConflict(trialNumber: number, name: p.name,
                        detail: "already set to \(params[p.name]!) from \(old), cannot set \(p.value) from \(p.distribution)")
                }
            } else if !p.distribution.contains(p.value) {
                throw StorageError.paramConflict(trialNumber: number, name: p.name,
                    detail: "\(p.value) is not in \(p.distribution)")
            }
        }
        for p in update.params {
            params[p.name] = p.value
            distributions[p.name] = p.distribution
        }
        for (k, v) in update.intermediateValues { intermediateValues[k] = v }
        for (k, v) in update.userAttrs { userAttrs[k] = v }
        for (k, v) in update.systemAttrs { systemAttrs[k] = v }
        if let h = update.heartbeatAt { heartbeatAt = h }
        if let f = update.finish {
            state = f.state
            values = f.values
            failReason = f.failReason
            finishedAt = f.at
        }
    }
}
