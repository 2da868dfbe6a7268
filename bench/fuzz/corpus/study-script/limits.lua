study { name = "s", direction = "maximize", trials = 3, limits = { memory_mb = 8, instructions = 1e6, seconds = 2 },
  space = { x = { "float", 0, 1 } }, sampler = { name = "tpe", n_startup_trials = 2 }, pruner = "median" }
function objective(trial, p) return p.x end
