hone.sampler("huge", function(space, trials) return { n = 1e300 } end)
study { trials = 2, sampler = "huge" }
function objective(trial) return trial:suggest_int("n", 0, 10) end
