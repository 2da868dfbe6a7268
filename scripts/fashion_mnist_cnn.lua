-- A small CNN on Fashion-MNIST: channels, kernel size and learning rate.
study { name = "fashion-cnn", direction = "maximize", sampler = "random", trials = 8, seed = 0 }

local data = hone.dataset("fashion-mnist")

function objective(trial)
  local c1 = trial:suggest_categorical("channels_1", { 8, 16 })
  local c2 = trial:suggest_categorical("channels_2", { 16, 32 })
  local kernel = trial:suggest_categorical("kernel", { 3, 5 })
  local lr = trial:suggest_float("lr", 5e-4, 5e-3, { log = true })
  local model = hone.cnn { input_shape = data.shape, channels = { c1, c2 }, kernel_size = kernel,
                           pooling = "max", hidden = { 64 }, outputs = data.classes }
  local fit = hone.fit { model = model, data = data, epochs = 3, batch_size = 64,
                         optimizer = { "adam", lr = lr } }
  trial:set_user_attr("test_accuracy", hone.evaluate(fit.model, data, "test").accuracy)
  return fit.val_accuracy
end
