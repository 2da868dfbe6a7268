# From the reference of optuna.study.Study.trials_dataframe
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.study.Study.html#optuna.study.Study.trials_dataframe).
import optuna
import pandas


def objective(trial):
    x = trial.suggest_float("x", -1, 1)
    trial.set_user_attr("x_sq", x ** 2)
    return x ** 2


study = optuna.create_study()
study.optimize(objective, n_trials=3)

# Create a dataframe from the study.
df = study.trials_dataframe()
assert isinstance(df, pandas.DataFrame)
assert df.shape[0] == 3  # n_trials.
print(df)
for column in ["number", "value", "datetime_start", "datetime_complete", "duration", "params_x",
               "user_attrs_x_sq", "state"]:
    assert column in df.columns, column
assert list(df["state"]) == ["COMPLETE"] * 3
# Not ==: pandas squares as x * x, the objective with pow(), and the two differ in the last
# bit for about one x in a thousand.
assert ((df["value"] - df["params_x"] ** 2).abs() <= 1e-15).all()

df = study.trials_dataframe(attrs=("number", "value", "params", "state"))
assert list(df.columns) == ["number", "value", "params_x", "state"]

df = study.trials_dataframe(multi_index=True)
assert ("params", "x") in df.columns
