"""Non-finite numbers cross the C boundary as Hone writes them everywhere ("NaN",
"Infinity", "-Infinity" in JSON) and come back to Python as floats, never as None or as
a document turned into null."""
import math

import hone


def test_non_finite_attributes_read_back_as_floats():
    study = hone.create_study(storage="memory:", seed=0)
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.set_user_attr("diverged", {"test_loss": float("inf"), "low": float("-inf"), "acc": 0.5})
    trial.set_user_attr("missing", float("nan"))
    study.tell(trial, 1.0)
    attrs = study.trials[0].user_attrs
    assert attrs["diverged"] == {"test_loss": math.inf, "low": -math.inf, "acc": 0.5}
    assert math.isnan(attrs["missing"])
    assert study.trials[0].value == 1.0
