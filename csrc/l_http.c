/* Lua bindings of libcurl sessions (http.c): http_session, the session
 * methods request / result / close, and what the ngx transport shares
 * with the curl one: parse_headers, http_check, http_limits. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_http.h"

static ca_http *check_session(lua_State *L) {
    return (ca_http *)luaL_checkudata(L, 1, SESSION_MT);
}

static int opt_bool_field(lua_State *L, int t, const char *name, int def) {
    int v;
    lua_getfield(L, t, name);
    v = lua_isnil(L, -1) ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

static double opt_num_field(lua_State *L, int t, const char *name, double def) {
    double v = def;
    lua_getfield(L, t, name);
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "field '%s' must be a number", name);
        v = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

/* http_session{cainfo=, capath=, verify=true, max_body=} */
static int l_http_session(lua_State *L) {
    ca_http_opts o;
    ca_http *h;
    size_t dummy;
    char msg[256];
    double max_body;
    if (lua_isnoneornil(L, 1)) { lua_settop(L, 0); lua_newtable(L); }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    o.cainfo = opt_field(L, 1, "cainfo", &dummy);
    o.capath = opt_field(L, 1, "capath", &dummy);
    o.verify = opt_bool_field(L, 1, "verify", 1);
    max_body = opt_num_field(L, 1, "max_body", 0);
    if (!(max_body >= 0 && max_body < 1e15)) return luaL_error(L, "field 'max_body' out of range");
    o.max_body = (size_t)max_body;
    o.share = state_of(L)->share;
    /* The box first, zeroed, so __gc is safe whatever happens next. */
    h = (ca_http *)ca_newuserdata(L, sizeof *h);
    memset(h, 0, sizeof *h);
    luaL_getmetatable(L, SESSION_MT);
    lua_setmetatable(L, -2);
    if (ca_http_open(h, &o, msg, sizeof msg) != 0) {
        ca_http_close(h);
        lua_pushnil(L);
        lua_pushstring(L, msg);
        return 2;
    }
    return 1;
}

static void push_headers(lua_State *L, ca_state *s, const char *raw, size_t len) {
    ca_fields *hs = &s->headers;
    size_t i;
    if (ca_fields_parse(hs, raw, len) != 0) luaL_error(L, "out of memory");
    lua_createtable(L, 0, (int)(hs->n < 64 ? hs->n : 64));
    for (i = 0; i < hs->n; i++) {
        lua_pushlstring(L, hs->f[i].k, hs->f[i].kl);
        lua_pushlstring(L, hs->f[i].v, hs->f[i].vl);
        lua_rawset(L, -3);
    }
    if (hs->cap > 1024) ca_fields_free(hs); /* a hostile block's arrays go back */
}

/* parse_headers(raw) -> {lowercase name = value}: a raw header block as
 * session:request returns it with raw_headers = true (or as the ngx
 * transport reads it), repeated names joined with ", ". */
static int l_parse_headers(lua_State *L) {
    size_t n;
    const char *p = check_lstr(L, 1, &n, "headers");
    push_headers(L, begin(L), p, n);
    return 1;
}

static const char *const status_kind[] = {"ok", "timeout", "network", "config", "config"};

/* The headers {name = value} at idx into s->pairs: NULL, or what is wrong
 * (in msg). Raw access, as the request itself is read. */
static const char *read_headers(lua_State *L, int idx, ca_state *s, size_t *n, char *msg, size_t msglen) {
    *n = 0;
    if (lua_isnil(L, idx)) return NULL;
    if (!lua_istable(L, idx)) {
        snprintf(msg, msglen, "headers must be a table {name = value}, got %s", luaL_typename(L, idx));
        return msg;
    }
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        ca_pair *p;
        if (lua_type(L, -2) != LUA_TSTRING) {
            snprintf(msg, msglen, "header names must be strings, got %s", luaL_typename(L, -2));
            lua_pop(L, 2);
            return msg;
        }
        if (lua_type(L, -1) != LUA_TSTRING) {
            snprintf(msg, msglen, "the value of header %.64s must be a string, got %s",
                     lua_tostring(L, -2), luaL_typename(L, -1));
            lua_pop(L, 2);
            return msg;
        }
        reserve_pairs(L, s, *n + 1);
        p = &s->pairs[(*n)++];
        p->k = lua_tolstring(L, -2, &p->kl); /* the table keeps both alive */
        p->v = lua_tolstring(L, -1, &p->vl);
        lua_pop(L, 1);
    }
    return NULL;
}

/* See l_http.h. */
const char *read_request(lua_State *L, int idx, ca_state *s, ca_http_req *r, char *msg, size_t msglen) {
    double ct, rt, to;
    const char *why;
    luaL_checktype(L, idx, LUA_TTABLE);
    memset(r, 0, sizeof *r);
    r->method = req_field(L, idx, "method", &r->method_len);
    r->url = req_field(L, idx, "url", &r->url_len);
    r->body = opt_field(L, idx, "body", &r->body_len);
    ct = opt_num_field(L, idx, "connect_timeout", 0);
    rt = opt_num_field(L, idx, "read_timeout", 0);
    to = opt_num_field(L, idx, "timeout", 0);
    if (!(ct >= 0 && ct < 1e6) || !(rt >= 0 && rt < 1e6) || !(to >= 0 && to < 1e6))
        luaL_error(L, "timeout out of range");
    r->connect_ms = (long)ceil(ct * 1000);
    r->read_ms = (long)ceil(rt * 1000);
    r->total_ms = (long)ceil(to * 1000);
    r->fresh = opt_bool_field(L, idx, "fresh_connect", 0);
    r->raw_headers = opt_bool_field(L, idx, "raw_headers", 0);
    lua_getfield(L, idx, "headers");
    why = read_headers(L, lua_gettop(L), s, &r->nheaders, msg, msglen);
    lua_pop(L, 1); /* the request table keeps it alive */
    r->headers = s->pairs;
    return why;
}

/* nil, "config", message, false: the request never left */
int push_refused(lua_State *L, const char *why) {
    lua_pushnil(L);
    lua_pushliteral(L, "config");
    lua_pushstring(L, why);
    lua_pushboolean(L, 0);
    return 4;
}

/* status, headers, body | nil, kind, message, maybe_sent */
int push_result(lua_State *L, ca_state *s, ca_http *h, const ca_http_result *res) {
    if (res->status != CA_HTTP_OK) {
        lua_pushnil(L);
        lua_pushstring(L, status_kind[res->status]);
        lua_pushstring(L, res->message);
        lua_pushboolean(L, res->maybe_sent);
        return 4;
    }
    lua_pushinteger(L, (lua_Integer)res->code);
    if (h->raw_headers) push_buf(L, &h->hdr); /* parsed later, if ever: core.parse_headers */
    else push_headers(L, s, h->hdr.p ? h->hdr.p : "", h->hdr.len);
    push_buf(L, &h->body);
    if (h->body.cap > KEEP_BYTES) ca_buf_free(&h->body);
    if (h->hdr.cap > KEEP_BYTES) ca_buf_free(&h->hdr);
    return 3;
}

/* session:request(req) -> status, headers, body | nil, kind, message, maybe_sent
 * (seconds; read_timeout is an idle timeout, timeout bounds it all) */
static int l_session_request(lua_State *L) {
    ca_http *h = check_session(L);
    ca_state *s;
    ca_http_req r;
    ca_http_result res;
    lua_settop(L, 2);
    s = begin(L);
    if (read_request(L, 2, s, &r, res.message, sizeof res.message)) return push_refused(L, res.message);
    h->raw_headers = r.raw_headers;
    ca_http_perform(h, &r, &res);
    return push_result(L, s, h, &res);
}

/* session:result() -> the outcome of a request run by a multi handle */
static int l_session_result(lua_State *L) {
    ca_http *h = check_session(L);
    ca_http_result res;
    if (!h->busy || h->attached) return luaL_error(L, "the session has no finished request");
    ca_http_result_of(h, &res);
    return push_result(L, begin(L), h, &res);
}

static int l_session_close(lua_State *L) {
    ca_http_close(check_session(L));
    return 0;
}

static int l_session_tostring(lua_State *L) {
    ca_http *h = check_session(L);
    lua_pushfstring(L, "cloudapi.core.http_session (%s)", h->easy ? "open" : "closed");
    return 1;
}

/* http_check(method, url, headers) -> nil | what is wrong: the curl
 * transport's check of what goes on the wire, for the ngx transport. */
static int l_http_check(lua_State *L) {
    size_t ml, ul, n;
    const char *method = check_lstr(L, 1, &ml, "method");
    const char *url = check_lstr(L, 2, &ul, "url");
    char msg[320];
    ca_state *s = begin(L);
    lua_settop(L, 3);
    if (read_headers(L, 3, s, &n, msg, sizeof msg) ||
        ca_http_check(method, ml, url, ul, s->pairs, n, msg, sizeof msg)) {
        lua_pushstring(L, msg);
        return 1;
    }
    lua_pushnil(L);
    return 1;
}

/* http_limits() -> {max_body, header_bytes, header_line, informational}:
 * what the curl transport lets a server make an answer cost. */
static int l_http_limits(lua_State *L) {
    static const struct { const char *name; lua_Integer value; } limits[] = {
        {"max_body", (lua_Integer)CA_HTTP_MAX_BODY},
        {"header_bytes", CA_HTTP_MAX_HEADER_BYTES},
        {"header_line", CA_HTTP_MAX_HEADER_LINE},
        {"informational", CA_HTTP_MAX_INFORMATIONAL},
    };
    size_t i;
    lua_createtable(L, 0, 4);
    for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        lua_pushinteger(L, limits[i].value);
        lua_setfield(L, -2, limits[i].name);
    }
    return 1;
}

static const luaL_Reg session_methods[] = {
    {"request", l_session_request},
    {"result", l_session_result},
    {"close", l_session_close},
    {NULL, NULL},
};

static const luaL_Reg functions[] = {
    {"http_session", l_http_session},
    {"parse_headers", l_parse_headers},
    {"http_check", l_http_check},
    {"http_limits", l_http_limits},
    {NULL, NULL},
};

void ca_open_http(lua_State *L) {
    ca_state *s = (ca_state *)lua_touserdata(L, -1);
    if (luaL_newmetatable(L, SESSION_MT)) {
        lua_newtable(L);
        lua_pushvalue(L, -3);
        ca_setfuncs(L, session_methods, 1);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_session_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_session_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_session_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    /* DNS and TLS sessions shared by this state's sessions; NULL is fine:
     * sessions then cache alone. The box's __gc drops it. */
    s->share = ca_share_new();
    ca_register(L, functions);
}
