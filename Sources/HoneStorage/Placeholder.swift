// HoneStorage
