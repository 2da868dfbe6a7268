#ifndef HONE_LUA_SHIM_H
#define HONE_LUA_SHIM_H
/* The C side of Hone's Lua host (Swift: HoneScript).
 *
 * Everything that must run *inside* Lua's error machinery lives here, because a Lua
 * error is a longjmp and a longjmp across Swift frames is undefined behaviour:
 *   - the counting allocator that enforces the memory cap,
 *   - the instruction/deadline/interrupt hook that stops runaway scripts,
 *   - the trampoline through which Lua calls Swift functions (the Swift function
 *     returns normally; this file raises the error afterwards),
 *   - the message handler that captures tracebacks, and the panic handler.
 * All per-state bookkeeping is one hone_lua_context, passed to lua_newstate as the
 * allocator's userdata, so every piece can find it from any coroutine of the state. */
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>

/* ---- Per-state context ---- */

/* Why a running script was stopped by the hook. */
enum {
    HONE_LUA_STOP_NONE = 0,
    HONE_LUA_STOP_INSTRUCTIONS = 1,
    HONE_LUA_STOP_DEADLINE = 2,
    HONE_LUA_STOP_INTERRUPT = 3,
};

/* How a Swift function asks the trampoline to raise the value on top of the stack. */
enum {
    HONE_LUA_RETURN = 0,           /* no error: return the pushed results */
    HONE_LUA_RAISE_WITH_WHERE = 1, /* raise the string on top, prefixed with the caller's "file:line:" */
    HONE_LUA_RAISE_AS_IS = 2,      /* raise the value on top unchanged (it already says where) */
};

/* Releases a host object whose userdata Lua collected (see hone_lua_object_gc). */
typedef void (*hone_lua_release_fn)(void *object);

/* Swift side of every registered function: `id` says which one. Returns the number of
 * results pushed, or sets *raise to HONE_LUA_RAISE_* with the error value on top. */
typedef int (*hone_lua_dispatch_fn)(lua_State *L, void *host, lua_Integer id, int *raise);

typedef struct hone_lua_context {
    /* Memory: bytes currently allocated by this state and the cap. The cap applies only
     * while script code runs (enforce_memory > 0), so the host's own pushes and reads
     * between calls can never fail with a Lua memory error outside a protected call. */
    size_t bytes_in_use;
    size_t peak_bytes;
    size_t memory_limit;         /* 0: no cap */
    int enforce_memory;
    int memory_limit_hit;        /* an allocation was refused since the last reset */

    /* CPU: per top-level call. The hook runs every hook_interval VM instructions. */
    int64_t instruction_limit;   /* 0: no limit */
    int64_t instructions_used;
    int hook_interval;
    double deadline;             /* CLOCK_MONOTONIC seconds; 0: none */
    int stop_reason;             /* HONE_LUA_STOP_*, sticky until the host resets it */
    int interrupt_requested;     /* set from any thread through hone_lua_request_interrupt */

    /* Swift dispatch for registered functions. */
    hone_lua_dispatch_fn dispatch;
    hone_lua_release_fn release_object;
    void *host;
} hone_lua_context;

/* Creates a state whose allocator counts into ctx, with the panic handler installed and
 * warnings discarded. ctx must outlive the state. Returns NULL if the state can't be made. */
lua_State *hone_lua_newstate(hone_lua_context *ctx);

/* The context a state was created with (works from any coroutine of the state). */
hone_lua_context *hone_lua_context_of(lua_State *L);

/* Seconds on CLOCK_MONOTONIC, the clock deadlines are measured on. */
double hone_lua_monotonic_seconds(void);

/* Starts a top-level call: clears the stop reason and counters, sets the deadline and
 * installs the hook on L at its normal interval. */
void hone_lua_begin_call(lua_State *L, double deadline);

/* Thread-safe: asks the running script (if any) to stop at its next hook. Sticky until
 * hone_lua_clear_interrupt. */
void hone_lua_request_interrupt(hone_lua_context *ctx);
void hone_lua_clear_interrupt(hone_lua_context *ctx);
int hone_lua_interrupt_requested(hone_lua_context *ctx);

/* ---- Calling Lua from the host ---- */

/* lua_pcall with the traceback message handler: nargs arguments above the function on
 * top of the stack, nresults results (LUA_MULTRET allowed). Memory enforcement is on for
 * the duration and restored afterwards. On error the message is on top of the stack and
 * the traceback (if any) is in the registry under HONE_LUA_TRACEBACK_KEY. */
int hone_lua_pcall(lua_State *L, int nargs, int nresults);
#define HONE_LUA_TRACEBACK_KEY "hone.traceback"

/* Runs a C function with one light userdata argument in protected mode, with memory
 * enforcement off: for host-side work that allocates (building tables) but must never
 * raise outside a protected call. */
int hone_lua_cpcall(lua_State *L, lua_CFunction fn, void *ud);

/* ---- Calling Swift from Lua ---- */

/* Pushes a C closure that calls ctx->dispatch(L, ctx->host, id, ...) through the trampoline. */
void hone_lua_push_swift_function(lua_State *L, lua_Integer id);

/* __gc for host-object userdata: the block holds one void * (the retained Swift box),
 * which is handed to ctx->release_object once and then cleared. */
int hone_lua_object_gc(lua_State *L);

/* ---- Sandbox helpers ---- */

/* lua_CFunction: realpath(path) -> resolved absolute path, or nil, message. */
int hone_lua_realpath(lua_State *L);

/* lua_CFunction: () -> true while a limit or interrupt has stopped the running call. */
int hone_lua_stop_in_force(lua_State *L);

/* Opens base, coroutine, table, io, os, string, math, utf8 and debug into the global
 * table (no package: there is no C loader in the state at all). Run through
 * hone_lua_cpcall(L, hone_lua_open_libraries, NULL). */
int hone_lua_open_libraries(lua_State *L);

/* Charges `steps` units of work done in C (the pattern matcher) to the running call's
 * instruction budget and checks its deadline and interrupts; on a limit it raises like
 * the hook does (sticky), so C loops are bounded as well as Lua code. */
void hone_lua_charge(lua_State *L, long steps);

/* string.find/match/gmatch/gsub with a step-counting matcher (patterns.c); installed
 * into the string table by hone_lua_open_libraries. */
int hone_lua_str_find(lua_State *L);
int hone_lua_str_match(lua_State *L);
int hone_lua_str_gmatch(lua_State *L);
int hone_lua_str_gsub(lua_State *L);
int hone_lua_install_counted_patterns(lua_State *L);

/* ---- Process-wide interrupts (interrupts.c) ----
 * The counter behind libhone's hone_interrupt: a host's signal handler bumps it (one
 * lock-free atomic add, async-signal-safe); a running optimize, script or AutoML run
 * compares it with the value it started with. Not Lua, but this is the package's C. */
void hone_process_interrupt(void);
long hone_process_interrupt_count(void);

/* ---- Macros Swift cannot import ---- */

static inline int hone_lua_registry_index(void) { return LUA_REGISTRYINDEX; }
static inline int hone_lua_upvalue_index(int i) { return lua_upvalueindex(i); }
/* lua_gc is variadic, which Swift cannot call. */
void hone_lua_collect_garbage(lua_State *L);

#endif
