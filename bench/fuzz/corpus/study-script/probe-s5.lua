study { name = "s", sampler = "tpe" }
function objective(t) t:report(0/0, 1) t:report(1, -5) return t:suggest_float("x", 0, 0) end
