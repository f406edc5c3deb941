/* Lua bindings of Alibaba Cloud V3, ACS3-HMAC-SHA256 (sign_acs3.c):
 * acs3_sign and acs3_sign_args, its RPC fast path. Marshalling only. */
#include <string.h>

#include "l_state.h"
#include "l_rpc_params.h"
#include "sign.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

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

/* acs3_sign_args(method, secret, ak, args, reserved, pname, pvalue, extra,
 *                want, nonce, date, name1, value1, ...)
 * -> query (GET) or form body (POST), authorization, nonce, date,
 *    content_sha256 (nil for GET: that of the empty body)
 *    [, canonical_request, string_to_sign when want] | nil
 * The RPC client's hot path under ACS3: args (the caller's table) is
 * flattened in C (l_rpc_params.c), the query parameter pname = pvalue
 * (the client's RegionId) added when both are strings; the headers to
 * sign are the name/value strings after date, the table extra (the
 * caller's, or nil) and the algorithm's own, added here:
 * x-acs-signature-nonce (nonce, or a fresh one from the pool when nil),
 * x-acs-date (date: seconds, or the string to send) and
 * x-acs-content-sha256 (of the form body for POST). nil means "take the
 * general path". The canonical request and string to sign are Lua strings
 * only when wanted: each is unique (the nonce) and costs an allocation per
 * call. */
#define ACS3_ARGS_FIRST 12
#define ACS3_OWN 3 /* the nonce, the date, the content hash */
static int l_acs3_sign_args(lua_State *L) {
    ca_acs3_req r;
    ca_state *s;
    ca_buf sts, auth, empty;
    size_t sl, al, n, nq, nh, a;
    const char *method = check_lstr(L, 1, &sl, "method");
    const char *secret = check_lstr(L, 2, &sl, "secret");
    const char *ak = check_lstr(L, 3, &al, "access key id");
    int top = lua_gettop(L), post = strcmp(method, "POST") == 0, want = lua_toboolean(L, 9);
    char hash[2 * CA_SHA256_LEN + 1];
    const char *err;
    if (!lua_istable(L, 4) || !lua_istable(L, 5) || top < ACS3_ARGS_FIRST - 1 ||
        (top - ACS3_ARGS_FIRST + 1) % 2 != 0)
        return luaL_error(L, "acs3_sign_args: bad arguments");
    s = begin(L);
    if (rpc_params_flatten(L, s, 4, 5, &s->b[2], &n) != 0) { lua_pushnil(L); return 1; }
    nq = n;
    reserve_pairs(L, s, n + 1 + ACS3_OWN + (size_t)(top - ACS3_ARGS_FIRST + 1) / 2);
    if (lua_type(L, 6) == LUA_TSTRING && lua_type(L, 7) == LUA_TSTRING) {
        s->pairs[nq].k = lua_tolstring(L, 6, &s->pairs[nq].kl);
        s->pairs[nq].v = lua_tolstring(L, 7, &s->pairs[nq].vl);
        nq++;
    }
    {
        ca_pair *p = &s->pairs[nq];
        p[0].k = "x-acs-signature-nonce"; p[0].kl = 21;
        if (lua_isnil(L, 10)) { p[0].v = fresh_nonce(L, s); p[0].vl = 32; }
        else p[0].v = check_lstr(L, 10, &p[0].vl, "nonce");
        p[1].k = "x-acs-date"; p[1].kl = 10;
        p[1].v = stamp_of(L, s, 11, &p[1].vl);
        nh = 2;
    }
    for (a = ACS3_ARGS_FIRST; a < (size_t)top; a += 2) {
        ca_pair *p = &s->pairs[nq + nh++];
        p->k = check_lstr(L, (int)a, &p->kl, "header name");
        p->v = check_lstr(L, (int)a + 1, &p->vl, "header value");
    }
    if (!lua_isnil(L, 8)) nh += read_pairs(L, s, 8, "headers", nq + nh);
    reserve_pairs(L, s, nq + nh + 1);
    memset(&r, 0, sizeof r);
    ca_buf_init(&sts); ca_buf_init(&auth); ca_buf_init(&empty);
    if (post) { /* the parameters go in the form body, signed through its hash */
        unsigned char d[CA_SHA256_LEN];
        ca_buf hx;
        ca_sort_pairs(s->pairs, nq);
        ca_canonical_query(&s->b[1], s->pairs, nq);
        if (s->b[1].failed) return luaL_error(L, "out of memory");
        if (ca_sha256(&s->crypto, s->b[1].p ? s->b[1].p : "", s->b[1].len, d) != 0) {
            char msg[256];
            ca_crypto_error(msg, sizeof msg, "SHA-256");
            return luaL_error(L, "%s", msg);
        }
        ca_buf_init(&hx);
        ca_hex(&hx, d, sizeof d);
        if (hx.failed) return luaL_error(L, "out of memory");
        memcpy(hash, hx.p, sizeof hash);
        ca_buf_free(&hx);
    } else {
        memcpy(hash, EMPTY_SHA256, sizeof hash);
        r.query = s->pairs; r.nquery = nq;
    }
    s->pairs[nq + nh].k = "x-acs-content-sha256"; s->pairs[nq + nh].kl = 20;
    s->pairs[nq + nh].v = hash; s->pairs[nq + nh].vl = 2 * CA_SHA256_LEN;
    r.method = method; r.path = "/"; r.path_len = 1;
    r.headers = s->pairs + nq; r.nheaders = nh + 1;
    r.payload_hash = hash;
    r.ak = ak; r.ak_len = al; r.secret = secret; r.secret_len = sl;
    err = ca_acs3_sign(&s->crypto, &r, &s->b[0], post ? &empty : &s->b[1], &sts, &auth);
    if (err == NULL && (s->b[0].failed || sts.failed || auth.failed)) err = "out of memory";
    if (err) { ca_buf_free(&sts); ca_buf_free(&auth); ca_buf_free(&empty); return luaL_error(L, "%s", err); }
    lua_pushlstring(L, s->b[1].p ? s->b[1].p : "", s->b[1].len);
    lua_pushlstring(L, auth.p, auth.len);
    if (lua_isnil(L, 10)) lua_pushlstring(L, s->nonce, 32);
    else lua_pushvalue(L, 10);
    if (lua_type(L, 11) == LUA_TSTRING) lua_pushvalue(L, 11);
    else lua_pushlstring(L, s->stamp, 20);
    if (post) lua_pushlstring(L, hash, 2 * CA_SHA256_LEN);
    else lua_pushnil(L);
    if (want) {
        lua_pushlstring(L, s->b[0].p, s->b[0].len);
        lua_pushlstring(L, sts.p, sts.len);
    }
    ca_buf_free(&sts); ca_buf_free(&auth); ca_buf_free(&empty);
    return want ? 7 : 5;
}

static const luaL_Reg functions[] = {
    {"acs3_sign", l_acs3_sign},
    {"acs3_sign_args", l_acs3_sign_args},
    {NULL, NULL},
};

void ca_open_sign_acs(lua_State *L) { ca_register(L, functions); }
