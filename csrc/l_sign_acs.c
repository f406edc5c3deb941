/* Lua bindings of Alibaba Cloud's header-signed families: acs3_sign
 * (ACS3-HMAC-SHA256, sign_acs3.c), roa_sign (ROA "acs", sign_roa.c) and
 * content_md5 (the Content-MD5 ROA signs). Marshalling only. */
#include <string.h>

#include "l_state.h"
#include "sign.h"

/* Reads t.query then t.headers into s->pairs; pointers are taken only
 * after both are read, since growing the array may move it. */
static void read_query_headers(lua_State *L, ca_state *s, ca_pair **q, size_t *nq,
                               ca_pair **h, size_t *nh) {
    lua_getfield(L, 1, "query");
    lua_getfield(L, 1, "headers");
    *nq = lua_isnil(L, -2) ? 0 : read_pairs(L, s, -2, "query", 0);
    *nh = lua_isnil(L, -1) ? 0 : read_pairs(L, s, -1, "headers", *nq);
    *q = s->pairs;
    *h = s->pairs + *nq;
}

/* acs3_sign{method, path, query, headers, payload_hash, ak, secret}
 * -> authorization, canonical_query, canonical_request, string_to_sign */
static int l_acs3_sign(lua_State *L) {
    ca_acs3_req r;
    ca_state *s;
    ca_buf sts;
    const char *err;
    memset(&r, 0, sizeof r);
    luaL_checktype(L, 1, LUA_TTABLE);
    r.method = req_field(L, 1, "method", NULL);
    r.path = req_field(L, 1, "path", &r.path_len);
    r.payload_hash = req_field(L, 1, "payload_hash", NULL);
    r.ak = req_field(L, 1, "ak", &r.ak_len);
    r.secret = req_field(L, 1, "secret", &r.secret_len);
    s = begin(L);
    read_query_headers(L, s, &r.query, &r.nquery, &r.headers, &r.nheaders);
    ca_buf_init(&sts);
    err = ca_acs3_sign(&s->crypto, &r, &s->b[0], &s->b[1], &sts, &s->b[2]);
    if (err) { ca_buf_free(&sts); return luaL_error(L, "%s", err); }
    if (s->b[0].failed || s->b[1].failed || s->b[2].failed) { ca_buf_free(&sts); return luaL_error(L, "out of memory"); }
    lua_pushlstring(L, s->b[2].p, s->b[2].len);
    lua_pushlstring(L, s->b[1].p ? s->b[1].p : "", s->b[1].len);
    lua_pushlstring(L, s->b[0].p, s->b[0].len);
    lua_pushlstring(L, sts.p, sts.len);
    ca_buf_free(&sts);
    return 4;
}

/* roa_sign{method, path, query, headers, ak, secret} -> authorization, string_to_sign */
static int l_roa_sign(lua_State *L) {
    ca_roa_req r;
    ca_state *s;
    const char *err;
    memset(&r, 0, sizeof r);
    luaL_checktype(L, 1, LUA_TTABLE);
    r.method = req_field(L, 1, "method", NULL);
    r.path = req_field(L, 1, "path", &r.path_len);
    r.ak = req_field(L, 1, "ak", &r.ak_len);
    r.secret = req_field(L, 1, "secret", &r.secret_len);
    s = begin(L);
    read_query_headers(L, s, &r.query, &r.nquery, &r.headers, &r.nheaders);
    err = ca_roa_sign(&s->crypto, &r, &s->b[0], &s->b[1]);
    if (err) return luaL_error(L, "%s", err);
    push_buf(L, &s->b[1]);
    push_buf(L, &s->b[0]);
    return 2;
}

/* content_md5(body) -> base64(MD5(body)) */
static int l_content_md5(lua_State *L) {
    size_t n;
    const char *body = check_lstr(L, 1, &n, "body");
    unsigned char md[CA_MD5_LEN];
    char msg[256];
    ca_state *s = begin(L);
    if (ca_md5(&s->crypto, body, n, md) != 0) {
        ca_crypto_error(msg, sizeof msg, "MD5 (is it disabled in this OpenSSL?)");
        return luaL_error(L, "%s", msg);
    }
    ca_base64(&s->b[0], md, sizeof md);
    push_buf(L, &s->b[0]);
    return 1;
}

static const luaL_Reg functions[] = {
    {"acs3_sign", l_acs3_sign},
    {"roa_sign", l_roa_sign},
    {"content_md5", l_content_md5},
    {NULL, NULL},
};

void ca_open_sign_acs(lua_State *L) { ca_register(L, functions); }
