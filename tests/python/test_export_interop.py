"""`hone export` writes what other tools read: TensorBoard's own reader loads the event files
with the study's scalars, Python's csv and json modules read the CSV and JSON Lines exports.

The reference is `hone trials STUDY --format json`, a separate code path from the exports."""
import csv
import glob
import io
import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
HONE = Path(os.environ.get("HONE_CLI", ROOT / ".build" / "debug" / "hone-cli"))

STUDY = 'curves, "v1"'   # a comma and quotes: CSV quoting and directory names get exercised

SCRIPT = """
study { name = 'curves, "v1"', direction = "minimize", sampler = "random", trials = 10, seed = 5 }

function objective(trial)
  local lr = trial:suggest_float("lr", 1e-4, 1e-1, { log = true })
  local width = trial:suggest_int("width", 8, 64)
  local act = trial:suggest_categorical("activation", { "relu", "tanh, scaled" })
  trial:set_user_attr("note", "line one\\nline \\"two\\"")
  local loss = 1.0
  for step = 1, 6 do
    loss = loss * (1 - lr * 5) + width / 1000
    trial:report(loss, step)
    if step == 3 and width < 16 then trial:prune() end
  end
  if act == "relu" and width > 52 then error("too wide, \\"really\\"") end
  return loss
end
"""

MULTI = """
study { name = "two-objectives", directions = { "minimize", "maximize" }, sampler = "random", trials = 4, seed = 1 }

function objective(trial)
  local x = trial:suggest_float("x", 0, 1)
  return { x, 1 - x * x }
end
"""


def hone(*args, **kwargs):
    run = subprocess.run([str(HONE), *map(str, args)], capture_output=True, text=True, timeout=300, **kwargs)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    work = tmp_path_factory.mktemp("export")
    storage = f"sqlite:///{work}/runs.db"
    (work / "curves.lua").write_text(SCRIPT)
    (work / "multi.lua").write_text(MULTI)
    hone("tune", work / "curves.lua", "--storage", storage)
    hone("tune", work / "multi.lua", "--storage", storage)
    trials = json.loads(hone("trials", STUDY, "--storage", storage, "--format", "json"))
    states = {t["state"] for t in trials}
    assert {"COMPLETE", "PRUNED", "FAIL"} <= states, states
    return work, storage, trials


def reports(trial):
    """(step, value) of the trial's intermediate reports, in step order."""
    return [(r["step"], r["values"][0]) for r in sorted(trial["intermediate_values"], key=lambda r: (r["step"], r["fold"]))]


def event_file(root, study_dir, number):
    files = glob.glob(str(root / study_dir / f"trial-{number}" / "events.out.tfevents.*"))
    assert len(files) == 1, files
    return files[0]


def test_tensorboard_reader_loads_the_scalars(study):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    work, storage, trials = study
    out = work / "tb"
    hone("export", STUDY, "--storage", storage, "--format", "tensorboard", "--output", out)
    runs = sorted(os.listdir(out / STUDY))
    assert runs == sorted(f"trial-{t['number']}" for t in trials)

    for trial in trials:
        path = event_file(out, STUDY, trial["number"])
        events = list(EventFileLoader(path).Load())       # checks both CRCs of every record
        assert events, f"TensorBoard's loader read no event from {path} (bad framing or CRC)"
        assert events[0].file_version == "brain.Event:2"

        acc = EventAccumulator(path, size_guidance={"scalars": 0, "tensors": 0})
        acc.Reload()
        expected = reports(trial)
        curve = acc.Scalars("intermediate/value")
        assert [e.step for e in curve] == [s for s, _ in expected]
        assert [e.value for e in curve] == [float(np.float32(v)) for _, v in expected]

        scalar_tags = acc.Tags()["scalars"]
        if trial["values"] is None:
            assert trial["state"] == "FAIL"
            assert "objective/value" not in scalar_tags
        else:
            (final,) = acc.Scalars("objective/value")
            assert final.value == float(np.float32(trial["values"][0]))
            assert final.step == expected[-1][0]
        # Wall times are the trial's own times (the reference has milliseconds).
        assert abs(curve[0].wall_time - iso_seconds(trial["started_at"])) < 1e-3

        text = acc.Tensors("trial")[0].tensor_proto.string_val[0].decode()
        assert f"**Trial {trial['number']}**: {trial['state']}" in text
        for name in trial["params"]:
            assert f"| {name} |" in text


def test_hparams_dashboard_sees_every_trial(study):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import metadata

    work, storage, trials = study
    out = work / "tb-hparams"
    hone("export", STUDY, "--storage", storage, "--format", "tensorboard", "--output", out)
    status = {"COMPLETE": 1, "FAIL": 2, "PRUNED": 0}
    for trial in trials:
        acc = EventAccumulator(event_file(out, STUDY, trial["number"]), size_guidance={"tensors": 0})
        acc.Reload()
        content = acc.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content
        start = metadata.parse_session_start_info_plugin_data(content)
        got = {k: v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()}
        assert got == trial["params"]
        end = metadata.parse_session_end_info_plugin_data(
            acc.SummaryMetadata(metadata.SESSION_END_INFO_TAG).plugin_data.content)
        assert end.status == status[trial["state"]]


def test_several_objectives_get_a_tag_each(study):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    work, storage, _ = study
    trials = json.loads(hone("trials", "two-objectives", "--storage", storage, "--format", "json"))
    out = work / "tb-multi"
    hone("export", "two-objectives", "--storage", storage, "--format", "tensorboard", "--output", out)
    for trial in trials:
        acc = EventAccumulator(event_file(out, "two-objectives", trial["number"]))
        acc.Reload()
        for k, value in enumerate(trial["values"]):
            (event,) = acc.Scalars(f"objective/value_{k}")
            assert event.value == float(np.float32(value)) and event.step == 0


def test_export_is_deterministic(study):
    work, storage, _ = study
    a, b = work / "tb-a", work / "tb-b"
    for out in (a, b):
        hone("export", STUDY, "--storage", storage, "--format", "tensorboard", "--output", out)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_csv_module_reads_the_values(study):
    work, storage, trials = study
    path = work / "trials.csv"
    hone("export", STUDY, "--storage", storage, "--format", "csv", "--output", path)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["number"]) for r in rows] == [t["number"] for t in trials]
    for row, trial in zip(rows, trials):
        assert row["state"] == trial["state"]
        assert (float(row["value"]) if row["value"] else None) == (trial["values"][0] if trial["values"] else None)
        assert float(row["params_lr"]) == trial["params"]["lr"]
        assert int(row["params_width"]) == trial["params"]["width"]
        assert row["params_activation"] == trial["params"]["activation"]
        assert row["user_attrs_note"] == 'line one\nline "two"'
        assert row["fail_reason"] == (trial["fail_reason"] or "")
        last_step, last_value = reports(trial)[-1]
        assert int(row["intermediate_last_step"]) == last_step
        assert float(row["intermediate_last_value"]) == last_value
        assert math.isclose(float(row["duration_s"]), trial["duration_s"], rel_tol=1e-9, abs_tol=1e-6)


def test_jsonl_to_stdout_reads_back(study):
    _, storage, trials = study
    lines = hone("export", STUDY, "--storage", storage, "--format", "jsonl", "--output", "-").splitlines()
    assert len(lines) == len(trials)
    for line, trial in zip(lines, trials):
        obj = json.loads(line)
        assert obj["number"] == trial["number"] and obj["state"] == trial["state"]
        assert obj["values"] == trial["values"]
        assert obj["params"] == trial["params"]
        assert isinstance(obj["params"]["width"], int) and isinstance(obj["params"]["lr"], float)
        assert [(r["step"], r["values"][0]) for r in obj["intermediate_values"]] == reports(trial)
        assert obj["user_attrs"] == trial["user_attrs"]
        assert obj["fail_reason"] == trial["fail_reason"]


def test_bad_requests_are_clear_errors(study):
    _, storage, _ = study
    run = subprocess.run([str(HONE), "export", "no-such-study", "--storage", storage, "--format", "csv", "--output", "-"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "no-such-study" in run.stderr
    run = subprocess.run([str(HONE), "export", STUDY, "--storage", storage, "--format", "tensorboard", "--output", "-"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "directory" in run.stderr


def iso_seconds(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_optuna_journal_opens_in_optuna_and_optuna_dashboard(study):
    """`hone export --format optuna-journal`: Optuna's JournalStorage replays the file into
    the same trials (states, values, params with their distributions, intermediate values,
    attributes), and optuna-dashboard serves the study from it."""
    optuna = pytest.importorskip("optuna")
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    work, storage, trials = study
    path = work / "curves.log"
    hone("export", STUDY, "--storage", storage, "--format", "optuna-journal", "--output", path)
    journal = JournalStorage(JournalFileBackend(str(path)))
    loaded = optuna.load_study(study_name=STUDY, storage=journal)
    got = loaded.get_trials(deepcopy=False)
    assert [t.number for t in got] == [t["number"] for t in trials]
    for ours, theirs in zip(trials, got):
        assert theirs.state.name == ours["state"]
        if ours["state"] == "COMPLETE":
            assert theirs.value == ours["values"][0]
        assert set(theirs.params) == set(ours["params"])
        for name, value in ours["params"].items():
            assert theirs.params[name] == value
            kind = {float: "FloatDistribution", int: "IntDistribution", str: "CategoricalDistribution"}[type(value)]
            assert theirs.distributions[name].__class__.__name__ == kind
        ours_curve = dict(reports(ours))
        assert set(theirs.intermediate_values) == set(ours_curve)
        for step, value in ours_curve.items():
            assert theirs.intermediate_values[step] == value or (math.isnan(value) and math.isnan(theirs.intermediate_values[step]))
        assert theirs.user_attrs == ours["user_attrs"]
    complete = [t for t in trials if t["state"] == "COMPLETE"]
    assert loaded.best_value == min(t["values"][0] for t in complete)

    # optuna-dashboard's API lists the study and its trials.
    dashboard = pytest.importorskip("optuna_dashboard")
    app = dashboard.wsgi(journal)

    def get(url):
        from wsgiref.util import setup_testing_defaults
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": url}
        setup_testing_defaults(environ)
        status = []
        body = b"".join(app(environ, lambda s, h, *_: status.append(s)))
        assert status[0].startswith("200"), (url, status, body[:200])
        return json.loads(body)

    studies = get("/api/studies")["study_summaries"]
    assert [s["study_name"] for s in studies] == [STUDY]
    detail = get(f"/api/studies/{studies[0]['study_id']}")
    assert len(detail["trials"]) == len(trials)
