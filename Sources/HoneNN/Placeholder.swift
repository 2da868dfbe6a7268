// HoneNN
