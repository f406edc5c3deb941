/* What every Lua binding file shares: the per-lua_State box and the small
 * marshalling helpers between Lua values and the C core.
 *
 * Every function and method of cloudapi.core has the box as upvalue 1. It
 * holds reusable buffers, the OpenSSL contexts, the nonce pool and the curl
 * share: no process-global mutable state, and nothing allocated per call
 * in the hot path. */
#ifndef CLOUDAPI_L_STATE_H
#define CLOUDAPI_L_STATE_H

#include <math.h>
#include <stddef.h>
#include <time.h>

#include "compat.h"
#include "canon.h"
#include "crypto.h"
#include "http.h"

#define NBUF 3
#define KEEP_BYTES (1 << 16) /* shrink buffers that grew past this */

/* Functions shared between the binding files only: kept out of core.so's
 * exported symbols, so nothing outside can interpose them and the calls
 * between files stay direct (no PLT). */
#if defined(__GNUC__)
#define CA_HIDDEN __attribute__((visibility("hidden")))
#else
#define CA_HIDDEN
#endif

typedef struct {
    ca_crypto crypto;
    ca_buf b[NBUF];
    ca_pair *pairs;
    size_t pairs_cap;
    ca_fields headers;       /* parse_headers: the fields of a header block */
    ca_http **done;           /* multi:step: the sessions that completed */
    size_t done_cap;
    ca_share *share;          /* set by ca_open_http; may stay NULL */
    long long stamp_second;   /* the last RPC timestamp made, reused within its second */
    char stamp[24];
    long long http_second;    /* the last ROA Date made, likewise */
    char http_date[64];       /* 29 used: snprintf wants room for any int */
    char nonce[33];
    size_t *koff, *voff;      /* rpc_sign_args: arena offsets of flattened pairs */
    size_t off_cap;
    int open;
} ca_state;

/* Pushes a new box (with its __gc) and opens its OpenSSL contexts; raises
 * "cloudapi.core: ..." when they cannot be opened. */
CA_HIDDEN ca_state *ca_state_new(lua_State *L);

/* Each area's registration, called by luaopen_cloudapi_core with the module
 * table at -2 and the box at -1: adds its functions (the box as upvalue 1)
 * and metatables, and leaves the stack as it found it. */
CA_HIDDEN void ca_open_sign(lua_State *L);   /* l_sign.c */
CA_HIDDEN void ca_open_sign_acs(lua_State *L); /* l_sign_acs.c */
CA_HIDDEN void ca_open_sign_roa(lua_State *L); /* l_sign_roa.c */
CA_HIDDEN void ca_open_crypto(lua_State *L); /* l_crypto.c */
CA_HIDDEN void ca_open_json(lua_State *L);   /* l_json.c */
CA_HIDDEN void ca_open_time(lua_State *L);   /* l_time.c */
CA_HIDDEN void ca_open_http(lua_State *L);   /* l_http.c */
CA_HIDDEN void ca_open_multi(lua_State *L);  /* l_multi.c */
CA_HIDDEN void ca_open_tty(lua_State *L);    /* l_tty.c */
CA_HIDDEN void ca_open_file(lua_State *L);   /* l_file.c */

/* Registers fns into the module at -2, each with the box at -1 as upvalue;
 * the stack is left as found. */
static inline void ca_register(lua_State *L, const luaL_Reg *fns) {
    lua_pushvalue(L, -2);   /* module, box, module */
    lua_pushvalue(L, -2);   /* module, box, module, box */
    ca_setfuncs(L, fns, 1); /* pops the upvalue */
    lua_pop(L, 1);
}

/* The helpers below are inline: they sit on the signing hot path, where
 * they were static functions of one file before the bindings were split. */

static inline ca_state *state_of(lua_State *L) {
    return (ca_state *)lua_touserdata(L, lua_upvalueindex(1));
}

/* Start of every call: empty buffers, big ones given back. */
static inline ca_state *begin(lua_State *L) {
    ca_state *s = state_of(L);
    int i;
    for (i = 0; i < NBUF; i++) {
        if (s->b[i].cap > KEEP_BYTES) ca_buf_free(&s->b[i]);
        ca_buf_reset(&s->b[i]);
    }
    return s;
}

static inline ca_pair *reserve_pairs(lua_State *L, ca_state *s, size_t n) {
    if (n > s->pairs_cap) {
        size_t cap = n < 32 ? 32 : n;
        ca_pair *p = cap > ((size_t)-1) / sizeof *p ? NULL : (ca_pair *)realloc(s->pairs, cap * sizeof *p);
        if (p == NULL) { luaL_error(L, "out of memory"); return NULL; }
        s->pairs = p;
        s->pairs_cap = cap;
    }
    return s->pairs;
}

static inline void push_buf(lua_State *L, ca_buf *b) {
    if (b->failed) luaL_error(L, "out of memory");
    lua_pushlstring(L, b->p ? b->p : "", b->len);
}

static inline const char *check_lstr(lua_State *L, int idx, size_t *len, const char *what) {
    const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, len) : NULL;
    if (s == NULL) luaL_error(L, "%s must be a string, got %s", what, luaL_typename(L, idx));
    return s;
}

/* Field `name` of the table at t: NULL when nil, else it must be a string. */
static inline const char *opt_field(lua_State *L, int t, const char *name, size_t *len) {
    const char *v = NULL;
    lua_getfield(L, t, name);
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "field '%s' must be a string", name);
        v = lua_tolstring(L, -1, len);
    }
    lua_pop(L, 1); /* the table keeps the string alive */
    return v;
}

static inline const char *req_field(lua_State *L, int t, const char *name, size_t *len) {
    size_t dummy;
    const char *v = opt_field(L, t, name, len ? len : &dummy);
    if (v == NULL) luaL_error(L, "field '%s' is required", name);
    return v;
}

/* A fresh nonce in s->nonce: 32 lowercase hex chars, 128 bits from the
 * buffered pool. Raises when OpenSSL cannot give them. */
static inline const char *fresh_nonce(lua_State *L, ca_state *s) {
    static const char digits[] = "0123456789abcdef";
    unsigned char r[16];
    int i;
    if (ca_random(&s->crypto, r, sizeof r) != 0) {
        char msg[256];
        ca_crypto_error(msg, sizeof msg, "RAND_bytes");
        luaL_error(L, "%s", msg);
        return NULL;
    }
    for (i = 0; i < 16; i++) {
        s->nonce[2 * i] = digits[r[i] >> 4];
        s->nonce[2 * i + 1] = digits[r[i] & 15];
    }
    s->nonce[32] = '\0';
    return s->nonce;
}

/* The UTC calendar time of the whole second at idx (seconds since the
 * epoch, 1970 to 9999) into tm, unless that second is *last (then tm is
 * left alone): returns the second. Raises out of range. */
static inline long long utc_second(lua_State *L, int idx, long long *last, struct tm *tm) {
    double t = luaL_checknumber(L, idx);
    long long sec;
    time_t tt;
    if (!(t >= 0 && t < 253402300800.0)) { luaL_error(L, "time out of range"); return 0; }
    sec = (long long)floor(t);
    if (sec == *last) return sec;
    tt = (time_t)sec;
    if (gmtime_r(&tt, tm) == NULL) { luaL_error(L, "time out of range"); return 0; }
    return sec;
}

/* The time at idx as Alibaba's timestamp (YYYY-MM-DDThh:mm:ssZ, RPC's
 * Timestamp and ACS3's x-acs-date): a string is taken as it is, seconds
 * are formatted once per second into s->stamp. Raises out of range. */
static inline const char *stamp_of(lua_State *L, ca_state *s, int idx, size_t *len) {
    struct tm tm;
    long long sec;
    if (lua_type(L, idx) == LUA_TSTRING) return lua_tolstring(L, idx, len);
    sec = utc_second(L, idx, &s->stamp_second, &tm);
    if (sec != s->stamp_second) {
        strftime(s->stamp, sizeof s->stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        s->stamp_second = sec;
    }
    *len = 20;
    return s->stamp;
}

/* Read a table of string -> string (or -> array of strings, for repeated
 * query keys) at idx into s->pairs from n0 on; returns how many were read. */
CA_HIDDEN size_t read_pairs(lua_State *L, ca_state *s, int idx, const char *what, size_t n0);

#endif
