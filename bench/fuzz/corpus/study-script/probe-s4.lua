study { name = "s" }
function objective(t) return t:suggest_float("x", -1e308, 1e308) + t:suggest_float("y", 1e-300, 1e300, { log = true }) end
