/* luaopen_cloudapi_core: the Lua-facing functions, nothing else. Every
 * function shares one per-lua_State box (upvalue 1) holding reusable
 * buffers, OpenSSL contexts and the nonce pool: no process-global mutable
 * state, and nothing allocated per call in the hot path. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "crypto.h"
#include "canon.h"
#include "http.h"
#include "sign.h"

#define STATE_MT "cloudapi.core.state"
#define SESSION_MT "cloudapi.core.http_session"
#define MULTI_MT "cloudapi.core.http_multi"
#define NBUF 3
#define KEEP_BYTES (1 << 16) /* shrink buffers that grew past this */

typedef struct {
    ca_crypto crypto;
    ca_buf b[NBUF];
    ca_pair *pairs;
    size_t pairs_cap;
    const char **lines;
    size_t lines_cap;
    ca_http **done;
    size_t done_cap;
    ca_share *share;
    long long stamp_second;   /* the last RPC timestamp made, reused within its second */
    char stamp[24];
    char nonce[33];
    size_t *koff, *voff;      /* rpc_sign_args: arena offsets of flattened pairs */
    size_t off_cap;
    int open;
} ca_state;

static ca_state *state_of(lua_State *L) {
    return (ca_state *)lua_touserdata(L, lua_upvalueindex(1));
}

static void state_release(ca_state *s) {
    int i;
    for (i = 0; i < NBUF; i++) ca_buf_free(&s->b[i]);
    free(s->pairs);
    s->pairs = NULL;
    s->pairs_cap = 0;
    free((void *)s->lines);
    s->lines = NULL;
    s->lines_cap = 0;
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

/* Start of every call: empty buffers, big ones given back. */
static ca_state *begin(lua_State *L) {
    ca_state *s = state_of(L);
    int i;
    for (i = 0; i < NBUF; i++) {
        if (s->b[i].cap > KEEP_BYTES) ca_buf_free(&s->b[i]);
        ca_buf_reset(&s->b[i]);
    }
    return s;
}

static ca_pair *reserve_pairs(lua_State *L, ca_state *s, size_t n) {
    if (n > s->pairs_cap) {
        size_t cap = n < 32 ? 32 : n;
        ca_pair *p = (ca_pair *)realloc(s->pairs, cap * sizeof *p);
        if (p == NULL) { luaL_error(L, "out of memory"); return NULL; }
        s->pairs = p;
        s->pairs_cap = cap;
    }
    return s->pairs;
}

static void push_buf(lua_State *L, ca_buf *b) {
    if (b->failed) luaL_error(L, "out of memory");
    lua_pushlstring(L, b->p ? b->p : "", b->len);
}

static const char *check_lstr(lua_State *L, int idx, size_t *len, const char *what) {
    const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, len) : NULL;
    if (s == NULL) luaL_error(L, "%s must be a string, got %s", what, luaL_typename(L, idx));
    return s;
}

/* Read a table of string -> string (or -> array of strings, for repeated
 * query keys) at idx into s->pairs. Raw access only: no metamethod runs. */
static size_t read_pairs(lua_State *L, ca_state *s, int idx, const char *what, size_t n0) {
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
 * the query string (GET) or form body (POST) to send as is. */
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

/* ---- the RPC fast path ------------------------------------------------ */

/* Flattening a caller's parameter table in C, in one pass: strings
 * (without NUL), integers and booleans, inside arrays (Name.1, Name.2 ...)
 * and maps (Name.Key) up to a few levels. Anything else (other numbers,
 * tables with a metatable such as cloudapi.json, mixed or holey tables,
 * deep nesting) sends the call down the general Lua path, which names the
 * problem. Names and numbers are written to an arena that may move while it
 * grows, so pairs record arena offsets and get pointers at the end. */
#define FLAT_DEPTH 6

typedef struct {
    ca_state *s;
    lua_State *L;
    ca_buf *arena;
    size_t n;
    size_t *koff, *voff; /* 0: a Lua string; else arena offset + 1 */
    size_t cap;
} flat_walk;

static int flat_room(flat_walk *w) {
    if (w->n < w->cap) return 0;
    {
        size_t cap = w->cap ? 2 * w->cap : 64;
        size_t *k = (size_t *)realloc(w->koff, cap * sizeof *k);
        if (k == NULL) return -1;
        w->koff = k;
        k = (size_t *)realloc(w->voff, cap * sizeof *k);
        if (k == NULL) return -1;
        w->voff = k;
        w->cap = cap;
    }
    reserve_pairs(w->L, w->s, w->cap);
    return 0;
}

/* Append name "." suffix to the arena; returns its offset + 1, or 0. */
static size_t arena_name(flat_walk *w, size_t name_off, const char *name, size_t nl,
                         const char *suffix, size_t sl) {
    size_t off = w->arena->len;
    if (!ca_buf_reserve(w->arena, nl + 1 + sl + 1)) return 0;
    /* name may live in the arena itself: copy by offset after reserving */
    if (name_off) name = w->arena->p + name_off - 1;
    memcpy(w->arena->p + off, name, nl);
    w->arena->p[off + nl] = '.';
    memcpy(w->arena->p + off + nl + 1, suffix, sl);
    w->arena->len += nl + 1 + sl;
    w->arena->p[w->arena->len++] = '\0';
    return off + 1;
}

static int flat_value(flat_walk *w, size_t name_off, const char *name, size_t nl, int depth);

static int flat_table(flat_walk *w, size_t name_off, const char *name, size_t nl, int depth) {
    lua_State *L = w->L;
    int idx = lua_gettop(L);
    size_t count = 0, maxi = 0;
    int ints = 0, strs = 0;
    if (depth >= FLAT_DEPTH) return -1;
    if (lua_getmetatable(L, idx)) { lua_pop(L, 1); return -1; }
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        char digits[24];
        const char *suffix;
        size_t sl, child;
        if (lua_type(L, -2) == LUA_TNUMBER) {
            lua_Number d = lua_tonumber(L, -2);
            if (d < 1 || d != floor(d) || d > 1e9) { lua_pop(L, 2); return -1; }
            if ((size_t)d > maxi) maxi = (size_t)d;
            sl = (size_t)snprintf(digits, sizeof digits, "%zu", (size_t)d);
            suffix = digits;
            ints = 1;
        } else if (lua_type(L, -2) == LUA_TSTRING) {
            suffix = lua_tolstring(L, -2, &sl);
            if (sl == 0) { lua_pop(L, 2); return -1; }
            strs = 1;
        } else {
            lua_pop(L, 2);
            return -1;
        }
        count++;
        if (ints && strs) { lua_pop(L, 2); return -1; }
        child = arena_name(w, name_off, name, nl, suffix, sl);
        if (child == 0) { lua_pop(L, 2); return -1; }
        if (flat_value(w, child, NULL, nl + 1 + sl, depth + 1) != 0) { lua_pop(L, 2); return -1; }
        lua_pop(L, 1);
    }
    if (ints && maxi != count) return -1; /* a hole */
    return 0;
}

/* The value on top of the stack, under a name (a Lua string, or the arena
 * at name_off - 1 when name_off is not 0). */
static int flat_value(flat_walk *w, size_t name_off, const char *name, size_t nl, int depth) {
    lua_State *L = w->L;
    int t = lua_type(L, -1);
    ca_pair *p;
    if (t == LUA_TTABLE) return flat_table(w, name_off, name, nl, depth);
    if (flat_room(w) != 0) return -1;
    p = &w->s->pairs[w->n];
    w->koff[w->n] = name_off;
    p->k = name;
    p->kl = nl;
    w->voff[w->n] = 0;
    if (t == LUA_TSTRING) {
        p->v = lua_tolstring(L, -1, &p->vl);
        if (memchr(p->v, '\0', p->vl)) return -1;
    } else if (t == LUA_TBOOLEAN) {
        p->v = lua_toboolean(L, -1) ? "true" : "false";
        p->vl = strlen(p->v);
    } else if (t == LUA_TNUMBER) {
        char num[32];
        int wr;
#if LUA_VERSION_NUM >= 503
        if (!lua_isinteger(L, -1)) return -1;
        wr = snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, -1));
#else
        double d = lua_tonumber(L, -1);
        if (!(d == floor(d) && d > -9007199254740992.0 && d < 9007199254740992.0)) return -1;
        wr = snprintf(num, sizeof num, "%.0f", d);
#endif
        w->voff[w->n] = w->arena->len + 1;
        ca_buf_add(w->arena, num, (size_t)wr + 1);
        if (w->arena->failed) return -1;
        p->v = NULL;
        p->vl = (size_t)wr;
    } else {
        return -1;
    }
    w->n++;
    return 0;
}

/* Walk args (index 3): 0, or -1 for the general path. */
static int flat_args(flat_walk *w) {
    lua_State *L = w->L;
    size_t i;
    lua_pushnil(L);
    while (lua_next(L, 3) != 0) {
        size_t kl;
        const char *k;
        if (lua_type(L, -2) != LUA_TSTRING) { lua_pop(L, 2); return -1; }
        k = lua_tolstring(L, -2, &kl);
        if (kl == 0) { lua_pop(L, 2); return -1; }
        lua_pushvalue(L, -2);
        lua_rawget(L, 4); /* a reserved name: the general path says so */
        if (!lua_isnil(L, -1)) { lua_pop(L, 3); return -1; }
        lua_pop(L, 1);
        if (flat_value(w, 0, k, kl, 0) != 0) { lua_pop(L, 2); return -1; }
        lua_pop(L, 1);
    }
    /* The arena stopped moving: point into it. */
    for (i = 0; i < w->n; i++) {
        if (w->koff[i]) w->s->pairs[i].k = w->arena->p + w->koff[i] - 1;
        if (w->voff[i]) w->s->pairs[i].v = w->arena->p + w->voff[i] - 1;
    }
    return 0;
}

/* rpc_sign_args(method, secret, args, reserved, prefix, want_sts, time, nonce,
 *               name1, value1, ...)
 * -> prefix .. signed_query, string_to_sign or false, signature | nil
 * The hot path of an RPC call: args is the caller's table, flattened here
 * when it can be (see above); the name/value strings after nonce are the
 * caller's common parameters. Signature v1's own parameters are added here,
 * not by the Lua layer (ca_rpc_v1_params): SignatureMethod,
 * SignatureVersion, SignatureNonce (nonce, or 128 bits from the pool when
 * nil) and Timestamp (time: seconds since the epoch, or the timestamp
 * string itself). prefix (a URL up to "?", or "") is written
 * in front, so the URL is built once; the string to sign is made only when
 * wanted. nil means "take the general path": nothing signed. */
#define ARGS_FIRST 9
static int l_rpc_sign_args(lua_State *L) {
    size_t ml, sl, pl, a;
    const char *method = check_lstr(L, 1, &ml, "method");
    const char *secret = check_lstr(L, 2, &sl, "secret");
    const char *prefix = check_lstr(L, 5, &pl, "prefix");
    int want_sts = lua_toboolean(L, 6);
    int top = lua_gettop(L);
    ca_state *s;
    flat_walk w;
    ca_buf sig;
    char msg[256];
    const char *nonce, *stamp;
    size_t nonce_len, stamp_len;
    int rc;
    if (!lua_istable(L, 3) || !lua_istable(L, 4) || (top - ARGS_FIRST + 1) % 2 != 0)
        return luaL_error(L, "rpc_sign_args: bad arguments");
    s = begin(L);
    memset(&w, 0, sizeof w);
    w.s = s;
    w.L = L;
    w.arena = &s->b[2];
    w.koff = s->koff;
    w.voff = s->voff;
    w.cap = s->off_cap;
    rc = flat_args(&w);
    s->koff = w.koff; /* kept for the next call */
    s->voff = w.voff;
    s->off_cap = w.cap;
    if (rc != 0) { lua_pushnil(L); return 1; }
    reserve_pairs(L, s, w.n + (size_t)(top - ARGS_FIRST + 1) / 2 + CA_RPC_V1_NPARAMS);
    for (a = ARGS_FIRST; a < (size_t)top; a += 2) {
        ca_pair *p = &s->pairs[w.n++];
        p->k = check_lstr(L, (int)a, &p->kl, "parameter name");
        p->v = check_lstr(L, (int)a + 1, &p->vl, "parameter value");
    }
    if (lua_type(L, 8) == LUA_TSTRING) {
        nonce = lua_tolstring(L, 8, &nonce_len);
    } else {
        static const char hexd[] = "0123456789abcdef";
        unsigned char r[16];
        int i;
        if (ca_random(&s->crypto, r, sizeof r) != 0) {
            ca_crypto_error(msg, sizeof msg, "RAND_bytes");
            return luaL_error(L, "%s", msg);
        }
        for (i = 0; i < 16; i++) {
            s->nonce[2 * i] = hexd[r[i] >> 4];
            s->nonce[2 * i + 1] = hexd[r[i] & 15];
        }
        nonce = s->nonce; nonce_len = 32;
    }
    if (lua_type(L, 7) == LUA_TSTRING) {
        stamp = lua_tolstring(L, 7, &stamp_len);
    } else {
        double t = luaL_checknumber(L, 7);
        long long sec;
        if (!(t >= 0 && t < 253402300800.0)) return luaL_error(L, "time out of range");
        sec = (long long)floor(t);
        if (sec != s->stamp_second) { /* one strftime per second, not per call */
            time_t tt = (time_t)sec;
            struct tm tm;
            if (gmtime_r(&tt, &tm) == NULL) return luaL_error(L, "time out of range");
            strftime(s->stamp, sizeof s->stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
            s->stamp_second = sec;
        }
        stamp = s->stamp; stamp_len = 20;
    }
    w.n += ca_rpc_v1_params(&s->pairs[w.n], nonce, nonce_len, stamp, stamp_len);
    ca_buf_init(&sig); /* b[2] still holds names and numbers the pairs point to */
    ca_buf_add(&s->b[0], prefix, pl); /* the query goes after the prefix */
    if (ca_rpc_sign(&s->crypto, method, s->pairs, w.n, secret, sl, &s->b[0], &s->b[1], &sig) != 0) {
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

static const char *opt_field(lua_State *L, int t, const char *name, size_t *len) {
    const char *v = NULL;
    lua_getfield(L, t, name);
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "field '%s' must be a string", name);
        v = lua_tolstring(L, -1, len);
    }
    lua_pop(L, 1); /* the table keeps the string alive */
    return v;
}

static const char *req_field(lua_State *L, int t, const char *name, size_t *len) {
    size_t dummy;
    const char *v = opt_field(L, t, name, len ? len : &dummy);
    if (v == NULL) luaL_error(L, "field '%s' is required", name);
    return v;
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

static int hmac(lua_State *L, ca_digest d) {
    size_t kl, ml, outlen = 0;
    const char *key = check_lstr(L, 1, &kl, "key");
    const char *msg = check_lstr(L, 2, &ml, "message");
    unsigned char out[CA_SHA256_LEN];
    char err[256];
    ca_state *s = begin(L);
    if (ca_hmac(&s->crypto, d, key, kl, msg, ml, out, &outlen) != 0) {
        ca_crypto_error(err, sizeof err, "HMAC");
        return luaL_error(L, "%s", err);
    }
    lua_pushlstring(L, (const char *)out, outlen);
    return 1;
}
static int l_hmac_sha1(lua_State *L) { return hmac(L, CA_SHA1); }

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
static int l_hmac_sha256(lua_State *L) { return hmac(L, CA_SHA256); }

static int l_sha256_hex(lua_State *L) {
    size_t n;
    const char *msg = check_lstr(L, 1, &n, "message");
    unsigned char out[CA_SHA256_LEN];
    char err[256];
    ca_state *s = begin(L);
    if (ca_sha256(&s->crypto, msg, n, out) != 0) {
        ca_crypto_error(err, sizeof err, "SHA-256");
        return luaL_error(L, "%s", err);
    }
    ca_hex(&s->b[0], out, sizeof out);
    push_buf(L, &s->b[0]);
    return 1;
}

static int l_hex(lua_State *L) {
    size_t n;
    const char *str = check_lstr(L, 1, &n, "argument");
    ca_state *s = begin(L);
    ca_hex(&s->b[0], (const unsigned char *)str, n);
    push_buf(L, &s->b[0]);
    return 1;
}

static int l_base64(lua_State *L) {
    size_t n;
    const char *str = check_lstr(L, 1, &n, "argument");
    ca_state *s = begin(L);
    if (n > (size_t)INT32_MAX / 2) return luaL_error(L, "argument too large");
    ca_base64(&s->b[0], (const unsigned char *)str, n);
    push_buf(L, &s->b[0]);
    return 1;
}

/* nonce() -> 32 lowercase hex chars: 128 bits from the buffered pool */
static int l_nonce(lua_State *L) {
    unsigned char r[16];
    char hex[33], err[256];
    static const char digits[] = "0123456789abcdef";
    int i;
    ca_state *s = state_of(L);
    if (ca_random(&s->crypto, r, sizeof r) != 0) {
        ca_crypto_error(err, sizeof err, "RAND_bytes");
        return luaL_error(L, "%s", err);
    }
    for (i = 0; i < 16; i++) {
        hex[2 * i] = digits[r[i] >> 4];
        hex[2 * i + 1] = digits[r[i] & 15];
    }
    lua_pushlstring(L, hex, 32);
    return 1;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int push_time(lua_State *L, const char *fmt) {
    double t = luaL_optnumber(L, 1, wall_now());
    time_t tt;
    struct tm tm;
    char out[64];
    if (!(t >= 0 && t < 253402300800.0)) /* NaN-safe; year 9999 */
        return luaL_error(L, "time out of range");
    tt = (time_t)floor(t);
    if (gmtime_r(&tt, &tm) == NULL) return luaL_error(L, "time out of range");
    lua_pushlstring(L, out, strftime(out, sizeof out, fmt, &tm));
    return 1;
}
/* timestamp([t]) -> "2016-02-23T12:46:24Z" (Alibaba) */
static int l_timestamp(lua_State *L) { return push_time(L, "%Y-%m-%dT%H:%M:%SZ"); }
/* sdk_date([t]) -> "20200608T023900Z" (Huawei X-Sdk-Date) */
static int l_sdk_date(lua_State *L) { return push_time(L, "%Y%m%dT%H%M%SZ"); }

static int l_now(lua_State *L) { lua_pushnumber(L, wall_now()); return 1; }

/* sleep(seconds): blocks the thread; plain Lua only (ngx uses ngx.sleep) */
static int l_sleep(lua_State *L) {
    double s = luaL_checknumber(L, 1);
    struct timespec ts;
    if (!(s >= 0 && s < 1e7)) return luaL_error(L, "sleep: seconds out of range");
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {} /* resume after a signal */
    return 0;
}

static int l_monotonic(lua_State *L) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + ts.tv_nsec / 1e9);
    return 1;
}

/* ---- HTTP sessions ---------------------------------------------------- */

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

/* Read a request table {method=, url=, headers={"Name: value", ...}, body=,
 * connect_timeout=, read_timeout=, timeout=, fresh_connect=} at idx. The
 * strings stay referenced by the table, which the caller keeps alive. */
static void read_request(lua_State *L, int idx, ca_state *s, ca_http_req *r) {
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
static int push_result(lua_State *L, ca_state *s, ca_http *h, const ca_http_result *res) {
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

/* ---- multi handles: many requests in flight --------------------------- */

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
    if (b->m.multi == NULL) return luaL_error(L, "%s", msg);
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
    read_request(L, 3, s, &r);
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

static const luaL_Reg multi_methods[] = {
    {"add", l_multi_add},
    {"step", l_multi_step},
    {"count", l_multi_count},
    {"close", l_multi_gc},
    {NULL, NULL},
};

static const luaL_Reg functions[] = {
    {"encode", l_encode},
    {"canonical_query", l_canonical_query},
    {"rpc_sign", l_rpc_sign},
    {"rpc_sign_args", l_rpc_sign_args},
    {"sdk_sign", l_sdk_sign},
    {"hmac_sha1", l_hmac_sha1},
    {"integers", l_integers},
    {"hmac_sha256", l_hmac_sha256},
    {"sha256_hex", l_sha256_hex},
    {"hex", l_hex},
    {"base64", l_base64},
    {"nonce", l_nonce},
    {"timestamp", l_timestamp},
    {"sdk_date", l_sdk_date},
    {"now", l_now},
    {"monotonic", l_monotonic},
    {"sleep", l_sleep},
    {"http_session", l_http_session},
    {"parse_headers", l_parse_headers},
    {"http_multi", l_http_multi},
    {NULL, NULL},
};

int luaopen_cloudapi_core(lua_State *L) {
    const char *err;
    ca_state *s;
    int i;
    lua_newtable(L); /* the module */
    /* The shared state box, upvalue 1 of every function and method. */
    s = (ca_state *)ca_newuserdata(L, sizeof *s);
    memset(s, 0, sizeof *s);
    for (i = 0; i < NBUF; i++) ca_buf_init(&s->b[i]);
    s->stamp_second = -1;
    if (luaL_newmetatable(L, STATE_MT)) {
        lua_pushcfunction(L, state_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    s->open = 1; /* the box has its __gc: now it may own resources */
    if ((err = ca_crypto_open(&s->crypto)) != NULL) return luaL_error(L, "cloudapi.core: %s", err);

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

    if (luaL_newmetatable(L, MULTI_MT)) {
        lua_newtable(L);
        lua_pushvalue(L, -3);
        ca_setfuncs(L, multi_methods, 1);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_multi_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);

    s->share = ca_share_new(); /* NULL is fine: sessions then cache alone */

    ca_setfuncs(L, functions, 1);
    lua_pushliteral(L, "0.1.0");
    lua_setfield(L, -2, "version");
    return 1;
}
