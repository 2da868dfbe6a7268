-- A Lua plugin: a script of registrations only (no study { }), loaded with
-- hone_plugin_load("local_rules.lua", NULL) or `hone tune --plugin local_rules.lua`.
-- What it registers is then usable by name from C options JSON, study scripts and the CLI.

-- "lua-local": half the time a uniform draw, else a step of 10% of the range around the
-- best completed trial's value (floats and ints), the best's choice for categoricals.
hone.sampler("lua-local", function(space, trials)
  local best
  for _, t in ipairs(trials) do
    if not best or t.value < best.value then best = t end
  end
  local names = {}
  for name in pairs(space) do names[#names + 1] = name end
  table.sort(names)
  local params = {}
  for _, name in ipairs(names) do
    local d = space[name]
    local center = best and best.params[name]
    local local_step = center ~= nil and math.random() < 0.5
    if d.type == "float" then
      if local_step then
        local width = (d.high - d.low) * 0.1
        params[name] = math.min(d.high, math.max(d.low, center + (math.random() * 2 - 1) * width))
      else
        params[name] = d.low + math.random() * (d.high - d.low)
      end
    elseif d.type == "int" then
      -- Work in grid steps, so every value lands on low + k * step.
      local step = d.step or 1
      local n = (d.high - d.low) // step
      local k
      if local_step then
        local width = math.max(1, n // 10)
        k = math.min(n, math.max(0, (center - d.low) // step + math.random(-width, width)))
      else
        k = math.random(0, n)
      end
      params[name] = d.low + k * step
    elseif d.type == "categorical" then
      params[name] = local_step and center or d.choices[math.random(#d.choices)]
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
