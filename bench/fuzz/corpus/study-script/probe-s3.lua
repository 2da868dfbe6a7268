study { name = "s" }
function objective(t) return t:suggest_int("n", -9223372036854775807, 9223372036854775807) end
