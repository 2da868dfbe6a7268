#include "HoneLuaShim.h"

int hone_lua_call_swift(lua_State *L, hone_lua_swift_fn fn) {
    int raise_error = 0;
    int n = fn(L, &raise_error);
    if (raise_error) return lua_error(L);
    return n;
}
