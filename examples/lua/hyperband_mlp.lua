-- Hyperband over an MLP on Fashion-MNIST, with promoted trials continuing their training.
--   hone tune examples/lua/hyperband_mlp.lua --storage sqlite:///hyperband.db
-- The study's scheduler hands each call of the objective its work (trial.work: train from
-- `start` to `budget` epochs, resuming the checkpoint of trial `resume_from`).
-- hone.fit { resume = trial } does exactly that and leaves this trial's checkpoint for its
-- next rung, so a configuration promoted from 3 to 9 epochs trains 6 more, not 9 again.
-- The same objective runs under PBT: replace the scheduler with
--   scheduler = { "pbt", population_size = 8, generations = 9, steps_per_generation = 1 }
-- (each segment is then a trial resuming the segment it continues or copied).
study {
  name = "fashion-hyperband", direction = "maximize",
  scheduler = { "hyperband", min_resource = 1, max_resource = 9, reduction_factor = 3 },
  trials = 30, jobs = 2, seed = 0,
}

local data = hone.dataset("fashion-mnist")

function objective(trial)
  local width = trial:suggest_int("width", 64, 512, { log = true })
  local lr    = trial:suggest_float("lr", 1e-4, 1e-2, { log = true })
  local model = hone.mlp { inputs = data.features, hidden = { width, width }, outputs = data.classes }
  local fit = hone.fit {
    model = model, data = data, batch_size = 128, resume = trial,
    epochs = trial.work.max_budget,            -- the full run's length (for schedules)
    optimizer = { "adamw", lr = lr, weight_decay = 1e-4 },
    on_epoch = function(epoch, metrics) trial:report(metrics.val_accuracy, epoch) end,
  }
  return fit.val_accuracy
end
