// Gaussian-process Bayesian optimisation (Snoek et al. 2012) with the log-EI acquisition
// (Ament et al. 2023).

import Foundation
import HoneTensor

/// Bayesian optimisation with a Gaussian-process surrogate.
///
/// Per ask, after `startupTrials` random trials:
/// 1. The COMPLETE trials numbered below this one (under a pruner, until there are
///    `startupTrials` of them: the trials that reached one step, valued by their reports
///    there — `modelledTrials`) that hold every parameter of the
///    intersection search space (with `conditional`: any parameter of the union, the
///    missing ones inactive) are encoded (`MixedSpaceEncoding`: numeric parameters in the
///    unit cube — log dims in log space, ints widened by half a step — and categoricals
///    as the index of their value), and their values standardised and oriented so that
///    larger is better.
/// 2. A GP is fitted by MAP (marginal likelihood + priors, L-BFGS with analytic
///    gradients; the lengthscales' prior peaks at a length that grows with the number of
///    parameters, `GaussianProcess.LengthscalePrior`), warm-started from the previous fit
///    (and from the default point on cold starts and periodically). Its kernel is
///    Matérn-5/2 with one lengthscale per parameter, on r² summing squared differences of
///    the numeric coordinates and the overlap (0 when equal, 1 otherwise) of the
///    categoricals. The fitted noise variance is recorded in the trial's system attribute
///    `gp.noise`.
/// 3. Pending (RUNNING) trials numbered below this one, and PRUNED trials that are not
///    observations, enter as exact fantasies at their posterior mean (the "kriging
///    believer" of Ginsbourger et al. 2010), which keeps parallel workers, and a pruner's
///    repeated stops, from bringing the same point back; a pruned trial whose reports the
///    modelled trials' learning curves translate enters at that estimate instead
///    (`PrunedTrialReports`).
/// 4. log EI is maximised jointly over the continuous and discrete coordinates (and, for a
///    conditional space, over its branches; see `maximizeMixedAcquisition`): 256 random
///    points plus perturbations of the best observed points are scored, and the best few
///    are refined by alternating projected L-BFGS over the numeric coordinates with sweeps
///    over every value of each categorical and the neighbouring values of each integer.
///
/// 5. Basin exclusion, once the search has stagnated. log EI is greedy: when one basin is
///    resolved it keeps refining it (or probes the box's corners, where the variance is
///    largest) even if that basin is only a local optimum — on Hartmann6 half the seeds
///    settled in the −3.20 basin. When the best value has not improved by more than
///    `stagnationTolerance` × (best − upper quartile of the values) over the last
///    `stagnationWindow` points,
///    every even-numbered trial restarts in the rest of the space: a GP fitted only on
///    the points outside a ball of `exclusionRadius` lengthscales around the incumbent
///    (so its lengthscales describe that region, not the resolved basin) proposes the
///    log-EI maximiser outside the ball, against the best value there. Odd trials keep
///    refining the incumbent. When the other region beats the incumbent it becomes the
///    incumbent. The state is recomputed from the trials on each ask, so it is as
///    reproducible as everything else.
/// 6. Branch turns (conditional spaces with several branches, `branchTurnsOnStagnation`).
///    log EI against the global best keeps every trial in the incumbent's branch once that
///    branch is resolved: the other branches hold a few random points, their posterior is
///    pessimistic there, and their EI is smaller than the incumbent's tiny refinements. On
///    the `conditional` surface the svm family (floor 0.075) was resolved first in most
///    seeds and kept ~60 of 90 trials while gbdt (floor 0.070, a ridge in trees × eta) was
///    never refined. So when the search stagnates (step 5's test), the even-numbered
///    trials go to the other branches in turn, with log EI against that branch's own best:
///    each branch gets refined, and one that overtakes the incumbent becomes it. Unlike a
///    fixed share of trials (tried: every 2nd or 3rd trial), it costs nothing before the
///    incumbent's branch has stopped improving. A branch whose last `branchTurnWindow`
///    turns were all pruned or failed gets no more of them (until something improves it): in
///    15-minute `hone auto` runs on Fashion-MNIST (noisy values, so the incumbent soon
///    "stagnates") every second trial went to the three MLP branches, far behind the
///    CNNs — 21 trials of one run, at the corners of the MLP space, most of them pruned
///    after an epoch or three, none better than that branch's random start.
///
/// Targets are centred on their lower quartile (worse values when maximising), not their
/// mean: far from the data the posterior reverts to a pessimistic value, which spends fewer
/// evaluations on unexplored corners of the box (Hartmann6 at 100 evaluations: 6 of 10
/// seeds in the global basin instead of 5, and sharper optima).
///
/// Cost is bounded: at most `maxFitPoints` points in the hyperparameter fit (O(n³) per
/// evaluation) and `maxPosteriorPoints` in the posterior (the best half and the most
/// recent). Multi-objective studies fall back to random sampling.
public final class GPSampler: Sampler, @unchecked Sendable {
    public struct Options: Sendable {
        /// Random trials before the model is used.
        public var startupTrials: Int = 10
        /// The smallest noise variance (of standardised targets). The fitted noise grows
        /// above it when the data are noisy. It must be tiny for deterministic objectives:
        /// standardised over a wide range of values, the differences near the optimum are
        /// small, and a floor of 1e-6 (Optuna's) blurs them — on Branin the median regret at
        /// 100 trials went from 3e-5 to 1.4e-7 with 1e-10. Jitter keeps Cholesky stable.
        public var noiseFloor: Double = 1e-10
        public var maxFitPoints: Int = 100
        public var maxPosteriorPoints: Int = 200
        public var hyperparameterIterations: Int = 60
        /// L-BFGS iterations when warm-started from the previous fit.
        public var warmHyperparameterIterations: Int = 20
        /// Also fit from the default start whenever the point count is a multiple of this.
        public var coldRestartInterval: Int = 8
        public var randomCandidates: Int = 256
        public var localSearchStarts: Int = 5
        public var acquisitionIterations: Int = 30
        /// Rounds of (L-BFGS over the numeric coordinates, sweep over the discrete ones) per
        /// local search of the acquisition (see `maximizeMixedAcquisition`).
        public var mixedSearchRounds: Int = 3
        /// Conditional spaces: model the union of the parameters of the trials (a trial's
        /// missing parameters inactive, see `MixedSpaceEncoding`) and propose a whole branch,
        /// instead of the parameters every trial has (Optuna's intersection search space,
        /// the rest sampled independently). On in `AutoSampler`.
        public var conditional: Bool = false
        /// Failed trials (the objective raised, e.g. a diverged training run) enter the
        /// model at the worst value of the complete ones, so their region is avoided.
        /// (Optuna's GPSampler leaves them out.)
        public var failedTrialsAsWorst: Bool = true
        /// Quantile of the observed values (oriented so larger is better) that the GP's
        /// prior mean is set to; 0.5 ≈ the usual centring on the mean.
        public var priorMeanQuantile: Double = 0.25
        /// Fit the GP to power-transformed values (`PowerTransform`: Box–Cox or Yeo–Johnson,
        /// λ by maximum likelihood, as HEBO does). Heavy-tailed objectives are modelled far
        /// better — Rosenbrock-4's median regret after 50 evaluations drops from ≈ 400 to
        /// ≈ 35 — but the GP alone then refines smooth optima less sharply (Branin at 100
        /// evaluations: 6e-5 instead of 6e-8), so it is off by default and on in
        /// `AutoSampler`, where a trust region does the refining.
        public var powerTransform: Bool = false
        /// Stagnation (step 5): no improvement larger than this fraction of the gap between
        /// the best value and the upper quartile over the last `stagnationWindow` points.
        /// nil: no basin exclusion.
        public var stagnationTolerance: Double? = 1e-3
        public var stagnationWindow: Int = 8
        /// Radius of the excluded ball around the incumbent, in fitted lengthscales.
        public var exclusionRadius: Double = 2.5
        /// Deterministic parallel mode: set to the number of workers n. Trial k then fits
        /// exactly trials 0 … k − n (waiting until they are all finished) and ignores
        /// pending trials, so a seeded study with `nJobs = n` repeats exactly. See
        /// `OrderedTrialReader`.
        public var deterministicParallelism: Int? = nil
        /// Step 6: in a conditional space, a stagnating even-numbered trial goes to a branch
        /// other than the incumbent's (in turn) instead of the basin exclusion of step 5.
        public var branchTurnsOnStagnation: Bool = true
        /// Step 6: a branch gets no more turns once its last this many turns were all pruned
        /// or failed, until a later point improves its best. nil: every branch keeps its turns.
        public var branchTurnWindow: Int? = 3
        public init() {}
    }

    public let name = "gp"
    /// Trial system attribute: the fitted noise variance of the standardised values.
    public static let noiseAttribute = "gp.noise"
    /// Trial system attribute: the step whose reports the model was fitted on, when it was
    /// fitted on intermediate reports rather than COMPLETE trials' values (`modelledTrials`).
    public static let fidelityAttribute = "gp.fidelity"
    public let options: Options
    private let fallback = RandomSampler()
    private let lock = NSLock()
    /// The last fitted hyperparameters per search space (warm start).
    private var lastFit: [SearchSpace: GPHyperparameters] = [:]
    private let window = DeterministicWindow()

    public init(options: Options = Options()) { self.options = options }

    public convenience init(startupTrials: Int) {
        var o = Options(); o.startupTrials = startupTrials
        self.init(options: o)
    }

    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        guard !study.isMultiObjective else { return SearchSpace() }
        guard options.conditional else {
            // `searchable` drops single-valued distributions, fixed ones included.
            return try window.intersectionSearchSpace(for: trial, workers: options.deterministicParallelism, study: study).searchable
        }
        // The union of the complete trials' parameters (first seen wins).
        let visibleBelow = try window.visibleBound(for: trial, workers: options.deterministicParallelism, study: study)
        var union = SearchSpace()
        for (t, _) in try modelledTrials(study: study, visibleBelow: visibleBelow).trials {
            for (name, d) in t.distributions.sorted(by: { $0.key < $1.key }) where union[name] == nil { union.set(name, d) }
        }
        return union.searchable
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        try fallback.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }

    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        let encoding = MixedSpaceEncoding(space: searchSpace)
        guard encoding.dimension > 0 else { return [:] }
        let sign = study.directions[0] == .maximize ? 1.0 : -1.0
        let visibleBelow = try window.visibleBound(for: trial, workers: options.deterministicParallelism, study: study)
        var points: [(x: [Double], y: Double, number: Int)] = []
        var activity: [(x: [Double], active: [Bool])] = []
        let modelled = try modelledTrials(study: study, visibleBelow: visibleBelow)
        for (t, v) in modelled.trials {
            guard let (x, active) = encoding.encode(t.params, allowInactive: options.conditional) else { continue }
            points.append((x, sign * v, t.number))
            activity.append((x, active))
        }
        guard points.count >= max(options.startupTrials, 1) else { return [:] }
        if let step = modelled.step { trial.setSystemAttribute(Self.fidelityAttribute, .number(Double(step))) }
        if options.failedTrialsAsWorst, let worst = points.map(\.y).min() {
            // A failed trial says its region is bad; left out, the model would propose the
            // same failing point again and again.
            for t in try study.trials(states: [.fail]) where t.number < visibleBelow {
                guard let (x, active) = encoding.encode(t.params, allowInactive: options.conditional) else { continue }
                points.append((x, worst, t.number))
                activity.append((x, active))
            }
        }
        let branches = SpaceBranch.branches(of: activity, encoding: encoding)
        var branchOf: [[Bool]: Int] = [:]
        for (b, branch) in branches.enumerated() { branchOf[branch.active] = b }
        var branchByNumber: [Int: Int] = [:]
        for (p, a) in zip(points, activity) { branchByNumber[p.number] = branchOf[a.active] ?? 0 }
        if options.powerTransform {
            // Transform the values to minimise (−y), then orient again.
            let warp = PowerTransform(fitting: points.map { -$0.y })
            points = points.map { ($0.x, -warp(-$0.y), $0.number) }
        }

        let posteriorPoints = Self.selectPoints(points, cap: options.maxPosteriorPoints)
        let fitPoints = Self.selectPoints(posteriorPoints, cap: options.maxFitPoints)
        // Standardise with the posterior set's statistics (used for the fit subset too).
        let scaling = TargetScaling(posteriorPoints.map(\.y), priorMeanQuantile: options.priorMeanQuantile)
        let d = encoding.dimension, cs = encoding.categoricalStart

        // No warm start in deterministic mode: which fit ran last in this process is timing.
        lock.lock(); let warm = options.deterministicParallelism == nil ? lastFit[searchSpace] : nil; lock.unlock()
        // A warm start from the previous fit converges in a few steps; the default start is
        // added on cold starts and every `coldRestartInterval` points, so a poor local
        // optimum of the likelihood is not kept forever.
        var starts: [GPHyperparameters] = []
        if let warm { starts.append(warm) }
        if warm == nil || points.count % max(1, options.coldRestartInterval) == 0 { starts.append(.initial(dimension: d)) }
        let theta = GaussianProcess.fitHyperparameters(
            inputs: fitPoints.flatMap(\.x), targets: fitPoints.map { scaling($0.y) }, dimension: d, categoricalStart: cs,
            noiseFloor: options.noiseFloor, starts: starts,
            maxIterations: warm == nil ? options.hyperparameterIterations : options.warmHyperparameterIterations)
        lock.lock(); lastFit[searchSpace] = theta; lock.unlock()
        // The fitted noise, for `AutoSampler`'s noise check (variance of standardised values).
        trial.setSystemAttribute(Self.noiseAttribute, .number(options.noiseFloor + exp(theta.logNoiseExcess)))

        // Kriging believer points (step 3): running trials (none in deterministic mode, where
        // which ones run is timing), and PRUNED trials that are not observations (stopped
        // below the modelled step). Left out, the model does not change while a pruner
        // (Hyperband) stops each attempt, and it proposes the same point again and again —
        // `hone auto` ran one MLP configuration ten times in a row that way.
        var pending: [Believer] = options.deterministicParallelism != nil ? [] : try study.runningTrials()
            .filter { $0.number < trial.number }
            .compactMap { encoding.encode($0.params, allowInactive: options.conditional).map { Believer(x: $0.x, running: true) } }
        let observed = Set(points.map(\.number))
        let reports = PrunedTrialReports(modelled: modelled.trials, values: points, sign: sign)
        pending += try study.trials(states: [.pruned]).filter { $0.number < visibleBelow && !observed.contains($0.number) }
            .suffix(options.maxPosteriorPoints).compactMap { t in
                encoding.encode(t.params, allowInactive: options.conditional).map { Believer(x: $0.x, reports: reports(t)) }
            }
        var model = posteriorPoints, excluded: (([Double]) -> Bool)? = nil
        var gp: GaussianProcess?
        var remodel: ([Believer]) -> GaussianProcess? = { [self] in
            posterior(posteriorPoints, scaling, theta, pending: $0, dimension: d, categoricalStart: cs)
        }
        // Step 6: in a conditional space, the stagnating trials go to the other branches, but
        // not to one whose last turns were all stopped (`branchTurnWindow`).
        let stagnating = trial.number % 2 == 0 && isStagnating(points)
        var turnBranches: [Int] = []
        if stagnating, branches.count > 1, options.branchTurnsOnStagnation {
            let incumbent = branchByNumber[model.max { $0.y < $1.y }!.number] ?? 0
            turnBranches = branches.indices.filter { $0 != incumbent }
            if let window = options.branchTurnWindow {
                // The finished turns by branch, and whether the pruner stopped them or they failed.
                var turns: [Int: [(number: Int, stopped: Bool)]] = [:]
                for t in try study.trials(states: [.complete, .pruned, .fail])
                where t.number < visibleBelow && t.systemAttrs["gp.mode"] == .string("branch-turn") {
                    guard let active = encoding.encode(t.params, allowInactive: options.conditional)?.active,
                          let b = branchOf[active] else { continue }
                    turns[b, default: []].append((t.number, t.state != .complete))
                }
                turnBranches.removeAll { b in
                    turnsStalled(points.filter { branchByNumber[$0.number] == b }, turns: turns[b] ?? [], window: window)
                }
            }
        }
        let branchTurn = !turnBranches.isEmpty
        if stagnating, !branchTurn {
            // Step 5: a model of the space outside the incumbent's basin.
            let centre = points.max { $0.y < $1.y }!.x
            let inverseSquaredHalfWidths = theta.logLengthscales.map { exp(-2 * $0) / (options.exclusionRadius * options.exclusionRadius) }
            let inside = { (x: [Double]) -> Bool in
                var s = 0.0
                for j in 0..<cs { let t = x[j] - centre[j]; s += t * t * inverseSquaredHalfWidths[j] }
                for j in cs..<d where x[j] != centre[j] { s += inverseSquaredHalfWidths[j] }
                return s < 1
            }
            let outside = posteriorPoints.filter { !inside($0.x) }
            if outside.count >= 5 {
                let outsideScaling = TargetScaling(outside.map(\.y), priorMeanQuantile: options.priorMeanQuantile)
                let outsideFit = Self.selectPoints(outside, cap: options.maxFitPoints)
                let outsideTheta = GaussianProcess.fitHyperparameters(
                    inputs: outsideFit.flatMap(\.x), targets: outsideFit.map { outsideScaling($0.y) }, dimension: d,
                    categoricalStart: cs, noiseFloor: options.noiseFloor, starts: [.initial(dimension: d)],
                    maxIterations: options.hyperparameterIterations)
                pending = pending.filter { !inside($0.x) }
                let outsideModel: ([Believer]) -> GaussianProcess? = { [self] in
                    posterior(outside, outsideScaling, outsideTheta, pending: $0, dimension: d, categoricalStart: cs)
                }
                gp = outsideModel(pending)
                if gp != nil {
                    model = outside; excluded = inside; remodel = outsideModel
                    trial.setSystemAttribute("gp.mode", .string("basin-exclusion"))
                }
            }
        }
        if gp == nil { gp = remodel(pending) }
        guard var gp else { return [:] }
        // Whether `x` repeats an estimated pruned trial not yet exact (then marked exact).
        func repeatsPending(_ x: [Double], active: [Bool]) -> Bool {
            guard let snapped = encoding.encode(encoding.decode(x, active: active), allowInactive: options.conditional)?.x
            else { return false }
            var found = false
            for i in pending.indices where !pending[i].exact && pending[i].reports.estimate != nil
                && zip(pending[i].x, snapped).allSatisfy({ abs($0 - $1) <= 1e-9 }) {
                pending[i].exact = true; found = true
            }
            return found
        }

        var rng = trial.random(for: "gp")
        let targets = gp.targets.prefix(model.count)
        let ranked = model.indices.sorted { model[$0].y > model[$1].y }
        // The maximiser of log EI over `candidates`; an estimated pruned trial is a noisy
        // observation, so the acquisition may still peak on it: then it becomes exact and
        // the acquisition is maximised again.
        func propose(_ candidates: [SpaceBranch], best: Double, observed: [(x: [Double], branch: Int)],
                     excluded: (([Double]) -> Bool)?) -> [String: ParamValue] {
            var proposal = maximizeMixedAcquisition(gp: gp, encoding: encoding, branches: candidates, best: best,
                                                    observed: observed, excluded: excluded, rng: &rng)
            while repeatsPending(proposal.x, active: candidates[proposal.branch].active), let exact = remodel(pending) {
                gp = exact
                proposal = maximizeMixedAcquisition(gp: gp, encoding: encoding, branches: candidates, best: best,
                                                    observed: observed, excluded: excluded, rng: &rng)
            }
            return encoding.decode(proposal.x, active: candidates[proposal.branch].active)
        }
        if branchTurn {
            // The branches other than the incumbent's that still get turns, in turn; log EI
            // against the branch's own best, so the proposal refines that branch instead of
            // probing its far corners.
            let b = turnBranches[(trial.number / 2) % turnBranches.count]
            let mine = ranked.filter { branchByNumber[model[$0].number] ?? 0 == b }
            if let top = mine.first {
                trial.setSystemAttribute("gp.mode", .string("branch-turn"))
                return propose([branches[b]], best: targets[top], observed: mine.map { (model[$0].x, 0) }, excluded: nil)
            }
        }
        // The incumbent of log EI counts the running trials' believers: they are data to the
        // posterior, and against the observed best alone a running trial whose mean beats it
        // leaves log EI positive all around it, so the next worker's proposal could land next
        // to it (1e-8 away in `testPendingTrialsAreNotProposedTwice`). Not the pruned
        // trials': a pruner stops many, and counting their means pushed the proposals out to
        // the box's bounds (`testManyPrunedTrialsKeepProposalsNearTheOptimum`).
        var best = targets.max()!
        for (i, b) in pending.enumerated() where b.running && model.count + i < gp.targets.count {
            best = max(best, gp.targets[model.count + i])
        }
        return propose(branches, best: best,
                       observed: ranked.map { (model[$0].x, branchByNumber[model[$0].number] ?? 0) }, excluded: excluded)
    }

    /// The trials the model is fitted on, with their values, and the step of their reports
    /// used as values (nil: COMPLETE trials' own values).
    ///
    /// With `startupTrials` COMPLETE trials with finite values, those (as step 1 describes).
    /// Under a multi-fidelity pruner that is most of a run without a model: Hyperband stops
    /// most trials at a low rung, and 60-minute `hone auto` runs reached their tenth COMPLETE
    /// trial after 53 minutes, so every trial before was random. Until then the model is
    /// fitted, as BOHB does (Falkner et al. 2018), on the highest step that `startupTrials`
    /// trials (COMPLETE or PRUNED) have reached, each trial valued by its report at that step
    /// (its latest report up to it): the networks of one rung, compared at the same
    /// epoch. Pruners compare reports with the objective's direction, and so does this.
    /// Without reports (no pruner), nothing changes.
    func modelledTrials(study: StudyView, visibleBelow: Int) throws -> (trials: [(FrozenTrial, Double)], step: Int?) {
        let complete = try study.completeTrials().filter { $0.number < visibleBelow }
            .compactMap { t in t.value.flatMap { $0.isFinite ? (t, $0) : nil } }
        let needed = max(options.startupTrials, 1)
        guard complete.count < needed else { return (complete, nil) }
        // Each trained trial's finite reports (the objective's, fold 0), by step.
        var curves: [(FrozenTrial, [(step: Int, value: Double)])] = []
        for t in try study.trials(states: [.complete, .pruned]) where t.number < visibleBelow {
            let curve = Self.finiteReports(of: t)
            if !curve.isEmpty { curves.append((t, curve)) }
        }
        // The highest step reached by `needed` trials: the needed-th largest last step.
        let reached = curves.map { $0.1.last!.step }.sorted(by: >)
        guard reached.count >= needed else { return (complete, nil) }
        let step = reached[needed - 1]
        let trials = curves.compactMap { t, curve -> (FrozenTrial, Double)? in
            guard curve.last!.step >= step, let report = curve.last(where: { $0.step <= step }) else { return nil }
            return (t, report.value)
        }
        return (trials, step)
    }

    /// A trial's finite reports of the objective (fold 0), by step.
    static func finiteReports(of t: FrozenTrial) -> [(step: Int, value: Double)] {
        t.intermediateCurve().compactMap { r in r.values.first.flatMap { $0.isFinite ? (r.step, $0) : nil } }
    }

    /// Values shifted so the prior mean sits at a quantile of them, over their standard deviation.
    struct TargetScaling {
        let offset: Double, scale: Double
        init(_ ys: [Double], priorMeanQuantile q: Double) {
            let mean = ys.reduce(0, +) / Double(ys.count)
            let std = (ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(ys.count)).squareRoot()
            scale = std > 1e-12 ? std : 1
            let sorted = ys.sorted()
            offset = sorted[min(sorted.count - 1, max(0, Int(q * Double(sorted.count - 1))))]
        }
        func callAsFunction(_ y: Double) -> Double { (y - offset) / scale }
    }

    /// A trial without a value that the posterior must account for (step 3).
    struct Believer {
        let x: [Double]
        /// What its reports say (a pruned trial's; running trials have none).
        var reports = PrunedTrialReports.Reading()
        /// An exact observation even with an estimate: set when the acquisition proposed
        /// this point again (see `sampleRelative`).
        var exact = false
        /// A RUNNING trial's (not a pruned one's).
        var running = false
    }

    /// The posterior given the points and the kriging believers (Ginsbourger et al. 2010).
    ///
    /// A pruned trial whose reports give an estimate (`PrunedTrialReports`) is an
    /// observation of it, at most the best observed value (it was behind others of its
    /// rung), with its prediction variance as noise: `hone auto` stops most trials after an
    /// epoch or three, and this is what the model learns from them. Any other believer is
    /// an exact observation of the posterior mean at its point, at most the bound its
    /// reports give; so is an estimated one marked `exact` (the mean updated with the
    /// estimate as a noisy measurement).
    ///
    /// Exact, not with the fitted noise: a noisy observation barely lowers the variance at
    /// its point where the model is already confident (with `gp.noise` ≈ 8e-4, as `hone
    /// auto` fits), so where the mean was above the best, log EI kept its maximum there and
    /// the sampler proposed the same pruned configuration again — six times in a row in a
    /// 15-minute `hone auto` run; `testPrunedTrialsAreNotProposedAgainUnderNoise`.
    private func posterior(_ points: [(x: [Double], y: Double, number: Int)], _ scaling: TargetScaling,
                           _ theta: GPHyperparameters, pending: [Believer], dimension d: Int,
                           categoricalStart cs: Int) -> GaussianProcess?
    {
        var inputs = points.flatMap(\.x), targets = points.map { scaling($0.y) }
        guard let gp = GaussianProcess(inputs: inputs, targets: targets, dimension: d, hyperparameters: theta,
                                       noiseFloor: options.noiseFloor, categoricalStart: cs) else { return nil }
        guard !pending.isEmpty, let best = targets.max() else { return gp }
        var noise = [Double](repeating: gp.noiseVariance, count: points.count)
        for b in pending {
            let cap = b.reports.cap.map { scaling($0) } ?? .infinity
            inputs += b.x
            if let e = b.reports.estimate {
                let variance = max(gp.noiseVariance, e.variance / (scaling.scale * scaling.scale))
                if b.exact {
                    let prediction = gp.predict(b.x)
                    let gain = prediction.variance / (prediction.variance + variance)
                    targets.append(min(prediction.mean + gain * (scaling(e.value) - prediction.mean), cap, best))
                    noise.append(options.noiseFloor)
                } else {
                    targets.append(min(scaling(e.value), cap, best))
                    noise.append(variance)
                }
            } else {
                targets.append(min(gp.predict(b.x).mean, cap))
                noise.append(options.noiseFloor)
            }
        }
        return GaussianProcess(inputs: inputs, targets: targets, dimension: d, hyperparameters: theta,
                               noiseFloor: options.noiseFloor, categoricalStart: cs, noiseVariances: noise) ?? gp
    }

    /// What a pruned trial's reports say of the value it would have reached, read against
    /// the modelled trials' learning curves at the step where it stopped (each modelled
    /// trial by its latest report up to that step, values oriented so larger is better):
    /// - `estimate`: with `minimumReferences` or more of them, a least-squares line from
    ///   their reports there to their values, evaluated at the pruned trial's report, with
    ///   the line's prediction variance. `hone auto` stops most trials after one or three
    ///   epochs; without this the GP learnt nothing from them (13 complete of 50 trials).
    /// - `cap`: at most the lowest value of those that reported at least as well there.
    ///   Learning curves rarely cross by much, so a network stopped at epoch 3 behind every
    ///   complete network's epoch-3 accuracy is believed no better than the worst of them.
    ///   None when it led them all.
    /// A trial without reports (pruned by the user) has neither.
    struct PrunedTrialReports {
        struct Reading {
            var cap: Double?
            var estimate: (value: Double, variance: Double)?
        }
        static let minimumReferences = 4
        /// Per modelled trial: its curve (oriented, larger is better) and its point value.
        private let references: [(curve: [(step: Int, value: Double)], value: Double)]
        private let sign: Double

        init(modelled: [(FrozenTrial, Double)], values points: [(x: [Double], y: Double, number: Int)], sign: Double) {
            var value: [Int: Double] = [:]
            for p in points { value[p.number] = p.y }
            self.sign = sign
            references = modelled.compactMap { t, _ in
                guard let y = value[t.number] else { return nil }
                let curve = Self.curve(of: t, sign: sign)
                return curve.isEmpty ? nil : (curve, y)
            }
        }

        private static func curve(of t: FrozenTrial, sign: Double) -> [(step: Int, value: Double)] {
            GPSampler.finiteReports(of: t).map { ($0.step, sign * $0.value) }
        }

        func callAsFunction(_ pruned: FrozenTrial) -> Reading {
            var reading = Reading()
            guard let last = Self.curve(of: pruned, sign: sign).last else { return reading }
            var pairs: [(report: Double, value: Double)] = []
            for r in references {
                guard let report = r.curve.last(where: { $0.step <= last.step }) else { continue }
                pairs.append((report.value, r.value))
                if report.value >= last.value { reading.cap = min(reading.cap ?? r.value, r.value) }
            }
            let n = Double(pairs.count)
            guard pairs.count >= Self.minimumReferences else { return reading }
            let meanReport = pairs.reduce(0) { $0 + $1.report } / n, meanValue = pairs.reduce(0) { $0 + $1.value } / n
            var sxx = 0.0, sxy = 0.0
            for p in pairs { sxx += (p.report - meanReport) * (p.report - meanReport); sxy += (p.report - meanReport) * (p.value - meanValue) }
            // A negative slope is noise: later accuracy does not fall as early accuracy rises.
            let slope = sxx > 0 ? max(0, sxy / sxx) : 0
            var sse = 0.0
            for p in pairs { let r = p.value - meanValue - slope * (p.report - meanReport); sse += r * r }
            let residual = sse / (n - 2), offset = last.value - meanReport
            let variance = residual * (1 + 1 / n + (sxx > 0 ? offset * offset / sxx : 0))
            reading.estimate = (meanValue + slope * offset, variance)
            return reading
        }
    }

    /// True when, over the last `stagnationWindow` points (by trial number), the best value
    /// improved by no more than `stagnationTolerance` times the gap between the best and the
    /// upper quartile. (Not the standard deviation: heavy-tailed values such as
    /// Rosenbrock's would make steady progress along a valley look like stagnation.)
    private func isStagnating(_ points: [(x: [Double], y: Double, number: Int)]) -> Bool {
        guard let tolerance = options.stagnationTolerance, points.count > options.stagnationWindow else { return false }
        let ordered = points.sorted { $0.number < $1.number }.map(\.y)
        let split = ordered.count - options.stagnationWindow
        return ordered[split...].max()! <= ordered[..<split].max()! + tolerance * Self.spread(ordered)
    }

    /// The gap between the best value and the upper quartile: the scale of "improved" in
    /// steps 5 and 6.
    private static func spread(_ ys: [Double]) -> Double {
        let sorted = ys.sorted()
        return sorted.last! - sorted[(3 * (sorted.count - 1)) / 4]
    }

    /// Step 6: whether a branch's last `window` turns were all pruned or failed and nothing
    /// since the first of them improved the best of its points (by step 5's tolerance).
    /// Only stopped turns count: a pruner's stop compares the turn with other trials at the
    /// same step — under Hyperband most turns into a hopeless branch end after an epoch —
    /// while a complete turn that did not improve may still be climbing a narrow ridge
    /// (`conditional`'s gbdt family, which the turns exist for: counting those too made
    /// `conditional-noisy` worse, median regret 0.0038 against 0.0013 at 100 evaluations).
    private func turnsStalled(_ points: [(x: [Double], y: Double, number: Int)], turns: [(number: Int, stopped: Bool)],
                              window: Int) -> Bool {
        guard let tolerance = options.stagnationTolerance, window > 0, turns.count >= window else { return false }
        let last = turns.sorted { $0.number < $1.number }.suffix(window)
        guard last.allSatisfy(\.stopped), let first = last.first?.number else { return false }
        guard let before = points.filter({ $0.number < first }).map(\.y).max() else { return false }
        guard let since = points.filter({ $0.number >= first }).map(\.y).max() else { return true }
        return since <= before + tolerance * Self.spread(points.map(\.y))
    }

    /// At most `cap` points: the best half by value and the most recent of the rest.
    /// Keeps the region of the optimum resolved while bounding the O(n³) cost.
    /// (Also `NoisyRecommendation`'s.)
    static func selectPoints(_ p: [(x: [Double], y: Double, number: Int)], cap: Int) -> [(x: [Double], y: Double, number: Int)] {
        guard p.count > cap else { return p }
        let byValue = p.indices.sorted { p[$0].y != p[$1].y ? p[$0].y > p[$1].y : p[$0].number < p[$1].number }
        var keep = Set(byValue.prefix(cap / 2))
        for i in p.indices.sorted(by: { p[$0].number > p[$1].number }) where keep.count < cap { keep.insert(i) }
        return p.indices.filter(keep.contains).map { p[$0] }
    }
}
