/* Lua binding of the JSON integer fix-up: integers(t). */
#include <math.h>

#include "l_state.h"

#if LUA_VERSION_NUM >= 503
/* Lua 5.3+: decoders that know only doubles give 25.0 for 25; turn every
 * integral number within 2^53 of a decoded tree back into an integer. */
static void integers(lua_State *L, int idx, int depth) {
    if (depth > 200) return;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        int t = lua_type(L, -1);
        if (t == LUA_TNUMBER && !lua_isinteger(L, -1)) {
            lua_Number d = lua_tonumber(L, -1);
            if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == floor(d)) {
                lua_pushvalue(L, -2);
                lua_pushinteger(L, (lua_Integer)d);
                lua_rawset(L, idx); /* an existing key: safe during traversal */
            }
        } else if (t == LUA_TTABLE) {
            integers(L, lua_gettop(L), depth + 1);
        }
        lua_pop(L, 1);
    }
}
#endif

/* integers(t) -> t (Lua 5.3+; elsewhere a no-op) */
static int l_integers(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
#if LUA_VERSION_NUM >= 503
    luaL_checkstack(L, 420, "decoded value nested too deeply");
    integers(L, 1, 0);
#endif
    return 1;
}

static const luaL_Reg functions[] = {
    {"integers", l_integers},
    {NULL, NULL},
};

void ca_open_json(lua_State *L) { ca_register(L, functions); }
