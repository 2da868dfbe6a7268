-- A k-fold cross-validated objective on a CSV file (scripts/data/moons.csv: two features,
-- a "label" column). The declarative `space` is suggested before objective is called and
-- handed to it as `params`. Relative paths are resolved against this script's directory.
study {
  name = "moons-kfold", direction = "maximize", trials = 10, seed = 5,
  space = {
    width = { "int", 4, 64, log = true },
    lr = { "float", 1e-3, 1e-1, log = true },
    activation = { "categorical", { "relu", "tanh" } },
  },
}

local data = hone.dataset { name = "data/moons.csv", target = "label" }

function objective(trial, params)
  local model = hone.mlp { inputs = data.features, hidden = { params.width, params.width },
                           outputs = data.classes, activation = params.activation }
  -- With `trial`, every (epoch, fold) is reported to the trial, all trials share one split,
  -- and after each fold a paired t-test against the best trial's folds can prune this one.
  -- The mean, std and per-fold values are stored as user attributes cv.mean, cv.std, cv.values.
  local cv = hone.cross_validate { model = model, data = data, folds = 4, epochs = 20, batch_size = 16,
                                   optimizer = { "adam", lr = params.lr }, trial = trial, paired_test = true }
  return cv.mean
end
