-- A conditional search space: which parameters exist depends on earlier choices.
-- The optimizer is picked first; only SGD has a momentum, only Adam-style optimizers a
-- beta1; the number of layers decides how many width parameters there are.
-- (A synthetic score stands in for training, so this runs in milliseconds.)
study { name = "conditional", direction = "maximize", trials = 40, seed = 1 }

function objective(trial)
  local optimizer = trial:suggest_categorical("optimizer", { "sgd", "adam" })
  local lr = trial:suggest_float("lr", 1e-4, 1e-1, { log = true })
  local score = -math.abs(math.log(lr, 10) + 2.5)        -- best near lr = 3e-3

  if optimizer == "sgd" then
    local momentum = trial:suggest_float("momentum", 0, 0.99)
    score = score - (0.9 - momentum) ^ 2
  else
    local beta1 = trial:suggest_float("beta1", 0.8, 0.999)
    score = score - (0.9 - beta1) ^ 2 + 0.1
  end

  local layers = trial:suggest_int("layers", 1, 3)
  for i = 1, layers do
    local width = trial:suggest_int("width_" .. i, 16, 256, { log = true })
    score = score - math.abs(math.log(width, 2) - 7) / (10 * layers)
  end
  local count = 0
  for _ in pairs(trial.params) do count = count + 1 end
  trial:set_user_attr("parameter_count", count)
  return score
end
