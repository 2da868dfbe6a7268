// HoneData
