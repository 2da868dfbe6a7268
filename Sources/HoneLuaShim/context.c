/* Per-state context: the counting allocator, the panic handler, and the hook that bounds
 * instructions, wall-clock time and honours interrupts. See HoneLuaShim.h. */
#include "HoneLuaShim.h"
#include <lua5.4/lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A hook that fires this often costs next to nothing (one clock read per 10k instructions)
 * yet stops a runaway loop within microseconds of its budget. */
#define HONE_LUA_HOOK_INTERVAL 10000

hone_lua_context *hone_lua_context_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (hone_lua_context *)ud;
}

double hone_lua_monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Lua's allocator contract: nsize == 0 frees; otherwise (re)allocate. Only growth can be
 * refused (Lua assumes shrinking never fails), and a refusal makes Lua raise its ordinary
 * "not enough memory" error, which the host catches like any other. */
static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    hone_lua_context *ctx = (hone_lua_context *)ud;
    size_t old = ptr ? osize : 0; /* with ptr == NULL, osize encodes the object type */
    if (nsize == 0) {
        free(ptr);
        ctx->bytes_in_use -= old;
        return NULL;
    }
    if (nsize > old && ctx->enforce_memory > 0 && ctx->memory_limit > 0
        && ctx->bytes_in_use - old + nsize > ctx->memory_limit) {
        ctx->memory_limit_hit = 1;
        return NULL;
    }
    void *block = realloc(ptr, nsize);
    if (block == NULL) return NULL;
    ctx->bytes_in_use = ctx->bytes_in_use - old + nsize;
    if (ctx->bytes_in_use > ctx->peak_bytes) ctx->peak_bytes = ctx->bytes_in_use;
    return block;
}

/* Reached only if an error escapes every protected call, which the host never allows.
 * Returning would make Lua call abort() anyway; say why first. A longjmp back into the
 * host would cross Swift frames, so there is nothing better to do. */
static int panic_handler(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "hone: unprotected Lua error (a bug in the host): %s\n", msg ? msg : "(not a string)");
    fflush(stderr);
    abort();
    return 0;
}

/* Scripts don't get `warn`; Lua itself only warns about errors in finalizers, which the
 * sandbox forbids. Dropping warnings keeps stderr for the host. */
static void discard_warning(void *ud, const char *msg, int tocont) {
    (void)ud; (void)msg; (void)tocont;
}

lua_State *hone_lua_newstate(hone_lua_context *ctx) {
    if (ctx->hook_interval <= 0) ctx->hook_interval = HONE_LUA_HOOK_INTERVAL;
    lua_State *L = lua_newstate(counting_alloc, ctx);
    if (L == NULL) return NULL;
    lua_atpanic(L, panic_handler);
    lua_setwarnf(L, discard_warning, NULL);
    return L;
}

void hone_lua_request_interrupt(hone_lua_context *ctx) {
    __atomic_store_n(&ctx->interrupt_requested, 1, __ATOMIC_RELEASE);
}

void hone_lua_clear_interrupt(hone_lua_context *ctx) {
    __atomic_store_n(&ctx->interrupt_requested, 0, __ATOMIC_RELEASE);
}

int hone_lua_interrupt_requested(hone_lua_context *ctx) {
    return __atomic_load_n(&ctx->interrupt_requested, __ATOMIC_ACQUIRE);
}

static const char *stop_message(int reason) {
    switch (reason) {
    case HONE_LUA_STOP_INSTRUCTIONS: return "instruction limit exceeded";
    case HONE_LUA_STOP_DEADLINE: return "time limit exceeded";
    case HONE_LUA_STOP_INTERRUPT: return "interrupted";
    default: return "stopped";
    }
}

/* Adds `used` to the call's instruction count and records the first limit it breaks.
 * Returns whether a stop is in force. */
static int account(hone_lua_context *ctx, int64_t used) {
    if (ctx->stop_reason != HONE_LUA_STOP_NONE) return 1;
    ctx->instructions_used += used;
    if (ctx->instruction_limit > 0 && ctx->instructions_used > ctx->instruction_limit)
        ctx->stop_reason = HONE_LUA_STOP_INSTRUCTIONS;
    else if (ctx->deadline > 0 && hone_lua_monotonic_seconds() > ctx->deadline)
        ctx->stop_reason = HONE_LUA_STOP_DEADLINE;
    else if (hone_lua_interrupt_requested(ctx))
        ctx->stop_reason = HONE_LUA_STOP_INTERRUPT;
    return ctx->stop_reason != HONE_LUA_STOP_NONE;
}

/* Arms the hook on every instruction (the stop is sticky) and raises the stop message,
 * naming the line of the Lua function at `level`. */
static void raise_stop(lua_State *L, hone_lua_context *ctx, int level);

/* The count hook. Each coroutine has its own hook settings (inherited at creation), so
 * everything here acts on the thread that is running, L.
 *
 * Once a limit is hit the stop is sticky: the hook re-arms itself to fire on *every*
 * instruction of this thread and raises again each time, so a `pcall` in the script
 * catches the stop only until its next instruction, and the error climbs out of every
 * pcall, xpcall and coroutine until control is back in the host, which resets the stop
 * before the next call. */
static void limit_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    hone_lua_context *ctx = hone_lua_context_of(L);
    int interval = lua_gethookcount(L);
    if (!account(ctx, interval)) {
        /* A coroutine left armed at interval 1 by an earlier stop goes back to normal. */
        if (interval != ctx->hook_interval)
            lua_sethook(L, limit_hook, LUA_MASKCOUNT, ctx->hook_interval);
        return;
    }
    /* Level 0 is the function executing (hooks get no frame of their own), so the
     * message names the line that was running when the limit struck. */
    raise_stop(L, ctx, 0);
}

static void raise_stop(lua_State *L, hone_lua_context *ctx, int level) {
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1);
    luaL_where(L, level);
    lua_pushstring(L, stop_message(ctx->stop_reason));
    lua_concat(L, 2);
    lua_error(L);
}

void hone_lua_charge(lua_State *L, long steps) {
    hone_lua_context *ctx = hone_lua_context_of(L);
    /* Level 1: the Lua code that called the C function doing the work. */
    if (account(ctx, steps)) raise_stop(L, ctx, 1);
}

void hone_lua_begin_call(lua_State *L, double deadline) {
    hone_lua_context *ctx = hone_lua_context_of(L);
    ctx->stop_reason = HONE_LUA_STOP_NONE;
    ctx->instructions_used = 0;
    ctx->memory_limit_hit = 0;
    ctx->deadline = deadline;
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, ctx->hook_interval);
}

void hone_lua_collect_garbage(lua_State *L) {
    lua_gc(L, LUA_GCCOLLECT);
}
