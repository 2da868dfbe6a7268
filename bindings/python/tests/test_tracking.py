"""Tracking callbacks: each finished trial is logged to MLflow's local file store and to
Weights & Biases in offline mode, and read back from what those tools wrote."""
import glob
import os
import struct

import pytest

import hone
from hone import TrialState


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    act = trial.suggest_categorical("act", ["relu", "tanh"])
    for step in range(3):
        trial.report(x * x + step, step)
    if trial.number == 1:
        raise hone.TrialPruned()
    if trial.number == 2:
        raise RuntimeError("broken on purpose")
    return x * x + (act == "tanh")


def run_study(callback, n_jobs=1):
    study = hone.create_study(study_name="tracked", sampler="random", seed=3)
    study.optimize(objective, n_trials=4, n_jobs=n_jobs, callbacks=[callback], catch=(RuntimeError,))
    return study, {t.number: t for t in study.trials}


def test_callbacks_see_each_trial_of_the_run_once_after_it_is_stored():
    seen = []
    study = hone.create_study(sampler="random", seed=0)
    study.optimize(objective, n_trials=2, catch=(RuntimeError,))  # earlier trials are not re-reported
    study.optimize(objective, n_trials=5, n_jobs=2, callbacks=[lambda s, t: seen.append((t.number, t.state))], catch=(RuntimeError,))
    assert sorted(n for n, _ in seen) == [2, 3, 4, 5, 6]
    assert all(state.is_finished() for _, state in seen)
    assert dict(seen)[2] == TrialState.FAIL


def test_an_exception_in_a_callback_stops_the_study_and_is_raised():
    def bad(study, trial):
        raise ValueError("callback broke")
    study = hone.create_study(sampler="random", seed=0)
    with pytest.raises(ValueError, match="callback broke"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=20, callbacks=[bad])
    assert study.trial_count() < 20


def test_mlflow_file_store_holds_one_run_per_trial(tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = f"file://{tmp_path / 'mlruns'}"
    study, trials = run_study(hone.tracking.MLflowCallback(tracking_uri=uri), n_jobs=2)
    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("tracked")
    runs = {int(r.data.tags["hone.trial"]): r for r in client.search_runs([experiment.experiment_id])}
    assert sorted(runs) == [0, 1, 2, 3]
    for number, run in runs.items():
        t = trials[number]
        assert run.data.tags["hone.state"] == t.state.name
        assert run.data.params == {k: str(v) for k, v in t.params.items()}
        history = client.get_metric_history(run.info.run_id, "intermediate")
        assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == \
            sorted(t.intermediate_values.items())
        assert run.info.status == {TrialState.COMPLETE: "FINISHED", TrialState.PRUNED: "KILLED"}.get(t.state, "FAILED")
        if t.state == TrialState.COMPLETE:
            assert run.data.metrics["value"] == pytest.approx(t.value)
    assert "broken on purpose" in runs[2].data.tags["hone.fail_reason"]


def wandb_records(path):
    """The protobuf records of a .wandb file (LevelDB log format after a 7-byte header)."""
    from wandb.proto import wandb_internal_pb2 as pb
    data = open(path, "rb").read()
    assert data[:4] == b":W&B"
    pos, block, pending = 7, 32768, b""
    while pos + 7 <= len(data):
        left = block - pos % block
        if left < 7:
            pos += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        if length == 0 and kind == 0:
            pos += left
            continue
        chunk = data[pos + 7:pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):
            record = pb.Record()
            record.ParseFromString(pending + chunk if kind == 4 else chunk)
            pending = b""
            yield record
        elif kind == 2:
            pending = chunk
        elif kind == 3:
            pending += chunk


def test_wandb_offline_runs_hold_params_curves_and_values(tmp_path, monkeypatch):
    pytest.importorskip("wandb")
    import json
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    study, trials = run_study(hone.tracking.WandbCallback(project="hone-test", mode="offline", dir=str(tmp_path)))
    files = glob.glob(str(tmp_path / "wandb" / "offline-run-*" / "*.wandb"))
    assert len(files) == 4
    seen = {}
    for f in files:
        config, history, summary, name = {}, [], {}, None
        for r in wandb_records(f):
            kind = r.WhichOneof("record_type")
            if kind == "run":
                name = r.run.display_name
                config.update({i.key: json.loads(i.value_json) for i in r.run.config.update})
            elif kind == "config":
                config.update({i.key: json.loads(i.value_json) for i in r.config.update})
            elif kind == "history":
                items = {i.key or "/".join(i.nested_key): json.loads(i.value_json) for i in r.history.item}
                history.append((items["_step"], items["intermediate"]))
            elif kind == "summary":
                summary.update({i.key or "/".join(i.nested_key): json.loads(i.value_json) for i in r.summary.update})
        assert name is not None, (f, [r.WhichOneof("record_type") for r in wandb_records(f)][:4])
        number = int(name.rsplit("-", 1)[1])
        t = trials[number]
        assert name == f"tracked-trial-{number}"
        assert {k: v["value"] if isinstance(v, dict) and "value" in v else v
                for k, v in config.items() if not k.startswith("_")} == t.params
        assert sorted(history) == sorted(t.intermediate_values.items())
        assert summary["state"] == t.state.name
        if t.state == TrialState.COMPLETE:
            assert summary["value"] == pytest.approx(t.value)
        seen[number] = t.state
    assert sorted(seen) == [0, 1, 2, 3]
