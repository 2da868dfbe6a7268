/* Crossing the boundary in both directions without a longjmp through Swift frames:
 * host → Lua through lua_pcall with a traceback handler, Lua → Swift through a C closure
 * that raises only after the Swift function has returned. */
#include "HoneLuaShim.h"
#include <lua5.4/lauxlib.h>

/* Message handler for every host call: turns the error into a string and records a
 * traceback taken at the point of the error (the stack is still intact here, it is gone
 * once lua_pcall returns). Lua does not call handlers for memory errors, so those arrive
 * without traceback. The traceback's allocation is exempt from the cap: a handler failing
 * for lack of memory would replace the real error with "error in error handling". A
 * __tostring of the error object is script code and stays under the cap. */
static int traceback_handler(lua_State *L) {
    hone_lua_context *ctx = hone_lua_context_of(L);
    int type = lua_type(L, 1);
    if (type == LUA_TNUMBER) {
        lua_tostring(L, 1); /* converts in place */
    } else if (type != LUA_TSTRING) {
        if (luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
            lua_pop(L, 1);
            luaL_tolstring(L, 1, NULL); /* script code, under the cap and the hook */
        } else {
            lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        }
        lua_replace(L, 1);
    }
    int saved = ctx->enforce_memory;
    ctx->enforce_memory = 0;
    luaL_traceback(L, L, NULL, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, HONE_LUA_TRACEBACK_KEY);
    ctx->enforce_memory = saved;
    lua_settop(L, 1);
    return 1;
}

int hone_lua_pcall(lua_State *L, int nargs, int nresults) {
    hone_lua_context *ctx = hone_lua_context_of(L);
    int base = lua_gettop(L) - nargs; /* index of the function */
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, HONE_LUA_TRACEBACK_KEY);
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    int saved = ctx->enforce_memory;
    ctx->enforce_memory = 1;
    int status = lua_pcall(L, nargs, nresults, base);
    ctx->enforce_memory = saved;
    lua_remove(L, base);
    return status;
}

int hone_lua_cpcall(lua_State *L, lua_CFunction fn, void *ud) {
    hone_lua_context *ctx = hone_lua_context_of(L);
    int saved = ctx->enforce_memory;
    ctx->enforce_memory = 0;
    lua_pushcfunction(L, fn);
    lua_pushlightuserdata(L, ud);
    int status = lua_pcall(L, 1, 0, 0);
    ctx->enforce_memory = saved;
    return status;
}

/* The C closure behind every Swift function visible to scripts. The Swift function runs
 * with the memory cap lifted (so its pushes cannot raise) and only reads tables raw (so no
 * metamethod can raise either); any error it wants raised is raised here, after it has
 * returned. */
static int swift_trampoline(lua_State *L) {
    hone_lua_context *ctx = hone_lua_context_of(L);
    lua_Integer id = lua_tointeger(L, lua_upvalueindex(1));
    int raise = HONE_LUA_RETURN;
    int saved = ctx->enforce_memory;
    ctx->enforce_memory = 0;
    int n = ctx->dispatch(L, ctx->host, id, &raise);
    ctx->enforce_memory = saved;
    if (raise == HONE_LUA_RAISE_WITH_WHERE) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (raise == HONE_LUA_RAISE_AS_IS) return lua_error(L);
    return n;
}

void hone_lua_push_swift_function(lua_State *L, lua_Integer id) {
    lua_pushinteger(L, id);
    lua_pushcclosure(L, swift_trampoline, 1);
}

int hone_lua_object_gc(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, 1);
    if (slot != NULL && *slot != NULL) {
        void *object = *slot;
        *slot = NULL;
        hone_lua_context_of(L)->release_object(object);
    }
    return 0;
}
