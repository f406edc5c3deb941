/* Lua bindings of Alibaba Cloud ROA "acs" signing (sign_roa.c):
 * roa_sign_args, the general path (every header, any body, with the
 * Content-MD5 it signs), and roa_sign_query, the ROA client's hot path.
 * Marshalling only. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "l_state.h"
#include "sign.h"

#define EMPTY_MD5 "1B2M2Y8AsgTpgAmY7PhCfg==" /* Base64 MD5 of "" */

/* roa_sign_args(method, path, query, headers, body, secret, ak, want)
 * -> authorization, canonical_query (the query to send), content_md5
 *    [, string_to_sign when want]
 * headers: every header of the request but Content-MD5, which is made
 * here (Base64 MD5 of body, nil for none: of the empty body) and signed. */
static int l_roa_sign_args(lua_State *L) {
    ca_roa_req r;
    ca_state *s;
    size_t nh, bl = 0;
    const char *body = lua_isnil(L, 5) ? "" : check_lstr(L, 5, &bl, "body");
    int want = lua_toboolean(L, 8);
    unsigned char md[CA_MD5_LEN];
    char md5[32], msg[256];
    ca_buf b64;
    const char *err;
    memset(&r, 0, sizeof r);
    r.method = check_lstr(L, 1, &nh, "method");
    r.path = check_lstr(L, 2, &r.path_len, "path");
    r.secret = check_lstr(L, 6, &r.secret_len, "secret");
    r.ak = check_lstr(L, 7, &r.ak_len, "access key id");
    s = begin(L);
    if (bl == 0) {
        memcpy(md5, EMPTY_MD5, sizeof EMPTY_MD5); /* most requests: no body */
    } else {
        if (ca_md5(&s->crypto, body, bl, md) != 0) {
            ca_crypto_error(msg, sizeof msg, "MD5 (is it disabled in this OpenSSL?)");
            return luaL_error(L, "%s", msg);
        }
        ca_buf_init(&b64);
        ca_base64(&b64, md, sizeof md);
        if (b64.failed || b64.len >= sizeof md5) { ca_buf_free(&b64); return luaL_error(L, "out of memory"); }
        memcpy(md5, b64.p, b64.len + 1);
        ca_buf_free(&b64);
    }
    r.nquery = read_pairs(L, s, 3, "query", 0);
    nh = read_pairs(L, s, 4, "headers", r.nquery);
    reserve_pairs(L, s, r.nquery + nh + 1);
    s->pairs[r.nquery + nh].k = "Content-MD5"; s->pairs[r.nquery + nh].kl = 11;
    s->pairs[r.nquery + nh].v = md5; s->pairs[r.nquery + nh].vl = strlen(md5);
    r.query = s->pairs;
    r.headers = s->pairs + r.nquery;
    r.nheaders = nh + 1;
    err = ca_roa_sign(&s->crypto, &r, &s->b[0], &s->b[1]);
    if (err) return luaL_error(L, "%s", err);
    ca_canonical_query(&s->b[2], r.query, r.nquery); /* sorted by the signer */
    push_buf(L, &s->b[1]);
    push_buf(L, &s->b[2]);
    lua_pushstring(L, md5);
    if (!want) return 3;
    push_buf(L, &s->b[0]);
    return 4;
}

/* Numbers of a query on the hot path are formatted into the caller's
 * stack; a query with more of them takes the general path. */
#define QUERY_NUMS 16
typedef char query_num[24];

/* The decimal digits of i (|i| < 2^53) at the start of out; returns
 * their count. By hand: snprintf was a tenth of a signature. */
static size_t decimal(char *out, long long i) {
    char tmp[24];
    size_t n = 0, len = 0;
    unsigned long long u = i < 0 ? (unsigned long long)(-i) : (unsigned long long)i;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (i < 0) out[len++] = '-';
    while (n) out[len++] = tmp[--n];
    return len;
}

/* The caller's query table (or nil) at idx into s->pairs: 0, or -1 when it
 * holds anything but string keys and strings without NUL, booleans or
 * integers (the general path, rest.query, knows every case). */
static int query_pairs(lua_State *L, ca_state *s, int idx, query_num *nums, size_t *n) {
    size_t k = 0, nn = 0;
    if (lua_isnil(L, idx)) { *n = 0; return 0; }
    if (!lua_istable(L, idx) || lua_getmetatable(L, idx)) return -1; /* leaves the metatable: returned at once */
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        ca_pair *p;
        int t = lua_type(L, -1);
        if (lua_type(L, -2) != LUA_TSTRING) { lua_pop(L, 2); return -1; }
        reserve_pairs(L, s, k + 1);
        p = &s->pairs[k];
        p->k = lua_tolstring(L, -2, &p->kl);
        if (p->kl == 0) { lua_pop(L, 2); return -1; }
        if (t == LUA_TSTRING) {
            p->v = lua_tolstring(L, -1, &p->vl);
            if (memchr(p->v, '\0', p->vl)) { lua_pop(L, 2); return -1; }
        } else if (t == LUA_TBOOLEAN) {
            p->v = lua_toboolean(L, -1) ? "true" : "false";
            p->vl = strlen(p->v);
        } else if (t == LUA_TNUMBER && nn < QUERY_NUMS) {
            lua_Number d = lua_tonumber(L, -1);
            if (!(d == floor(d) && d > -9007199254740992.0 && d < 9007199254740992.0)) { lua_pop(L, 2); return -1; }
            p->vl = decimal(nums[nn], (long long)d);
            p->v = nums[nn++];
        } else {
            lua_pop(L, 2);
            return -1;
        }
        k++;
        lua_pop(L, 1);
    }
    *n = k;
    return 0;
}

/* The Date header of the time at idx (seconds, or the string to send):
 * RFC 7231's IMF-fixdate, made once per second, with its own day and
 * month names (no locale can change them). */
static const char *http_date(lua_State *L, ca_state *s, int idx, size_t *len) {
    static const char days[] = "SunMonTueWedThuFriSat", months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    long long sec;
    if (lua_type(L, idx) == LUA_TSTRING) return lua_tolstring(L, idx, len);
    sec = utc_second(L, idx, &s->http_second, &tm);
    if (sec != s->http_second) {
        snprintf(s->http_date, sizeof s->http_date, "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT",
                 days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon, tm.tm_year + 1900,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        s->http_second = sec;
    }
    *len = 29;
    return s->http_date;
}

/* roa_sign_query(method, base, path, query, secret, ak, want, nonce, date,
 *                name1, value1, ...)
 * -> url (base .. path [.. "?" .. canonical query]), authorization, nonce,
 *    date [, string_to_sign when want] | nil
 * A request without a body or headers of the caller's: query is the
 * caller's table (read as query_pairs does; nil means "take the general
 * path"), the headers to sign the name/value strings and the algorithm's
 * own, added here as ca_rpc_v1_params adds v1's: Date (of date, seconds
 * or the string to send), Content-MD5 of the empty body,
 * x-acs-signature-method, -version, and -nonce (nonce, or a fresh one from
 * the pool when nil). */
#define ROA_QUERY_FIRST 10
#define ROA_OWN 5
static int l_roa_sign_query(lua_State *L) {
    ca_roa_req r;
    ca_state *s;
    query_num nums[QUERY_NUMS];
    size_t nq, bl, nh = 0;
    int a, top = lua_gettop(L), want = lua_toboolean(L, 7);
    const char *err;
    memset(&r, 0, sizeof r);
    r.method = check_lstr(L, 1, &nq, "method");
    const char *base = check_lstr(L, 2, &bl, "base url");
    r.path = check_lstr(L, 3, &r.path_len, "path");
    r.secret = check_lstr(L, 5, &r.secret_len, "secret");
    r.ak = check_lstr(L, 6, &r.ak_len, "access key id");
    if (top < ROA_QUERY_FIRST - 1 || (top - ROA_QUERY_FIRST + 1) % 2 != 0)
        return luaL_error(L, "roa_sign_query: bad arguments");
    s = begin(L);
    if (query_pairs(L, s, 4, nums, &nq) != 0) { lua_pushnil(L); return 1; }
    reserve_pairs(L, s, nq + (size_t)(top - ROA_QUERY_FIRST + 1) / 2 + ROA_OWN);
    {
        ca_pair *p = &s->pairs[nq];
        p[0].k = "Content-MD5"; p[0].kl = 11; p[0].v = EMPTY_MD5; p[0].vl = sizeof EMPTY_MD5 - 1;
        p[1].k = "x-acs-signature-method"; p[1].kl = 22; p[1].v = "HMAC-SHA1"; p[1].vl = 9;
        p[2].k = "x-acs-signature-version"; p[2].kl = 23; p[2].v = "1.0"; p[2].vl = 3;
        p[3].k = "x-acs-signature-nonce"; p[3].kl = 21;
        if (lua_isnil(L, 8)) { p[3].v = fresh_nonce(L, s); p[3].vl = 32; }
        else p[3].v = check_lstr(L, 8, &p[3].vl, "nonce");
        p[4].k = "Date"; p[4].kl = 4;
        p[4].v = http_date(L, s, 9, &p[4].vl);
        nh = ROA_OWN;
    }
    for (a = ROA_QUERY_FIRST; a < top; a += 2) {
        ca_pair *p = &s->pairs[nq + nh++];
        p->k = check_lstr(L, a, &p->kl, "header name");
        p->v = check_lstr(L, a + 1, &p->vl, "header value");
    }
    r.query = s->pairs; r.nquery = nq;
    r.headers = s->pairs + nq; r.nheaders = nh;
    err = ca_roa_sign(&s->crypto, &r, &s->b[0], &s->b[1]);
    if (err) return luaL_error(L, "%s", err);
    ca_buf_add(&s->b[2], base, bl);
    ca_buf_add(&s->b[2], r.path, r.path_len);
    if (nq) {
        ca_buf_addc(&s->b[2], '?');
        ca_canonical_query(&s->b[2], r.query, r.nquery); /* sorted by the signer */
    }
    push_buf(L, &s->b[2]);
    push_buf(L, &s->b[1]);
    if (lua_isnil(L, 8)) lua_pushlstring(L, s->nonce, 32);
    else lua_pushvalue(L, 8);
    if (lua_type(L, 9) == LUA_TSTRING) lua_pushvalue(L, 9);
    else lua_pushlstring(L, s->http_date, 29);
    if (!want) return 4;
    push_buf(L, &s->b[0]);
    return 5;
}

static const luaL_Reg functions[] = {
    {"roa_sign_args", l_roa_sign_args},
    {"roa_sign_query", l_roa_sign_query},
    {NULL, NULL},
};

void ca_open_sign_roa(lua_State *L) { ca_register(L, functions); }
