/* Lua 5.1 (LuaJIT) <-> 5.4 shims. Private ca_ prefix: LuaJIT 2.1 already
 * declares some 5.2 names (luaL_setfuncs, ...) and we must not clash.
 * Included by every binding file: inline, so a file not using a shim does
 * not trip -Wunused-function. */
#ifndef CLOUDAPI_COMPAT_H
#define CLOUDAPI_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#if LUA_VERSION_NUM >= 502
#define ca_rawlen(L, i) lua_rawlen((L), (i))
#define ca_setfuncs(L, l, nup) luaL_setfuncs((L), (l), (nup))
#else
#define ca_rawlen(L, i) lua_objlen((L), (i))
static inline void ca_setfuncs(lua_State *L, const luaL_Reg *l, int nup) {
    luaL_checkstack(L, nup, "too many upvalues");
    for (; l->name != NULL; l++) {
        int i;
        for (i = 0; i < nup; i++) lua_pushvalue(L, -nup);
        lua_pushcclosure(L, l->func, nup);
        lua_setfield(L, -(nup + 2), l->name);
    }
    lua_pop(L, nup);
}
#endif

#if LUA_VERSION_NUM >= 504
#define ca_newuserdata(L, sz) lua_newuserdatauv((L), (sz), 0)
#else
#define ca_newuserdata(L, sz) lua_newuserdata((L), (sz))
#endif

#endif
