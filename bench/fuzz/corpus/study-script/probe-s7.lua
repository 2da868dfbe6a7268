study { name = "s" }
function objective(t) local d = hone.dataset { synthetic = "moons", count = 40 }; local r = hone.fit { data = d, hidden = { 1e9 }, epochs = 1 } return 1 end
