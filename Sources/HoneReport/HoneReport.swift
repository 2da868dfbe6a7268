// HoneReport: what a finished study tells a person — parameter importance (fANOVA),
// the self-contained HTML report, and exports (CSV, JSON Lines, TensorBoard event files).
// It reads studies through HoneSearch only; it knows nothing of networks, Lua or C.
import HoneSearch
