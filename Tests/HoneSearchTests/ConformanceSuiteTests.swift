import Foundation
import HoneSearch
import HoneSearchConformance
import XCTest

/// The suites must be able to fail: each broken implementation below is caught.
final class ConformanceSuiteTests: XCTestCase {
    func testStorageSuiteCatchesABackendThatIgnoresTheChangeCursor() {
        let failed = runQuietly { StorageConformance.checks.filter { $0.name.hasPrefix("change sequence") } } make: {
            ForgetfulStorage() as Storage
        }
        XCTAssertEqual(failed.count, 1)
    }

    func testSamplerSuiteCatchesASamplerThatLeavesTheBounds() {
        let failed = runQuietly { SamplerConformance.checks.filter { $0.name.hasPrefix("every distribution kind") } } make: {
            SamplerConformance.Subject(make: { OutOfBoundsSampler() }, options: .init())
        }
        XCTAssertEqual(failed.count, 1)
    }

    func testSamplerSuiteCatchesASamplerThatUsesTheClock() {
        let failed = runQuietly { SamplerConformance.checks.filter { $0.name.hasPrefix("same seed") } } make: {
            SamplerConformance.Subject(make: { ClockSampler() }, options: .init())
        }
        XCTAssertEqual(failed.count, 1)
    }

    /// Runs checks directly (not through XCTFail) and returns the names that failed.
    private func runQuietly<S>(_ checks: () -> [ConformanceCheck<S>], make: () -> S) -> [String] {
        checks().compactMap { check in
            do { try check.body(make()); return nil } catch { return check.name }
        }
    }
}

/// Answers every incremental read with nothing.
private final class ForgetfulStorage: Storage, @unchecked Sendable {
    let base = InMemoryStorage()
    func createStudy(name: String, directions: [StudyDirection], now: Date) throws -> StudyRecord { try base.createStudy(name: name, directions: directions, now: now) }
    func study(named name: String) throws -> StudyRecord? { try base.study(named: name) }
    func study(id: Int64) throws -> StudyRecord? { try base.study(id: id) }
    func allStudies() throws -> [StudyRecord] { try base.allStudies() }
    func deleteStudy(id: Int64) throws { try base.deleteStudy(id: id) }
    func setStudyAttributes(studyId: Int64, user: [String: JSONValue], system: [String: JSONValue]) throws { try base.setStudyAttributes(studyId: studyId, user: user, system: system) }
    func createTrial(studyId: Int64, draft: TrialDraft) throws -> FrozenTrial { try base.createTrial(studyId: studyId, draft: draft) }
    func startTrial(studyId: Int64, _ start: TrialStart) throws -> FrozenTrial { try base.startTrial(studyId: studyId, start) }
    func updateTrial(id: Int64, _ update: TrialUpdate) throws { try base.updateTrial(id: id, update) }
    func recordHeartbeat(trialIds: [Int64], now: Date) throws { try base.recordHeartbeat(trialIds: trialIds, now: now) }
    func failStaleTrials(studyId: Int64, heartbeatBefore: Date, now: Date) throws -> [FrozenTrial] { try base.failStaleTrials(studyId: studyId, heartbeatBefore: heartbeatBefore, now: now) }
    func trial(id: Int64) throws -> FrozenTrial? { try base.trial(id: id) }
    func trial(studyId: Int64, number: Int) throws -> FrozenTrial? { try base.trial(studyId: studyId, number: number) }
    func trials(studyId: Int64, states: Set<TrialState>?, changedAfter: Int64) throws -> TrialChanges {
        let r = try base.trials(studyId: studyId, states: states, changedAfter: 0)
        return changedAfter == 0 ? r : TrialChanges(trials: [], cursor: r.cursor)
    }
    func trialCount(studyId: Int64, states: Set<TrialState>?) throws -> Int { try base.trialCount(studyId: studyId, states: states) }
    func changeCursor(studyId: Int64) throws -> Int64 { try base.changeCursor(studyId: studyId) }
}

/// Returns the upper bound + 1 for numbers.
private final class OutOfBoundsSampler: Sampler {
    let name = "out-of-bounds"
    func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        if case .float(let d) = distribution { return .float(d.high + 1) }
        return try RandomSampler().sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }
}

/// Draws from the clock instead of the trial's stream.
private final class ClockSampler: Sampler {
    let name = "clock"
    func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        let u = Double(DispatchTime.now().uptimeNanoseconds % 1_000_003) / 1_000_003
        return distribution.toExternal(distribution.fromUnit(u))
    }
}
