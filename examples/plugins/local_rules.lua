-- A Lua plugin: a script of registrations only (no study { }), loaded with
-- hone_plugin_load("local_rules.lua", NULL) or `hone tune --plugin local_rules.lua`.
-- What it registers is then usable by name from C options JSON, study scripts and the CLI.
-- math.random is seeded by Hone for every call, so a seeded study repeats exactly.

-- The axis a distribution is searched on: log scales in log space, integer and stepped
-- ranges widened by half a step so every grid point gets an equal share.
local function axis(d)
  local step = d.step or (d.type == "int" and 1 or 0)
  if d.log then
    if d.type == "int" then return math.log(d.low - 0.5), math.log(d.high + 0.5) end
    return math.log(d.low), math.log(d.high)
  end
  return d.low - step / 2, d.high + step / 2
end

-- The value at position u in [0, 1] of the axis, snapped to the grid and clamped.
local function at(d, u)
  local lo, hi = axis(d)
  local x = lo + math.min(1, math.max(0, u)) * (hi - lo)
  if d.log then x = math.exp(x) end
  local step = d.step or (d.type == "int" and 1 or nil)
  if step then x = d.low + math.floor((x - d.low) / step + 0.5) * step end
  return math.min(d.high, math.max(d.low, x))
end

-- Where a value sits on the axis, in [0, 1].
local function position(d, v)
  local lo, hi = axis(d)
  if hi <= lo then return 0.5 end
  return ((d.log and math.log(v) or v) - lo) / (hi - lo)
end

-- "lua-local": half the time a uniform draw, else a step of up to 10% of the axis from
-- the best completed trial's value; the best's choice for categoricals.
hone.sampler("lua-local", function(space, trials)
  local best
  for _, t in ipairs(trials) do
    if not best or t.value < best.value then best = t end
  end
  -- Visit parameters in sorted order: pairs() order varies between runs, and the draws
  -- must come in the same order to repeat.
  local names = {}
  for name in pairs(space) do names[#names + 1] = name end
  table.sort(names)
  local params = {}
  for _, name in ipairs(names) do
    local d = space[name]
    local center = best and best.params[name]
    local near = center ~= nil and math.random() < 0.5
    if d.type == "fixed" then
      params[name] = d.value
    elseif d.type == "categorical" then
      params[name] = near and center or d.choices[math.random(#d.choices)]
    elseif near then
      params[name] = at(d, position(d, center) + (math.random() * 2 - 1) * 0.1)
    else
      params[name] = at(d, math.random())
    end
  end
  return params
end)

-- "lua-worse-than-best": stop a trial whose reported value at a step is worse than twice
-- the best final value so far (minimization).
hone.early_stopping("lua-worse-than-best", function(trial, step, value, history)
  local best
  for _, t in ipairs(history) do
    if t.value and (not best or t.value < best) then best = t.value end
  end
  if best and value > 2 * math.abs(best) + 1 then return "prune" end
  return "continue"
end)
