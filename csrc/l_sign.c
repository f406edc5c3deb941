/* Lua bindings of canonicalization and the signature families: encode,
 * canonical_query, rpc_sign, rpc_sign_args (the RPC fast path) and
 * sdk_sign. Marshalling only: the algorithms are in canon.c and sign_*.c,
 * the RPC parameter flattening in l_rpc_params.c. */
#include <string.h>

#include "l_state.h"
#include "l_rpc_params.h"
#include "sign.h"

/* encode(s): RFC 3986 percent-encoding */
static int l_encode(lua_State *L) {
    size_t n;
    const char *str = check_lstr(L, 1, &n, "argument");
    ca_state *s = begin(L);
    ca_percent_encode(&s->b[0], str, n);
    push_buf(L, &s->b[0]);
    return 1;
}

/* canonical_query(t): sorted enc(k)=enc(v) joined by '&' */
static int l_canonical_query(lua_State *L) {
    ca_state *s = begin(L);
    size_t n = read_pairs(L, s, 1, "query", 0);
    ca_sort_pairs(s->pairs, n);
    ca_canonical_query(&s->b[0], s->pairs, n);
    push_buf(L, &s->b[0]);
    return 1;
}

/* rpc_sign(method, params, secret) -> signed_query, string_to_sign, signature
 * signed_query is the canonical query with "&Signature=<encoded>" appended:
 * the query string (GET) or form body (POST) to send as is. params carries
 * every parameter, the signature's own ones included. */
static int l_rpc_sign(lua_State *L) {
    size_t ml, sl, n;
    const char *method = check_lstr(L, 1, &ml, "method");
    const char *secret;
    ca_state *s;
    char msg[256];
    secret = check_lstr(L, 3, &sl, "secret");
    s = begin(L);
    n = read_pairs(L, s, 2, "params", 0);
    if (ca_rpc_sign(&s->crypto, method, s->pairs, n, secret, sl, &s->b[0], &s->b[1], &s->b[2]) != 0) {
        ca_crypto_error(msg, sizeof msg, "RPC signing");
        return luaL_error(L, "%s", msg);
    }
    ca_buf_add(&s->b[0], "&Signature=", 11);
    ca_percent_encode(&s->b[0], s->b[2].p, s->b[2].len);
    push_buf(L, &s->b[0]);
    push_buf(L, &s->b[1]);
    push_buf(L, &s->b[2]);
    return 3;
}

/* rpc_sign_args(method, secret, args, reserved, prefix, want_sts, time, nonce,
 *               name1, value1, ...)
 * -> prefix .. signed_query, string_to_sign or false, signature | nil
 * The hot path of an RPC call: args is the caller's table, flattened in C
 * when it can be (l_rpc_params.c); the name/value strings after nonce are
 * the caller's common parameters. Signature v1's own parameters are added
 * here, not by the Lua layer (ca_rpc_v1_params): SignatureMethod,
 * SignatureVersion, SignatureNonce (nonce, or 128 bits from the pool when
 * nil) and Timestamp (time: seconds since the epoch, or the timestamp
 * string itself). prefix (a URL up to "?", or "") is written in front, so
 * the URL is built once; the string to sign is made only when wanted. nil
 * means "take the general path": nothing signed. */
#define ARGS_FIRST 9
static int l_rpc_sign_args(lua_State *L) {
    size_t ml, sl, pl, a, n;
    const char *method = check_lstr(L, 1, &ml, "method");
    const char *secret = check_lstr(L, 2, &sl, "secret");
    const char *prefix = check_lstr(L, 5, &pl, "prefix");
    int want_sts = lua_toboolean(L, 6);
    int top = lua_gettop(L);
    ca_state *s;
    ca_buf sig;
    char msg[256];
    const char *nonce, *stamp;
    size_t nonce_len, stamp_len;
    /* Names and values come in pairs after the nonce: an odd count, or
     * fewer arguments than the fixed ones, is core misuse (and would make
     * the pair count below wrap). */
    if (!lua_istable(L, 3) || !lua_istable(L, 4) || top < ARGS_FIRST - 1 || (top - ARGS_FIRST + 1) % 2 != 0)
        return luaL_error(L, "rpc_sign_args: bad arguments");
    s = begin(L);
    if (rpc_params_flatten(L, s, 3, 4, &s->b[2], &n) != 0) { lua_pushnil(L); return 1; }
    reserve_pairs(L, s, n + (size_t)(top - ARGS_FIRST + 1) / 2 + CA_RPC_V1_NPARAMS);
    for (a = ARGS_FIRST; a < (size_t)top; a += 2) {
        ca_pair *p = &s->pairs[n++];
        p->k = check_lstr(L, (int)a, &p->kl, "parameter name");
        p->v = check_lstr(L, (int)a + 1, &p->vl, "parameter value");
    }
    if (lua_type(L, 8) == LUA_TSTRING) {
        nonce = lua_tolstring(L, 8, &nonce_len);
    } else {
        nonce = fresh_nonce(L, s); nonce_len = 32;
    }
    stamp = stamp_of(L, s, 7, &stamp_len);
    n += ca_rpc_v1_params(&s->pairs[n], nonce, nonce_len, stamp, stamp_len);
    ca_buf_init(&sig); /* b[2] still holds names and numbers the pairs point to */
    ca_buf_add(&s->b[0], prefix, pl); /* the query goes after the prefix */
    if (ca_rpc_sign(&s->crypto, method, s->pairs, n, secret, sl, &s->b[0], &s->b[1], &sig) != 0) {
        ca_buf_free(&sig);
        ca_crypto_error(msg, sizeof msg, "RPC signing");
        return luaL_error(L, "%s", msg);
    }
    ca_buf_add(&s->b[0], "&Signature=", 11);
    ca_percent_encode(&s->b[0], sig.p, sig.len);
    if (s->b[0].failed || s->b[1].failed || sig.failed) {
        ca_buf_free(&sig);
        return luaL_error(L, "out of memory");
    }
    lua_pushlstring(L, s->b[0].p, s->b[0].len);
    if (want_sts) lua_pushlstring(L, s->b[1].p, s->b[1].len);
    else lua_pushboolean(L, 0);
    lua_pushlstring(L, sig.p, sig.len);
    ca_buf_free(&sig);
    return 3;
}

/* sdk_sign{method, path, query, headers, body | payload_hash, ak, sk, date,
 *          algorithm, region, service} -> authorization, canonical_request, canonical_query */
static int l_sdk_sign(lua_State *L) {
    ca_sdk_req r;
    ca_state *s;
    size_t nq, nh, alen;
    const char *alg, *err;
    memset(&r, 0, sizeof r);
    luaL_checktype(L, 1, LUA_TTABLE);
    r.method = req_field(L, 1, "method", NULL);
    r.path = req_field(L, 1, "path", &r.path_len);
    r.ak = req_field(L, 1, "ak", &r.ak_len);
    r.sk = req_field(L, 1, "sk", &r.sk_len);
    r.date = req_field(L, 1, "date", NULL);
    r.body = opt_field(L, 1, "body", &r.body_len);
    r.payload_hash = opt_field(L, 1, "payload_hash", &alen);
    alg = opt_field(L, 1, "algorithm", &alen);
    r.region = opt_field(L, 1, "region", &alen);
    r.service = opt_field(L, 1, "service", &alen);
    if (alg == NULL || strcmp(alg, "SDK-HMAC-SHA256") == 0) r.v11 = 0;
    else if (strcmp(alg, "V11-HMAC-SHA256") == 0) r.v11 = 1;
    else return luaL_error(L, "unknown algorithm '%s'", alg);

    s = begin(L);
    lua_getfield(L, 1, "query");
    lua_getfield(L, 1, "headers");
    if (!lua_isnil(L, -2) && !lua_istable(L, -2)) return luaL_error(L, "field 'query' must be a table");
    if (!lua_isnil(L, -1) && !lua_istable(L, -1)) return luaL_error(L, "field 'headers' must be a table");
    nq = lua_isnil(L, -2) ? 0 : read_pairs(L, s, -2, "query", 0);
    /* Headers follow the query pairs in the same array; take pointers only
     * after both are read, since growing the array may move it. */
    nh = lua_isnil(L, -1) ? 0 : read_pairs(L, s, -1, "headers", nq);
    r.query = s->pairs;
    r.nquery = nq;
    r.headers = s->pairs + nq;
    r.nheaders = nh;
    err = ca_sdk_sign(&s->crypto, &r, &s->b[0], &s->b[1], &s->b[2]);
    if (err) return luaL_error(L, "%s", err);
    push_buf(L, &s->b[2]);
    push_buf(L, &s->b[0]);
    push_buf(L, &s->b[1]);
    return 3;
}

static const luaL_Reg functions[] = {
    {"encode", l_encode},
    {"canonical_query", l_canonical_query},
    {"rpc_sign", l_rpc_sign},
    {"rpc_sign_args", l_rpc_sign_args},
    {"sdk_sign", l_sdk_sign},
    {NULL, NULL},
};

void ca_open_sign(lua_State *L) { ca_register(L, functions); }
