/* Lua bindings of the OpenSSL primitives (crypto.c): hmac_sha1,
 * hmac_sha256, sha256_hex, hex, base64 and nonce. */
#include <stdint.h>

#include "l_state.h"

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
    lua_pushlstring(L, fresh_nonce(L, state_of(L)), 32);
    return 1;
}

static const luaL_Reg functions[] = {
    {"hmac_sha1", l_hmac_sha1},
    {"hmac_sha256", l_hmac_sha256},
    {"sha256_hex", l_sha256_hex},
    {"hex", l_hex},
    {"base64", l_base64},
    {"nonce", l_nonce},
    {NULL, NULL},
};

void ca_open_crypto(lua_State *L) { ca_register(L, functions); }
