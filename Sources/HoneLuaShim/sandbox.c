/* C pieces of the sandbox; the policy itself is Lua (HoneScript/SandboxPrelude.swift). */
#include "HoneLuaShim.h"
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int hone_lua_realpath(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    char resolved[PATH_MAX];
    if (realpath(path, resolved) == NULL) {
        int err = errno;
        luaL_pushfail(L);
        lua_pushfstring(L, "%s: %s", path, strerror(err));
        return 2;
    }
    lua_pushstring(L, resolved);
    return 1;
}

int hone_lua_stop_in_force(lua_State *L) {
    lua_pushboolean(L, hone_lua_context_of(L)->stop_reason != HONE_LUA_STOP_NONE);
    return 1;
}

int hone_lua_open_libraries(lua_State *L) {
    static const luaL_Reg libraries[] = {
        {LUA_GNAME, luaopen_base},
        {LUA_COLIBNAME, luaopen_coroutine},
        {LUA_TABLIBNAME, luaopen_table},
        {LUA_IOLIBNAME, luaopen_io},
        {LUA_OSLIBNAME, luaopen_os},
        {LUA_STRLIBNAME, luaopen_string},
        {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_DBLIBNAME, luaopen_debug},
        {NULL, NULL},
    };
    for (const luaL_Reg *lib = libraries; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    return hone_lua_install_counted_patterns(L);
}
