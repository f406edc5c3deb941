/* Lua bindings of libcurl multi handles (http.c): http_multi and the
 * methods add / step / count / close, many session requests in flight. */
#include <math.h>
#include <string.h>

#include "l_http.h"

#define MULTI_MT "cloudapi.core.http_multi"

typedef struct {
    ca_multi m;
    /* registry refs: lightuserdata(session) -> the session, and -> the
     * request body (libcurl does not copy it). Plain slots, reused from one
     * request to the next: adding a request allocates nothing. */
    int pins, bodies;
} ca_multi_box;

static ca_multi_box *check_multi(lua_State *L) {
    return (ca_multi_box *)luaL_checkudata(L, 1, MULTI_MT);
}

/* http_multi() -> multi | nil, message */
static int l_http_multi(lua_State *L) {
    ca_multi_box *b = (ca_multi_box *)ca_newuserdata(L, sizeof *b);
    char msg[256];
    memset(b, 0, sizeof *b);
    b->pins = b->bodies = LUA_NOREF;
    luaL_getmetatable(L, MULTI_MT);
    lua_setmetatable(L, -2);
    lua_newtable(L);
    b->pins = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    b->bodies = luaL_ref(L, LUA_REGISTRYINDEX);
    ca_multi_open(&b->m, msg, sizeof msg);
    if (b->m.multi == NULL) { /* out of file descriptors, say: an operational failure */
        lua_pushnil(L);
        lua_pushstring(L, msg);
        return 2;
    }
    return 1;
}

/* multi:add(session, req) -> true | nil, kind, message, maybe_sent */
static int l_multi_add(lua_State *L) {
    ca_multi_box *b = check_multi(L);
    ca_http *h = (ca_http *)luaL_checkudata(L, 2, SESSION_MT);
    ca_state *s;
    ca_http_req r;
    ca_http_result res;
    lua_settop(L, 3);
    s = begin(L);
    if (read_request(L, 3, s, &r, res.message, sizeof res.message)) return push_refused(L, res.message);
    h->raw_headers = r.raw_headers;
    if (ca_multi_add(&b->m, h, &r, &res) != 0) return push_result(L, s, h, &res);
    /* Pin the session, and the body: the request table itself may be
     * reused by the caller at once, everything else was copied. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->pins);
    lua_pushlightuserdata(L, h);
    lua_pushvalue(L, 2);
    lua_rawset(L, -3);
    if (r.body != NULL) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->bodies);
        lua_pushlightuserdata(L, h);
        lua_getfield(L, 3, "body");
        lua_rawset(L, -3);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* multi:step(wait_seconds [, out]) -> out, count
 * the sessions that completed, in out[1..count] (a new table when out is
 * not given); call :result() on each. */
static int l_multi_step(lua_State *L) {
    ca_multi_box *b = check_multi(L);
    double wait = luaL_optnumber(L, 2, 0);
    ca_state *s = state_of(L);
    int n, i, out;
    if (!(wait >= 0 && wait < 1e6)) return luaL_error(L, "wait out of range");
    if (s->done_cap < b->m.nactive) {
        ca_http **d = (ca_http **)realloc(s->done, b->m.nactive * sizeof *d);
        if (d == NULL) return luaL_error(L, "out of memory");
        s->done = d;
        s->done_cap = b->m.nactive;
    }
    n = b->m.nactive ? ca_multi_step(&b->m, (int)ceil(wait * 1000), s->done) : 0;
    if (n < 0) return luaL_error(L, "curl multi failure");
    if (lua_istable(L, 3)) lua_pushvalue(L, 3);
    else lua_createtable(L, n, 0);
    out = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->pins);
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->bodies);
    for (i = 0; i < n; i++) {
        lua_pushlightuserdata(L, s->done[i]);
        lua_rawget(L, -3);           /* the session */
        lua_rawseti(L, out, i + 1);
        lua_pushlightuserdata(L, s->done[i]);
        lua_pushnil(L);
        lua_rawset(L, -4);           /* unpin */
        lua_pushlightuserdata(L, s->done[i]);
        lua_pushnil(L);
        lua_rawset(L, -3);
    }
    lua_pop(L, 2);
    lua_pushinteger(L, n);
    return 2;
}

static int l_multi_count(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)check_multi(L)->m.nactive);
    return 1;
}

static int l_multi_gc(lua_State *L) {
    ca_multi_box *b = check_multi(L);
    ca_multi_close(&b->m);
    luaL_unref(L, LUA_REGISTRYINDEX, b->pins);
    luaL_unref(L, LUA_REGISTRYINDEX, b->bodies);
    b->pins = b->bodies = LUA_NOREF;
    return 0;
}

static const luaL_Reg multi_methods[] = {
    {"add", l_multi_add},
    {"step", l_multi_step},
    {"count", l_multi_count},
    {"close", l_multi_gc},
    {NULL, NULL},
};

static const luaL_Reg functions[] = {
    {"http_multi", l_http_multi},
    {NULL, NULL},
};

void ca_open_multi(lua_State *L) {
    if (luaL_newmetatable(L, MULTI_MT)) {
        lua_newtable(L);
        lua_pushvalue(L, -3);
        ca_setfuncs(L, multi_methods, 1);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_multi_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    ca_register(L, functions);
}
