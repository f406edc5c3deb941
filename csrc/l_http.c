/* Lua bindings of libcurl sessions (http.c): http_session, the session
 * methods request / result / close, and parse_headers. */
#include <math.h>
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

static void push_headers(lua_State *L, ca_state *s, const ca_buf *raw) {
    const char *p = raw->p ? raw->p : "", *end = p + raw->len;
    ca_buf *name = &s->b[0];
    lua_createtable(L, 0, 12);
    /* skip the status line */
    while (p < end && *p != '\n') p++;
    while (p < end) {
        const char *line = ++p, *colon, *eol, *v;
        size_t i;
        while (p < end && *p != '\n') p++;
        eol = p;
        if (eol > line && eol[-1] == '\r') eol--;
        colon = memchr(line, ':', (size_t)(eol - line));
        if (colon == NULL || colon == line) continue;
        v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t')) v++;
        while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t')) eol--;
        ca_buf_reset(name);
        for (i = 0; i < (size_t)(colon - line); i++) {
            char c = line[i];
            ca_buf_addc(name, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
        }
        push_buf(L, name);
        lua_pushvalue(L, -1);
        lua_rawget(L, -3);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushlstring(L, v, (size_t)(eol - v));
        } else { /* repeated header: join as HTTP allows */
            lua_pushliteral(L, ", ");
            lua_pushlstring(L, v, (size_t)(eol - v));
            lua_concat(L, 3);
        }
        lua_rawset(L, -3);
    }
}

/* parse_headers(raw) -> {lowercase name = value}: a raw header block as
 * session:request returns it with raw_headers = true. */
static int l_parse_headers(lua_State *L) {
    ca_buf raw;
    size_t n;
    const char *p = check_lstr(L, 1, &n, "headers");
    ca_state *s = begin(L);
    raw.p = (char *)p;
    raw.len = n;
    raw.cap = n;
    raw.failed = 0;
    push_headers(L, s, &raw);
    return 1;
}

static const char *const status_kind[] = {"ok", "timeout", "network", "config", "config"};

/* See l_http.h. */
void read_request(lua_State *L, int idx, ca_state *s, ca_http_req *r) {
    size_t i, n;
    double ct, rt, to;
    luaL_checktype(L, idx, LUA_TTABLE);
    memset(r, 0, sizeof *r);
    r->method = req_field(L, idx, "method", NULL);
    r->url = req_field(L, idx, "url", NULL);
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
    n = lua_isnil(L, -1) ? 0 : ca_rawlen(L, -1);
    if (n > s->lines_cap) {
        const char **p = (const char **)realloc((void *)s->lines, n * sizeof *p);
        if (p == NULL) luaL_error(L, "out of memory");
        s->lines = p;
        s->lines_cap = n;
    }
    for (i = 0; i < n; i++) {
        lua_rawgeti(L, -1, (int)i + 1);
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "header %d must be a string", (int)i + 1);
        s->lines[i] = lua_tostring(L, -1);
        lua_pop(L, 1); /* the headers table keeps it alive */
    }
    lua_pop(L, 1);
    r->headers = s->lines;
    r->nheaders = n;
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
    else push_headers(L, s, &h->hdr);
    push_buf(L, &h->body);
    if (h->body.cap > KEEP_BYTES) ca_buf_free(&h->body);
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
    read_request(L, 2, s, &r);
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

static const luaL_Reg session_methods[] = {
    {"request", l_session_request},
    {"result", l_session_result},
    {"close", l_session_close},
    {NULL, NULL},
};

static const luaL_Reg functions[] = {
    {"http_session", l_http_session},
    {"parse_headers", l_parse_headers},
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
