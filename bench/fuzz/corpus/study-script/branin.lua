-- Branin: a classic two-dimensional test function, as a pure-Lua objective.
-- Global minimum 0.397887 at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475).
--   hone tune scripts/branin.lua --trials 200
study { name = "branin", direction = "minimize", sampler = "random", trials = 100, seed = 0 }

local pi, cos = math.pi, math.cos

local function branin(x1, x2)
  local a, b, c = 1, 5.1 / (4 * pi ^ 2), 5 / pi
  local r, s, t = 6, 10, 1 / (8 * pi)
  return a * (x2 - b * x1 ^ 2 + c * x1 - r) ^ 2 + s * (1 - t) * cos(x1) + s
end

function objective(trial)
  local x1 = trial:suggest_float("x1", -5, 10)
  local x2 = trial:suggest_float("x2", 0, 15)
  return branin(x1, x2)
end
