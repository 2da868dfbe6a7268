-- The main job: tune an MLP on Fashion-MNIST (Debian's dataset-fashion-mnist).
--   hone tune scripts/fashion_mnist_mlp.lua --storage sqlite:///fashion.db   (./fashion.db)
-- Each trial trains on the 60,000 training images (10% held out for validation, which
-- the search optimizes and the median rule prunes on), and records the accuracy on the
-- 10,000 test images, which the search never sees, as a user attribute.
study {
  name = "fashion-mlp", direction = "maximize", sampler = "tpe",
  pruner = { "median", n_startup_trials = 4, n_warmup_steps = 3 },
  trials = 12, jobs = 2, seed = 0,
}

local data = hone.dataset("fashion-mnist")

function objective(trial)
  local width   = trial:suggest_int("width", 128, 512, { log = true })
  local layers  = trial:suggest_int("layers", 1, 2)
  local lr      = trial:suggest_float("lr", 3e-4, 3e-3, { log = true })
  local dropout = trial:suggest_float("dropout", 0, 0.4)
  local hidden = {}
  for i = 1, layers do hidden[i] = width end

  local model = hone.mlp { inputs = data.features, hidden = hidden, outputs = data.classes,
                           activation = "relu", dropout = dropout }
  local fit = hone.fit {
    model = model, data = data, epochs = 10, batch_size = 128,
    optimizer = { "adamw", lr = lr, weight_decay = 1e-4 },
    on_epoch = function(epoch, metrics)
      trial:report(metrics.val_accuracy, epoch)
      if trial:should_prune() then trial:prune() end
    end,
  }
  local test = hone.evaluate(fit.model, data, "test")
  trial:set_user_attr("test_accuracy", test.accuracy)
  return fit.val_accuracy
end
