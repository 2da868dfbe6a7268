study { name = "e" }
local t = {} for i = 1, 10 do t[i] = ("x"):rep(i) end
function objective(trial) error("boom") end
