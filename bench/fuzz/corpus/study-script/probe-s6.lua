local d = hone.dataset { synthetic = "spirals", count = 10, classes = 100000000000 }
study { name = "s" }
function objective(t) return 1 end
