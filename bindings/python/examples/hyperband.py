"""Hyperband (or PBT) with trials that continue from their checkpoints.

    python3 bindings/python/examples/hyperband.py [hyperband|bohb|asha|successive_halving|pbt|async_pbt]

A softmax regression trained by minibatch SGD in numpy stands in for a network: the
pattern is the same with PyTorch (keep ``model.state_dict()`` and the optimizer's
instead of the weight matrix). The study's scheduler hands each call its work,
``trial.work``: train from ``start`` to ``budget`` epochs, starting from the checkpoint of
trial ``resume_from``. Checkpoints live in a dict keyed by trial number.
"""
import sys

import numpy as np

import hone

rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 20))
true_w = rng.normal(size=(20, 4))
y = np.argmax(X @ true_w + rng.gumbel(size=(2000, 4)), axis=1)
X_train, y_train, X_val, y_val = X[:1500], y[:1500], X[1500:], y[1500:]

checkpoints = {}          # trial number -> (weights, epochs trained)
epochs_trained = [0]      # what the whole study spent


def accuracy(w):
    return float(np.mean(np.argmax(X_val @ w, axis=1) == y_val))


def objective(trial):
    lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
    l2 = trial.suggest_float("l2", 1e-6, 1e-1, log=True)
    batch = trial.suggest_categorical("batch", [16, 64, 256])
    work = trial.work
    if work.resume_from is not None:
        w, done = checkpoints[work.resume_from]
        w = w.copy()      # PBT may resume one checkpoint from several members
        assert done == work.start
    else:
        w = np.zeros((20, 4))
    order = np.random.default_rng(trial.number)
    for epoch in range(int(work.start), int(work.budget)):
        for i in np.array_split(order.permutation(len(X_train)), len(X_train) // batch):
            logits = X_train[i] @ w
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(i)), y_train[i]] -= 1
            w -= lr * (X_train[i].T @ p / len(i) + l2 * w)
        epochs_trained[0] += 1
        trial.report(accuracy(w), epoch + 1)
    checkpoints[trial.number] = (w, work.budget)
    return accuracy(w)


SCHEDULERS = {
    "hyperband": hone.schedulers.HyperbandScheduler(max_resource=27, iterations=1),
    "bohb": hone.schedulers.BOHBScheduler(max_resource=27, iterations=1),
    "asha": hone.schedulers.ASHAScheduler(max_resource=27),
    "successive_halving": hone.schedulers.SuccessiveHalvingScheduler(n_configurations=27, max_resource=27),
    "pbt": hone.schedulers.PopulationBasedTraining(population_size=6, generations=9, steps_per_generation=3),
    "async_pbt": hone.schedulers.AsynchronousPBT(population_size=6, total_steps=27, steps_per_ready=3),
}

if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "hyperband"
    study = hone.create_study(direction="maximize", seed=0, scheduler=SCHEDULERS[name])
    study.optimize(objective, n_trials=60)
    states = [t.state.name for t in study.trials]
    print(f"{name}: {len(states)} trials ({states.count('COMPLETE')} complete, {states.count('PRUNED')} pruned), "
          f"{epochs_trained[0]} epochs trained, best validation accuracy {study.best_value:.3f} with {study.best_params}")
