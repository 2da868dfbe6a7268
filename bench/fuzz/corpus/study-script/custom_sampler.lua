-- A custom sampler written in Lua: local search around the best trial so far.
-- hone.sampler(name, function(space, trials) -> params) registers it; study { sampler = name }
-- uses it like a built-in one. `space` maps each parameter to its distribution
-- ({ type = "float", low, high, log } …), `trials` lists the completed trials.
-- math.random is seeded per trial by Hone, so a seeded study repeats exactly.

hone.sampler("local-search", function(space, trials)
  local best
  for _, t in ipairs(trials) do
    if not best or t.value < best.value then best = t end
  end
  -- Visit parameters in sorted order: pairs() order varies between runs (Lua seeds its
  -- string hashes randomly), and the draws must come in the same order to repeat.
  local names = {}
  for name in pairs(space) do names[#names + 1] = name end
  table.sort(names)
  local params = {}
  for _, name in ipairs(names) do
    local d = space[name]
    if d.type == "float" then
      local center = best and best.params[name]
      if center and math.random() < 0.8 then
        local width = (d.high - d.low) * 0.1
        params[name] = math.min(d.high, math.max(d.low, center + (math.random() * 2 - 1) * width))
      else
        params[name] = d.low + math.random() * (d.high - d.low)
      end
    elseif d.type == "int" then
      params[name] = math.random(d.low, d.high)
    elseif d.type == "categorical" then
      params[name] = d.choices[math.random(#d.choices)]
    end
  end
  return params
end)

study { name = "sphere-local-search", direction = "minimize", sampler = "local-search", trials = 60, seed = 3 }

function objective(trial)
  local x = trial:suggest_float("x", -5, 5)
  local y = trial:suggest_float("y", -5, 5)
  return (x - 1) ^ 2 + (y + 2) ^ 2
end
