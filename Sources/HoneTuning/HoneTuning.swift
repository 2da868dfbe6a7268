// HoneTuning: the glue between the search layer (HoneSearch) and the trainer (HoneNN).
// HoneSearch knows nothing of networks and HoneNN nothing of studies; this target sees both.
