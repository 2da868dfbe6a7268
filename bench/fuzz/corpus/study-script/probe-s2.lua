study { name = "s" }
function objective(t) return t:suggest_int("n", 0, 10, { step = 0 }) end
