local d = hone.dataset { synthetic = "moons", count = 1e15 }
study { name = "s" }
function objective(t) return 1 end
