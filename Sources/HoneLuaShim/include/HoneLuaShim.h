#ifndef HONE_LUA_SHIM_H
#define HONE_LUA_SHIM_H
#include <lua5.4/lua.h>

/* Swift callbacks registered with Lua never call lua_error themselves: a longjmp
 * across Swift frames is undefined behaviour. They return a status to this C
 * trampoline, which raises the Lua error after the Swift frame has returned. */
typedef int (*hone_lua_swift_fn)(lua_State *L, int *raise_error);

/* Calls fn; if it set *raise_error, the value on top of the stack is raised as the error. */
int hone_lua_call_swift(lua_State *L, hone_lua_swift_fn fn);

#endif
