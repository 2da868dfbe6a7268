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

local data = hone.dataset { csv = "data/moons.csv", target = "label" }

function objective(trial, params)
  local model = hone.mlp { inputs = data.features, hidden = { params.width, params.width },
                           outputs = data.classes, activation = params.activation }
  local cv = hone.cross_validate { model = model, data = data, folds = 4, epochs = 20, batch_size = 16,
                                   optimizer = { "adam", lr = params.lr } }
  trial:set_user_attr("val_accuracy_std", cv.val_accuracy_std)
  return cv.val_accuracy
end
