-- A custom early-stopping rule: stop a run whose validation accuracy, after a warm-up,
-- trails the best finished run at the same epoch by more than a margin.
-- hone.early_stopping(name, function(trial, step, value, history) -> "prune" | "continue")
-- registers it; study { pruner = name } uses it; trial:should_prune() consults it.

local WARMUP, MARGIN = 2, 0.05

hone.early_stopping("trail-the-best", function(trial, step, value, history)
  if step < WARMUP then return "continue" end
  local best
  for _, finished in ipairs(history) do
    for _, report in ipairs(finished.intermediate) do
      if report.step == step and (not best or report.value > best) then best = report.value end
    end
  end
  if best and value < best - MARGIN then return "prune" end
  return "continue"
end)

study { name = "spirals-early-stopping", direction = "maximize", pruner = "trail-the-best", trials = 12, seed = 4 }

local data = hone.dataset { synthetic = "spirals", count = 600, seed = 7 }

function objective(trial)
  local width = trial:suggest_int("width", 8, 64, { log = true })
  local lr = trial:suggest_float("lr", 1e-3, 1e-1, { log = true })
  local model = hone.mlp { inputs = data.features, hidden = { width, width }, outputs = data.classes }
  local fit = hone.fit {
    model = model, data = data, epochs = 12, batch_size = 32,
    optimizer = { "adam", lr = lr },
    on_epoch = function(epoch, metrics)
      trial:report(metrics.val_accuracy, epoch)
      if trial:should_prune() then trial:prune() end
    end,
  }
  return fit.val_accuracy
end
