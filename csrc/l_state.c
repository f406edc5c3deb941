/* The per-lua_State box: its creation, its __gc, and reading a Lua table of
 * pairs into it (see l_state.h). */
#include <string.h>

#include "l_state.h"

#define STATE_MT "cloudapi.core.state"

static void state_release(ca_state *s) {
    int i;
    for (i = 0; i < NBUF; i++) ca_buf_free(&s->b[i]);
    free(s->pairs);
    s->pairs = NULL;
    s->pairs_cap = 0;
    ca_fields_free(&s->headers);
    free(s->done);
    s->done = NULL;
    s->done_cap = 0;
    free(s->koff);
    free(s->voff);
    s->koff = s->voff = NULL;
    s->off_cap = 0;
    ca_share_unref(s->share); /* sessions still open keep it alive */
    s->share = NULL;
    if (s->open) ca_crypto_close(&s->crypto);
    s->open = 0;
}

static int state_gc(lua_State *L) {
    ca_state *s = (ca_state *)luaL_checkudata(L, 1, STATE_MT);
    state_release(s);
    return 0;
}

ca_state *ca_state_new(lua_State *L) {
    const char *err;
    ca_state *s = (ca_state *)ca_newuserdata(L, sizeof *s);
    int i;
    memset(s, 0, sizeof *s);
    for (i = 0; i < NBUF; i++) ca_buf_init(&s->b[i]);
    s->stamp_second = -1;
    s->http_second = -1;
    if (luaL_newmetatable(L, STATE_MT)) {
        lua_pushcfunction(L, state_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    s->open = 1; /* the box has its __gc: now it may own resources */
    if ((err = ca_crypto_open(&s->crypto)) != NULL) luaL_error(L, "cloudapi.core: %s", err);
    return s;
}

/* Raw access only: no metamethod runs. */
size_t read_pairs(lua_State *L, ca_state *s, int idx, const char *what, size_t n0) {
    size_t n = n0;
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        size_t kl, vl;
        const char *k;
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: keys must be strings, got %s", what, luaL_typename(L, -2));
        k = lua_tolstring(L, -2, &kl);
        if (lua_type(L, -1) == LUA_TTABLE) {
            size_t i, m = ca_rawlen(L, -1);
            for (i = 1; i <= m; i++) {
                const char *v;
                lua_rawgeti(L, -1, (int)i);
                if (lua_type(L, -1) != LUA_TSTRING)
                    luaL_error(L, "%s: value %d of '%s' must be a string", what, (int)i, k);
                v = lua_tolstring(L, -1, &vl);
                lua_pop(L, 1); /* still referenced by the table */
                reserve_pairs(L, s, n + 1);
                s->pairs[n].k = k; s->pairs[n].kl = kl;
                s->pairs[n].v = v; s->pairs[n].vl = vl;
                n++;
            }
        } else {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "%s: value of '%s' must be a string, got %s", what, k, luaL_typename(L, -1));
            reserve_pairs(L, s, n + 1);
            s->pairs[n].k = k; s->pairs[n].kl = kl;
            s->pairs[n].v = lua_tolstring(L, -1, &vl); s->pairs[n].vl = vl;
            n++;
        }
        lua_pop(L, 1);
    }
    return n - n0;
}
