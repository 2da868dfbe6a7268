/*
 * hone.h: the stable C API of Hone, a hyperparameter-optimization engine for
 * neural networks. This header is the only public C surface of libhone.so.
 *
 * Conventions (after sqlite3.h and lua.h):
 *   - every name starts with hone_ or HONE_;
 *   - objects are opaque handles (hone_study, hone_trial, hone_dataset, hone_model),
 *     released by their NULL-safe *_close / *_free;
 *   - every call returns a hone_status; HONE_OK is 0; on failure hone_errmsg() gives
 *     the message for the last failure on the calling thread (failures can happen
 *     before any handle exists);
 *   - outputs come through pointer arguments placed last, written only on HONE_OK;
 *   - strings in are NUL-terminated UTF-8 (invalid UTF-8 is HONE_INVALID_ARGUMENT);
 *     strings out that the caller must release are `char **` and are freed with
 *     hone_free(); `const char **` outputs are owned by the library (see each call);
 *   - options are JSON objects (NULL or "" = defaults), never C structs, so new options
 *     never change the ABI; unknown option keys are errors, not ignored;
 *   - callbacks are a function pointer plus a `void *userdata` passed back untouched;
 *   - new behaviour arrives as new functions (a _v2 suffix), never as changed ones.
 *
 * Handles are checked: a NULL handle, a handle already closed/freed, or a pointer
 * that is not a handle of the expected kind gives HONE_MISUSE instead of a crash,
 * as far as the library can tell (a handle is a token looked up in the library's
 * table, never a pointer it dereferences, so a closed or forged one is recognized).
 *
 * Thread-safety: unless a function says otherwise, a hone_study may be used from
 * several threads at once; a hone_trial, hone_dataset or hone_model from one thread at
 * a time.
 *
 * Compiles as C99 (-Wall -Wextra -pedantic -Werror) and as C++.
 */
#ifndef HONE_H
#define HONE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HONE_VERSION_MAJOR 0
#define HONE_VERSION_MINOR 4
#define HONE_VERSION_PATCH 0
#define HONE_VERSION_STRING "0.4.0"
/* Bumped when a change breaks binary compatibility; it is the SONAME's suffix
 * (libhone.so.HONE_ABI_VERSION). */
#define HONE_ABI_VERSION 1

/* ------------------------------------------------------------------------------
 * Versions, status codes, errors, memory
 * ------------------------------------------------------------------------------ */

/* The library's version as "MAJOR.MINOR.PATCH". Static storage; never free it.
 * Thread-safe. Compare with HONE_VERSION_STRING to detect a header/library mismatch. */
const char *hone_version(void);

/* The library's ABI version; equal to HONE_ABI_VERSION when header and library match.
 * Thread-safe. */
int hone_abi_version(void);

typedef int hone_status;
#define HONE_OK                0  /* success */
#define HONE_ERROR             1  /* a failure without a more precise code */
#define HONE_MISUSE            2  /* NULL / closed / wrong-kind handle, NULL output pointer */
#define HONE_INVALID_ARGUMENT  3  /* bad value: out of range, bad UTF-8, malformed JSON, unknown option */
#define HONE_NOT_FOUND         4  /* no such study, trial, data set, file, sampler, plugin */
#define HONE_EXISTS            5  /* a study of that name exists (create-only open) */
#define HONE_WRONG_STATE       6  /* e.g. tell twice, report after tell, suggest after tell */
#define HONE_STORAGE           7  /* the storage failed (database error, lost connection) */
#define HONE_IO                8  /* reading or writing a file failed */
#define HONE_SCRIPT            9  /* a Lua script raised an error or broke a sandbox limit */
#define HONE_PRUNED           10  /* an objective's way to say "this trial was pruned" */
#define HONE_INTERRUPTED      11  /* stopped by hone_study_stop, hone_interrupt or a callback's request */
#define HONE_NO_RESULT        12  /* asked for a best trial before any trial completed */

/* The constant's name ("HONE_WRONG_STATE"); "HONE_UNKNOWN_STATUS" for others. Static
 * storage; never free it. Thread-safe. */
const char *hone_status_name(hone_status status);

/* The message of the last failure on the calling thread ("" if none since the thread
 * started). Thread-local; valid until the next hone_ call on this thread. Never NULL. */
const char *hone_errmsg(void);

/* Releases memory the library handed out through a `char **` output. NULL-safe.
 * Thread-safe. */
void hone_free(void *p);

/* ------------------------------------------------------------------------------
 * Studies
 * ------------------------------------------------------------------------------ */

typedef struct hone_study hone_study;
typedef struct hone_trial hone_trial;

/* Trial states, as stored and as told. */
typedef int hone_trial_state;
#define HONE_TRIAL_RUNNING   0
#define HONE_TRIAL_COMPLETE  1
#define HONE_TRIAL_PRUNED    2
#define HONE_TRIAL_FAIL      3
#define HONE_TRIAL_WAITING   4

/* Opens the study `study_name` in the storage at `storage_url`, creating it if it does
 * not exist. URLs follow SQLAlchemy's rules (as Optuna's): "sqlite:///relative/path.db",
 * "sqlite:////absolute/path.db" (before 0.3.0, three slashes meant absolute),
 * "postgresql://user@host:port/db" (a "+driver" such as postgresql+psycopg2:// is
 * ignored); also "memory:" and Hone's shorthand "sqlite:relative/path.db".
 * `study_name` NULL makes up a unique name. `options_json` (NULL = defaults):
 *   "direction":  "minimize" (default) | "maximize"
 *   "directions": ["minimize", "maximize", ...]   (multi-objective; not with "direction")
 *   "sampler":    "auto" (default) | "random" | "sobol" | "tpe" | "gp" | "trust-region"
 *                 | "cmaes" | "nsga2" | "bohb"
 *                 | {"name": "grid", "search_space": {"x": [1, 2], "act": ["relu", "tanh"]}}
 *                   (every combination once, then hone_study_optimize returns HONE_OK)
 *                 | a registered name | {"name": "tpe", <sampler options>}
 *   "pruner":     "none" (default) | "median" | "percentile" | "threshold" | "patience"
 *                 | "hyperband" | "asha" | a registered name | {"name": ..., <options>}
 *   "scheduler":  none (default: every trial runs the objective once) | a budget scheduler
 *                 that promotes and continues trials:
 *                   {"name": "successive_halving", "n_configurations": 27, "max_resource": 27,
 *                    "min_resource": 1, "reduction_factor": 3}
 *                   {"name": "hyperband", "max_resource": 27, ["min_resource", "reduction_factor",
 *                    "iterations"]}
 *                   {"name": "bohb", <as hyperband>}  (Hyperband with the "bohb" sampler, which
 *                    is then the default and the only sampler allowed)
 *                   {"name": "asha", "max_resource": 27, ["min_resource", "reduction_factor"]}
 *                 | population based training, which runs segments of training as trials:
 *                   {"name": "pbt", "population_size": 8, "generations": 10,
 *                    "steps_per_generation": 2, ["truncation" 0.2, "perturb_factors" [0.8, 1.2],
 *                    "resample_probability" 0.25, "explored" ["lr", ...]]}
 *                   {"name": "async_pbt", "population_size": 8, "total_steps": 20,
 *                    "steps_per_ready": 2, [as pbt, "max_consecutive_failures" 3,
 *                    "max_segments_per_member", "minimum_reported"]}
 *                 Under a scheduler the objective reads its work with hone_trial_work and
 *                 keeps checkpoints keyed by trial number (examples/c/hyperband.c). Not
 *                 stored with the study: give it again when reopening.
 *   "seed":       integer ≥ 0 (default: from the clock, not repeatable)
 *   "mode":       "open" (default: create or load) | "create" (HONE_EXISTS if it exists)
 *                 | "load" (HONE_NOT_FOUND if it does not)
 *   "heartbeat_s": seconds between heartbeats of running trials (default: off)
 *   "noisy_objective": true: the objective is noisy; the best trial / value / params are
 *                 then the best observed trial a GP confidently ranks first by posterior
 *                 mean, else the best observed (default false: the best observed; not
 *                 stored with the study)
 * Loading checks the stored directions against the requested ones; without "direction"
 * or "directions" an existing study keeps its stored ones. "memory:" is a new storage
 * private to this handle. The caller owns *out and closes it with hone_study_close.
 * Thread-safe. */
hone_status hone_study_open(const char *storage_url, const char *study_name,
                            const char *options_json, hone_study **out);

/* Closes the handle (the study stays in its storage). Trials asked through it and not
 * yet told stay RUNNING in storage. Trial handles from it stay valid to free but any
 * other use gives HONE_MISUSE. NULL-safe. Not to be called while another thread uses
 * the handle. */
void hone_study_close(hone_study *study);

/* The study's name. *out is owned by the study handle, valid until it is closed. */
hone_status hone_study_name(hone_study *study, const char **out);

/* The number of objectives (directions). */
hone_status hone_study_n_objectives(hone_study *study, size_t *out);

/* Starts a trial: the oldest enqueued one if any, else a new one from the sampler.
 * The caller owns *out (free with hone_trial_free, after or instead of telling). */
hone_status hone_study_ask(hone_study *study, hone_trial **out);

/* Finishes `trial` as HONE_TRIAL_COMPLETE (with `n_values` values, one per objective),
 * HONE_TRIAL_PRUNED (values optional: NULL/0 keeps the last reported value) or
 * HONE_TRIAL_FAIL (values ignored; the reason is the one given to
 * hone_trial_set_fail_reason, if any). Telling a trial twice is HONE_WRONG_STATE;
 * a wrong n_values or non-finite values for COMPLETE are HONE_INVALID_ARGUMENT and
 * leave the trial RUNNING; a trial asked through another study handle is HONE_MISUSE.
 * The trial handle stays valid to read (number, params) and must still be freed. */
hone_status hone_study_tell(hone_study *study, hone_trial *trial, hone_trial_state state,
                            const double *values, size_t n_values);

/* As hone_study_tell, for a trial known only by its number (another process asked it). */
hone_status hone_study_tell_number(hone_study *study, int64_t trial_number, hone_trial_state state,
                                   const double *values, size_t n_values);

/* An objective. Write one value per objective into values[0..n_values) and return
 * HONE_OK to complete the trial (values start as NaN: one left unwritten, or a
 * non-finite one, fails the trial); return HONE_PRUNED to store it as pruned; any other
 * status fails that trial only (its reason: the message given to
 * hone_trial_set_fail_reason, else the status name) and the study goes on. `trial` is
 * owned by the library and valid only during the call; do not free it. With n_jobs > 1
 * the objective is called from several threads at once. */
typedef hone_status (*hone_objective_fn)(hone_trial *trial, void *userdata,
                                         double *values, size_t n_values);

/* Runs trials until `n_trials` have been run by this call (≤ 0: no limit), `timeout_s`
 * seconds have passed (≤ 0: no limit), hone_study_stop or hone_interrupt is called, or a
 * grid is exhausted; at least one limit must be set. `n_jobs` threads (1 to 1024) each
 * run trials. Returns HONE_OK when a limit was reached (failed trials do not make it
 * fail), HONE_INTERRUPTED after hone_study_stop or hone_interrupt (the message says
 * which). Blocks the calling thread. */
hone_status hone_study_optimize(hone_study *study, hone_objective_fn objective, void *userdata,
                                int64_t n_trials, double timeout_s, int n_jobs);

/* Called by hone_study_optimize_v2 once for each trial the run finished (COMPLETE,
 * PRUNED or FAIL), right after the trial is stored, on the worker thread that ran it;
 * the library makes one call at a time. `trial_json` is the trial as one element of
 * hone_study_trials_json, owned by the library and valid during the call. Returning
 * anything but HONE_OK stops the study as hone_study_stop does, before the worker that
 * finished the trial asks for another (running trials of other workers finish). The
 * callback may call the study's functions (hone_study_stop, hone_study_trials_json, ...)
 * but not hone_study_optimize. */
typedef hone_status (*hone_trial_finished_fn)(hone_study *study, const char *trial_json, void *userdata);

/* hone_study_optimize with a per-finished-trial callback (`on_finished` may be NULL, then
 * it is hone_study_optimize). Limits, threads and return values as hone_study_optimize;
 * a stop asked for by the callback returns HONE_INTERRUPTED like hone_study_stop. */
hone_status hone_study_optimize_v2(hone_study *study, hone_objective_fn objective, void *objective_userdata,
                                   hone_trial_finished_fn on_finished, void *finished_userdata,
                                   int64_t n_trials, double timeout_s, int n_jobs);

/* Asks a running hone_study_optimize to start no new trial (running ones finish).
 * Thread-safe; callable from an objective. Not async-signal-safe: from a signal
 * handler, call hone_interrupt. */
hone_status hone_study_stop(hone_study *study);

/* Signals (SIGINT, SIGTERM) in a process that uses libhone. The library installs no
 * signal handler: the process's signals belong to the host. To stop studies on Ctrl-C or
 * SIGTERM, the host installs its own handler (sigaction) and calls hone_interrupt from
 * it. hone_interrupt is async-signal-safe (it only increments an atomic counter, takes
 * no lock, allocates nothing and leaves hone_errmsg() alone) and thread-safe; it always
 * returns HONE_OK. Within about 20 ms, every hone_study_optimize, hone_script_run and
 * hone_auto running in the process at that moment:
 *   - starts no new trial;
 *   - stores its running trials as FAIL with the fail reason "interrupted": Lua is
 *     stopped at its next instruction, training (hone.fit, hone_auto) within a batch,
 *     hone.cross_validate before its next epoch; a C objective cannot be stopped
 *     from outside, so hone_trial_should_prune answers 1 from then on and whatever the
 *     objective returns other than HONE_OK (HONE_PRUNED included) stores its trial
 *     FAIL "interrupted" (HONE_OK with finite values still completes it);
 *   - keeps everything finished stored, and returns HONE_INTERRUPTED (hone_auto trains
 *     no final model).
 * Calls started after hone_interrupt are not affected, so the host decides what comes
 * next: typically it returns from main with 130 (SIGINT) or 143 (SIGTERM) once the call
 * returned, or re-raises the signal with its default action. Reopening the study with the
 * same storage and name resumes it (the FAIL trials count as finished). A second signal is
 * the host's to handle (e.g. _exit at once: trials then left RUNNING are failed by the
 * heartbeat policy's stale-trial sweep, if one is set, or stay RUNNING). */
hone_status hone_interrupt(void);

/* Queues a trial with fixed parameters (`params_json`: {"lr": 0.01, "act": "relu"});
 * the next ask runs it. Parameters the objective suggests but the object lacks are
 * sampled. `user_attrs_json` may be NULL. */
hone_status hone_study_enqueue(hone_study *study, const char *params_json, const char *user_attrs_json);

/* The best completed trial's value (single-objective studies; HONE_NO_RESULT before
 * any trial completed, HONE_INVALID_ARGUMENT for multi-objective studies). */
hone_status hone_study_best_value(hone_study *study, double *out);

/* The best completed trial as a JSON object (see hone_study_trials_json for its
 * fields); for multi-objective studies a JSON array of the Pareto-optimal trials.
 * HONE_NO_RESULT before any trial completed. Free *out with hone_free. */
hone_status hone_study_best_trial_json(hone_study *study, char **out);

/* The best trial's parameters as a JSON object {"name": value} (single-objective
 * studies, as hone_study_best_value). Free with hone_free. */
hone_status hone_study_best_params_json(hone_study *study, char **out);

/* The study's trials as a JSON array ordered by number. `states` NULL = all, else a
 * comma-separated subset of "running,complete,pruned,fail,waiting". Each trial:
 * {"number", "state", "values" (array or null), "params" {name: value},
 *  "distributions" {name: {...}}, "intermediate_values" [{"step", "fold", "values"}],
 *  "user_attrs", "system_attrs", "datetime_start", "datetime_complete", "duration_s",
 *  "fail_reason", "worker_id"} — Hone's one trial encoding, also of `hone export
 *  --format jsonl` and the callbacks' trial_json (before 0.3.0 "intermediate_values" was
 *  "intermediate" and datetimes had milliseconds): "state" is "RUNNING", "COMPLETE",
 *  "PRUNED", "FAIL" or "WAITING"; float parameters always have a decimal point or
 *  exponent ("1.0"), integer ones never; categorical parameters are their choice as a
 *  JSON value (a string, number, boolean or null); a distribution is {"type":
 *  "float"|"int"|"categorical", "low", "high", "step" (null: continuous), "log"} plus
 *  "choices" for categoricals (whose low/high/step index the choices), or {"type":
 *  "fixed", "value"}; datetimes are ISO 8601 UTC to the microsecond
 *  ("2026-01-31T12:00:00.123456Z") or null; non-finite numbers are the strings "NaN",
 *  "Infinity" and "-Infinity" (as everywhere in Hone's JSON). Free with hone_free. */
hone_status hone_study_trials_json(hone_study *study, const char *states, char **out);

/* The same trials as hone_study_trials_json, column by column (for building a table):
 * {"number": [...], "state": [...], "values": [[objective 0 of each trial], ...],
 *  "datetime_start": [...], "datetime_complete": [...] (seconds since 1970 UTC, or null),
 *  "params": {"name": [value or null, ...]}, "param_types": {"name": "float" | "int" |
 *  "categorical" | "fixed"}, "user_attrs": {"key": [...]}, "system_attrs": {"key": [...]}};
 * every array has one entry per trial, in order of number, null where a trial lacks the
 * field. Values as in hone_study_trials_json. Free with hone_free. */
hone_status hone_study_trials_table_json(hone_study *study, const char *states, char **out);

/* The number of trials, optionally only those in `states` (as above). */
hone_status hone_study_trial_count(hone_study *study, const char *states, int64_t *out);

/* Sets a study user attribute (`value_json` any JSON value). */
hone_status hone_study_set_user_attr(hone_study *study, const char *key, const char *value_json);

/* The study's attributes as {"user": {...}, "system": {...}}. Free with hone_free. */
hone_status hone_study_attrs_json(hone_study *study, char **out);

/* Warm start (the same as Lua's warm_start and hone tune --warm-start-from): copies
 * `source`'s completed trials into `study` — those with at least one parameter of
 * `study`'s space as seen so far and every such value inside it (parameters outside the
 * space are dropped), all of them while it has none — and records each copy's origin,
 * so trials copied by an earlier call are not copied again. A study cannot copy from
 * itself, also not through another handle on the same database (HONE_INVALID_ARGUMENT);
 * a study of the same name in another storage is another study. *n_copied may be NULL. */
hone_status hone_study_copy_trials(hone_study *study, hone_study *source, int64_t *n_copied);

/* The study's directions as a JSON array, one per objective: ["minimize", "maximize"].
 * Free *out with hone_free. */
hone_status hone_study_directions_json(hone_study *study, char **out);

/* The fANOVA importance of each parameter for objective `objective` over the study's
 * COMPLETE trials (the random forest of the HTML report), as a JSON object
 * {"name": importance} ordered most important first, importances summing to 1 (all 0
 * for a constant objective). `options_json` (NULL = defaults): "objective" (0), "params"
 * (names to rank; default every parameter that varies), "seed" (0), "trees" (64).
 * HONE_NO_RESULT with fewer than 2 complete trials; HONE_INVALID_ARGUMENT when no
 * parameter varies. Free *out with hone_free. */
hone_status hone_study_importances_json(hone_study *study, const char *options_json, char **out);

/* The study names in a storage, as a JSON array of strings. Free with hone_free.
 * Thread-safe. */
hone_status hone_storage_studies_json(const char *storage_url, char **out);

/* Copies studies from an Optuna storage file — an RDB SQLite file (what Optuna's
 * "sqlite:///optuna.db" writes) or a JournalStorage file — into the storage at
 * `storage_url`: names, directions, attributes and trials (states, values, parameters with
 * their distributions, intermediate values, attributes, datetimes). `study_name` NULL
 * imports every study of the file. A study name that exists in the target is
 * HONE_EXISTS (nothing of that study is copied); a missing file or study HONE_NOT_FOUND.
 * *names_json (may be NULL) lists the imported names; free with hone_free. Thread-safe. */
hone_status hone_import_optuna(const char *path, const char *storage_url, const char *study_name, char **names_json);

/* Deletes a study and all its trials from a storage. HONE_NOT_FOUND if absent.
 * Thread-safe; do not delete a study another handle is using. */
hone_status hone_storage_delete_study(const char *storage_url, const char *study_name);

/* ------------------------------------------------------------------------------
 * Trials
 * ------------------------------------------------------------------------------ */

/* Flags of hone_trial_suggest_float / _int. */
#define HONE_LOG 1u  /* sample on a log scale (low > 0) */

/* The trial's number in its study (0, 1, ...). */
hone_status hone_trial_number(hone_trial *trial, int64_t *out);

/* What the study's "scheduler" asks of this call of the objective: train from resource
 * *start to *budget (out of *max_budget; epochs, steps or a share of the data: the
 * objective's unit), first restoring the checkpoint the objective saved for trial
 * *resume_from (-1: start from fresh weights), then save a checkpoint for this trial's
 * number and return the values reached at *budget. A budget scheduler calls the
 * objective again on the same trial number with a larger budget (resume_from is then
 * that number); PBT runs each segment as a new trial resuming another's checkpoint.
 * Without a scheduler: HONE_NOT_FOUND (train as usual). Any output may be NULL. */
hone_status hone_trial_work(hone_trial *trial, double *start, double *budget, double *max_budget,
                            int64_t *resume_from);

/* Suggests a float in [low, high] (finite, high − low finite); `step` > 0 makes it
 * discrete (low + k·step, step dividing high − low), 0 is continuous. `name`: 1 to 1024
 * bytes of UTF-8. Suggesting the same name again returns the same value if the
 * distribution is the same, HONE_INVALID_ARGUMENT if it differs. After tell:
 * HONE_WRONG_STATE. Unknown flag bits are HONE_INVALID_ARGUMENT. */
hone_status hone_trial_suggest_float(hone_trial *trial, const char *name, double low, double high,
                                     double step, unsigned flags, double *out);

/* Suggests an integer in [low, high] on the grid low + k·step (step ≥ 1, dividing
 * high − low; HONE_LOG needs low ≥ 1 and step 1). Bounds lie within ±2^53, so every
 * value is exact as a double (JSON, Python, Lua). */
hone_status hone_trial_suggest_int(hone_trial *trial, const char *name, int64_t low, int64_t high,
                                   int64_t step, unsigned flags, int64_t *out);

/* Suggests one of `n_choices` distinct strings (1 ≤ n_choices ≤ 65536); *out is the
 * chosen index. */
hone_status hone_trial_suggest_categorical(hone_trial *trial, const char *name,
                                           const char *const *choices, size_t n_choices, size_t *out);

/* Suggests one of typed choices: `choices_json` is a JSON array of 1 to 65536 distinct
 * strings, finite numbers, booleans or nulls (Optuna's choice types; a number that is an
 * exact integer is an int choice, any other a float one), e.g. "[32, 64, \"auto\", null]";
 * *out is the chosen index. The trial stores the value itself, so trials JSON, exports and
 * samplers see 32, not "32" (hone_trial_suggest_categorical stores strings). */
hone_status hone_trial_suggest_categorical_json(hone_trial *trial, const char *name,
                                                const char *choices_json, size_t *out);

/* Reports an intermediate value at `step` (≥ 0) for pruning. Reporting after tell is
 * HONE_WRONG_STATE; a non-finite value is HONE_INVALID_ARGUMENT. */
hone_status hone_trial_report(hone_trial *trial, int64_t step, double value);

/* Reports one value per objective at `step` (multi-objective pruning). */
hone_status hone_trial_report_values(hone_trial *trial, int64_t step, const double *values, size_t n_values);

/* *out = 1 if the study's pruner says to stop this trial now, else 0. */
hone_status hone_trial_should_prune(hone_trial *trial, int *out);

/* Sets a trial user attribute (`value_json` any JSON value). */
hone_status hone_trial_set_user_attr(hone_trial *trial, const char *key, const char *value_json);

/* The reason stored when this trial fails (an objective returning an error status).
 * Copied; NULL clears it. */
hone_status hone_trial_set_fail_reason(hone_trial *trial, const char *reason);

/* The parameters suggested so far as a JSON object {"name": value}. Free with hone_free. */
hone_status hone_trial_params_json(hone_trial *trial, char **out);

/* Releases a trial handle from hone_study_ask (not the one an objective receives:
 * freeing that one does nothing). Does not tell the trial. NULL-safe. */
void hone_trial_free(hone_trial *trial);

/* ------------------------------------------------------------------------------
 * Data sets and models (the trainer)
 * ------------------------------------------------------------------------------ */

typedef struct hone_dataset hone_dataset;
typedef struct hone_model hone_model;

/* Loads a data set: a name ("fashion-mnist", from Debian's dataset-fashion-mnist; or a
 * plugin's, which gets the options) or a path to a .csv file (`options_json` {"target":
 * "label"} names the label column; "test": a CSV test file; "task": "classification" |
 * "regression" overrides the inferred task) or .npy pair ({"labels": "y.npy"}); with
 * name_or_path "", generated data: {"synthetic": "spirals" | "moons" | "blobs",
 * "count": 1000, "classes", "seed": 0}. Options also: "part": "train" (default) | "test"
 * (named data sets, and CSV files with a "test" file), "max_samples": n (an evenly spaced
 * subset). The same keys as Lua's hone.dataset { … } and `hone train --data` (one reader,
 * DataSpec). A missing data set or file is HONE_NOT_FOUND. Caller owns *out
 * (hone_dataset_free). Thread-safe. */
hone_status hone_dataset_load(const char *name_or_path, const char *options_json, hone_dataset **out);

/* A data set from caller-provided arrays, copied: `x` row-major n_samples × n_features;
 * `y` n_samples labels: class indices 0..n_classes-1 stored as floats when
 * n_classes ≥ 2, target values when n_classes == 0 (regression). */
hone_status hone_dataset_from_arrays(const float *x, size_t n_samples, size_t n_features,
                                     const float *y, size_t n_classes, hone_dataset **out);

/* {"samples", "features", "shape", "classes" (0 for regression), "task"}. Free with hone_free. */
hone_status hone_dataset_info_json(hone_dataset *dataset, char **out);

/* Splits off a seeded, stratified (for classification) validation part: *train and
 * *validation are new data sets owned by the caller; `dataset` is unchanged. */
hone_status hone_dataset_split(hone_dataset *dataset, double validation_fraction, uint64_t seed,
                               hone_dataset **train, hone_dataset **validation);

void hone_dataset_free(hone_dataset *dataset);

/* A model from a description: {"kind": "mlp", "inputs": 784, "hidden": [256, 128],
 * "outputs": 10, "activation": "relu", "dropout": 0.1, "batch_norm": false,
 * "normalization": "none" | "batch" | "layer"} or {"kind": "cnn", "input_shape": [1, 28, 28],
 * "channels": [32, 64], "hidden": [128], "outputs": 10, "kernel_size": 3,
 * "pooling": "max" | "average" | "none", "pool_size": 2, "batch_norm": false, "residual":
 * false (each block two convolutions with an identity or 1×1-projection shortcut)}, or
 * {"kind": "ensemble", "members": [mlp or cnn descriptions], "average": "log_probabilities"
 * (default when the members classify) | "outputs" (when they regress)}: one model whose
 * output averages its members' (what hone_auto's "ensemble" saves).
 * "task": "classification"
 * (default when outputs ≥ 2: hone_model_predict gives probabilities) | "regression"
 * (default when outputs == 1); training sets it from the data. Weights initialized from
 * "seed" (default 0). Models of more than 2^30 weights are refused. Caller owns *out. */
hone_status hone_model_create(const char *description_json, hone_model **out);

/* Called after every epoch (epoch counts from 1) with {"epoch", "train_loss", "lr",
 * "seconds", and with validation data "val_loss", "val_accuracy" (classification) or
 * "val_rmse" (regression)} (JSON valid only during the call). Return HONE_OK to go on; any other status
 * stops training (HONE_PRUNED for "pruned"), and hone_model_train returns it. */
typedef hone_status (*hone_epoch_fn)(int64_t epoch, const char *metrics_json, void *userdata);

/* Trains `model` on `train`, evaluating on `validation` (may be NULL) after each epoch.
 * `options_json`: {"epochs": 10 (0: no training), "batch_size": 128, "optimizer": "adam" | {"name":
 * "sgd" | "nesterov" | "adam" | "adamw" | "rmsprop", "lr": 1e-3, "weight_decay": 1e-2,
 * "momentum": 0.9, "beta1", "beta2", "clip_norm"}, "schedule": "constant" | "cosine" |
 * "step" | "exponential" | "one_cycle" | {"name": ..., "warmup": epochs, "every", "factor",
 * "minimum", and for one_cycle (PyTorch's OneCycleLR, per batch, peaking at lr, no
 * "warmup") "peak_fraction": 0.3, "div_factor": 25, "final_div_factor": 1e4},
 * "crop_padding": 0 and "horizontal_flip": false (image models: random crop with zero
 * padding / mirror of training batches only, drawn from "seed"), "label_smoothing": 0,
 * "seed": 0, "early_stopping_patience": n, "threads": 1 (BLAS threads, process-wide),
 * "validation_fraction": held out of `train` when `validation` is NULL (default 0.1 since
 * 0.4.0, as Lua's hone.fit and `hone train`; 0 trains on all of `train`)} — the keys and
 * defaults of every front end (one reader, TrainSpec).
 * Training again continues from the current weights with a fresh optimizer.
 * *result_json (may be NULL): {"epochs", "stop_reason", "train_loss", "val_loss",
 * "val_accuracy" | "val_rmse", "history": [one metrics object per epoch]}; free with
 * hone_free. */
hone_status hone_model_train(hone_model *model, hone_dataset *train, hone_dataset *validation,
                             const char *options_json, hone_epoch_fn on_epoch, void *userdata,
                             char **result_json);

/* Metrics of `model` on `dataset`: {"samples", "loss", "accuracy"} (classification) or
 * {"samples", "loss", "rmse", "r2"} (regression). Free with hone_free. */
hone_status hone_model_evaluate(hone_model *model, hone_dataset *dataset, char **metrics_json);

/* Forward pass on caller rows `x` (n_samples × n_features): writes n_samples × outputs
 * floats (class probabilities, or predictions for regression) to `out`, which has room
 * for `out_len` floats (HONE_INVALID_ARGUMENT if too small). */
hone_status hone_model_predict(hone_model *model, const float *x, size_t n_samples, size_t n_features,
                               float *out, size_t out_len);

/* Saves weights and description as .safetensors (readable by Python's safetensors). The
 * file is replaced atomically; a path that exists and is not a regular file (a device,
 * a directory) is HONE_INVALID_ARGUMENT, a write failure HONE_IO. */
hone_status hone_model_save(hone_model *model, const char *path);

/* Loads a model saved by hone_model_save (its description is in the file's metadata). */
hone_status hone_model_load(const char *path, hone_model **out);

/* Copies weights from a saved model into `model` where names and shapes match
 * (fine-tuning / warm start); HONE_INVALID_ARGUMENT names the first tensor whose shape
 * differs. */
hone_status hone_model_load_weights(hone_model *model, const char *path);

void hone_model_free(hone_model *model);

/* ------------------------------------------------------------------------------
 * AutoML
 * ------------------------------------------------------------------------------ */

/* Searches MLP (and, for image data, CNN) architectures and training settings on
 * `train` (AutoSampler + Hyperband over epochs, a held-out validation part), averages the
 * search's best networks (ensemble selection on the validation part) into the final model
 * and tests it on `test` (NULL: a seeded, stratified "test_fraction" of `train` is held
 * out instead). `options_json`:
 *   "time_budget": seconds of search, and/or "max_trials": n   (at least one)
 *   "jobs" (1), "seed" (0), "storage" ("memory:"), "study_name", "validation_fraction",
 *   "test_fraction" (0.2), "max_epochs" (a trial's full budget; default from the data size and,
 *   above 900 s, × √(time_budget / 900), down to Hyperband's top rung when within a fifth of it),
 *   "ensemble": most networks averaged into the final model (1 to 16, default 5; 1: the best
 *   alone), "refit": true retrains them on all of `train` instead of keeping the search's
 *   networks, "models": model families searched (["mlp", "cnn"]; "cnn" for images only),
 *   "output": path of a .safetensors file for the model, "report": path of an HTML report
 *   of the search.
 * *model_out (may be NULL): the final model, owned by the caller. For tabular data it
 * takes standardized features and, for regression, predicts standardized targets: the
 * result gives "feature_mean"/"feature_std" (and "target_mean"/"target_std").
 * *result_json (may be NULL; free with hone_free): {"study", "task", "trial", "trials",
 * "params" (of the best trial), "ensemble_trials" (the trials averaged: the best, then in the order chosen),
 * "seconds", "test_samples", "test_loss", "test_accuracy" | "test_rmse", "test_r2",
 * "notes", ...}. Blocks the calling thread. */
hone_status hone_auto(hone_dataset *train, hone_dataset *test, const char *options_json,
                      hone_model **model_out, char **result_json);

/* ------------------------------------------------------------------------------
 * Lua scripts
 * ------------------------------------------------------------------------------ */

/* Runs a Lua study script (its study { ... } and objective) to the end. `options_json`
 * overrides the script: {"storage", "trials", "jobs", "seed", "timeout",
 * "allow_read": [dirs], "max_epochs", "max_samples"}. *out (may be NULL) receives the
 * study, owned by the caller. Errors of the script come back as HONE_SCRIPT with
 * file:line. Blocks the calling thread. */
hone_status hone_script_run(const char *script_path, const char *options_json, hone_study **out);

/* ------------------------------------------------------------------------------
 * Plugins
 *
 * A native plugin is a shared library exporting one function,
 *     hone_status hone_plugin_init(hone_registry *registry, int api_version);
 * which checks `api_version` (HONE_PLUGIN_API_VERSION of the loading library) and
 * registers what it provides through the hone_registry_add_* calls below (valid only
 * during hone_plugin_init). A Lua plugin is a .lua script of registrations
 * (hone.sampler / hone.pruner / hone.early_stopping, as in study scripts).
 * ------------------------------------------------------------------------------ */

#define HONE_PLUGIN_API_VERSION 1
#define HONE_PLUGIN_ENTRY "hone_plugin_init"

typedef struct hone_registry hone_registry;
typedef hone_status (*hone_plugin_init_fn)(hone_registry *registry, int api_version);

/* What a plugin sampler or pruner sees of its study, valid only during the call. */
typedef struct hone_plugin_context hone_plugin_context;

/* The study's directions: *out = number of objectives; maximize[i] = 1 for "maximize"
 * (maximize may be NULL; it has room for `cap` entries). */
hone_status hone_context_directions(const hone_plugin_context *ctx, int *maximize, size_t cap, size_t *out);
/* The number of the trial being sampled or judged. */
hone_status hone_context_trial_number(const hone_plugin_context *ctx, int64_t *out);
/* The finished trials the algorithm may learn from (COMPLETE ones, by number). */
hone_status hone_context_n_completed(const hone_plugin_context *ctx, size_t *out);
/* The i-th completed trial's first objective value. */
hone_status hone_context_completed_value(const hone_plugin_context *ctx, size_t i, double *out);
/* The i-th completed trial's parameter `name` in its internal form (the value for
 * floats and ints, the choice index for categoricals); *present = 0 if it has none. */
hone_status hone_context_completed_param(const hone_plugin_context *ctx, size_t i, const char *name,
                                         double *value, int *present);
/* The intermediate values of the trial being judged (pruners): up to `cap` (step, value)
 * pairs into steps/values (either may be NULL to only count); *out = how many exist. */
hone_status hone_context_intermediate(const hone_plugin_context *ctx, int64_t *steps, double *values,
                                      size_t cap, size_t *out);
/* A seeded random number in [0, 1) from the trial's own stream (same seed, same run). */
hone_status hone_context_random(const hone_plugin_context *ctx, double *out);

/* A sampler in C. `create` makes one instance per study (options_json: the sampler's
 * options, "{}" if none; return NULL to refuse them; the study
 * open then fails with HONE_INVALID_ARGUMENT); `destroy` releases it; `sample` draws one
 * parameter: `distribution_json` is {"type": "float"|"int"|"categorical", "low",
 * "high", "step", "log", "choices"}; write the value in internal form (as
 * hone_context_completed_param) to *out. `struct_size` = sizeof(hone_sampler_plugin)
 * lets the struct grow at its end. Calls on one instance may come from several threads
 * at once: guard shared state. */
typedef struct hone_sampler_plugin {
    size_t struct_size;
    void *(*create)(const char *options_json, void *plugin_data);
    void (*destroy)(void *instance);
    hone_status (*sample)(void *instance, const hone_plugin_context *ctx, const char *name,
                          const char *distribution_json, double *out);
} hone_sampler_plugin;

/* A pruner in C: `should_prune` sets *out = 1 to prune the trial in ctx. */
typedef struct hone_pruner_plugin {
    size_t struct_size;
    void *(*create)(const char *options_json, void *plugin_data);
    void (*destroy)(void *instance);
    hone_status (*should_prune)(void *instance, const hone_plugin_context *ctx, int *out);
} hone_pruner_plugin;

/* A data set loader: builds a data set (e.g. with hone_dataset_from_arrays) for
 * hone_dataset_load(name, options_json) and Lua's hone.dataset(name). `options_json`
 * always has "part": "train" or "test" (Lua asks for both) plus the caller's other
 * options; *out is handed over to the library. */
typedef hone_status (*hone_dataset_fn)(const char *options_json, void *userdata, hone_dataset **out);

/* Registrations; `name` must be new (built-in names cannot be replaced); the structs
 * are copied; plugin_data/userdata are passed back to every call. A native plugin calls
 * these and the hone_context_* functions by name: build it without linking libhone
 * (cc -shared -fPIC plugin.c), the loading process provides them (libhone.so, or the
 * hone command, which loads the same plugins with --plugin). */
hone_status hone_registry_add_sampler(hone_registry *registry, const char *name,
                                      const hone_sampler_plugin *sampler, void *plugin_data);
hone_status hone_registry_add_pruner(hone_registry *registry, const char *name,
                                     const hone_pruner_plugin *pruner, void *plugin_data);
/* An objective by name, usable by hone_study_optimize_named and the CLI. */
hone_status hone_registry_add_objective(hone_registry *registry, const char *name,
                                        hone_objective_fn objective, void *userdata);
hone_status hone_registry_add_dataset(hone_registry *registry, const char *name,
                                      hone_dataset_fn loader, void *userdata);

/* Loads a plugin (.so: native, dlopen'd RTLD_NOW | RTLD_LOCAL and never unloaded; .lua:
 * script of registrations, sandboxed like study scripts). Loading the same file twice
 * (by any path) is HONE_OK and does nothing. A missing file is HONE_NOT_FOUND, a file
 * dlopen refuses HONE_IO, a .so without hone_plugin_init HONE_NOT_FOUND, a failing
 * init (e.g. a plugin API version it does not speak) the status it returned, a Lua
 * error HONE_SCRIPT. *names_json (may be NULL) lists what it
 * registered: {"samplers": [...], "pruners": [...], "objectives": [...],
 * "datasets": [...]}; free with hone_free. Thread-safe. */
hone_status hone_plugin_load(const char *path, char **names_json);

/* Everything registered (built-ins and plugins), in the shape above plus "schedulers"
 * (built in only). Free with hone_free. */
hone_status hone_registry_json(char **out);

/* hone_study_optimize with an objective registered by name. */
hone_status hone_study_optimize_named(hone_study *study, const char *objective_name,
                                      int64_t n_trials, double timeout_s, int n_jobs);

#ifdef __cplusplus
}
#endif

#endif /* HONE_H */
