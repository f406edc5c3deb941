/* OpenSSL primitives. The EVP_MAC and EVP_MD objects are fetched once, when
 * a ca_crypto is opened (once per Lua state), never per call: fetching by
 * name costs more than the HMAC itself. */
#include "crypto.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

static const char *const digest_names[2] = {"SHA1", "SHA256"};

const char *ca_crypto_open(ca_crypto *c) {
    c->mac[0] = c->mac[1] = NULL;
    c->md = NULL;
    c->pool_pos = CA_NONCE_POOL;
    c->pool_pid = 0;
    c->hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    c->sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (c->hmac_alg == NULL || c->sha256_alg == NULL) {
        ERR_clear_error();
        return "cannot fetch HMAC and SHA256 from OpenSSL";
    }
    return NULL;
}

void ca_crypto_close(ca_crypto *c) {
    int i;
    for (i = 0; i < 2; i++) { EVP_MAC_CTX_free(c->mac[i]); c->mac[i] = NULL; }
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
    EVP_MAC_free(c->hmac_alg);
    c->hmac_alg = NULL;
    EVP_MD_free(c->sha256_alg);
    c->sha256_alg = NULL;
    OPENSSL_cleanse(c->pool, sizeof c->pool); /* unused random bytes are nobody's business */
    c->pool_pos = CA_NONCE_POOL;
}

int ca_hmac(ca_crypto *c, ca_digest d, const void *key, size_t keylen,
            const void *msg, size_t msglen, unsigned char *out, size_t *outlen) {
    static const unsigned char empty = 0;
    size_t want = d == CA_SHA1 ? CA_SHA1_LEN : CA_SHA256_LEN;
    if (c->mac[d] == NULL) {
        /* Once per state and digest; afterwards EVP_MAC_init only rekeys. */
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest_names[d], 0);
        params[1] = OSSL_PARAM_construct_end();
        c->mac[d] = EVP_MAC_CTX_new(c->hmac_alg);
        if (c->mac[d] == NULL) return -1;
        if (!EVP_MAC_CTX_set_params(c->mac[d], params)) {
            EVP_MAC_CTX_free(c->mac[d]);
            c->mac[d] = NULL;
            return -1;
        }
    }
    /* An empty key is legal HMAC; OpenSSL wants a non-NULL pointer for it. */
    if (!EVP_MAC_init(c->mac[d], keylen ? key : &empty, keylen, NULL)) return -1;
    if (!EVP_MAC_update(c->mac[d], msg, msglen)) return -1;
    if (!EVP_MAC_final(c->mac[d], out, outlen, want)) return -1;
    return 0;
}

int ca_sha256(ca_crypto *c, const void *msg, size_t len, unsigned char out[CA_SHA256_LEN]) {
    if (c->md == NULL) {
        c->md = EVP_MD_CTX_new();
        if (c->md == NULL) return -1;
    }
    if (!EVP_DigestInit_ex(c->md, c->sha256_alg, NULL)) return -1;
    if (!EVP_DigestUpdate(c->md, msg, len)) return -1;
    if (!EVP_DigestFinal_ex(c->md, out, NULL)) return -1;
    return 0;
}

int ca_random(ca_crypto *c, unsigned char *out, size_t n) {
    pid_t pid = getpid();
    if (pid != c->pool_pid) c->pool_pos = CA_NONCE_POOL; /* forked: discard */
    while (n > 0) {
        size_t take;
        if (c->pool_pos == CA_NONCE_POOL) {
            if (RAND_bytes(c->pool, (int)sizeof c->pool) != 1) return -1;
            c->pool_pos = 0;
            c->pool_pid = pid;
        }
        take = CA_NONCE_POOL - c->pool_pos;
        if (take > n) take = n;
        memcpy(out, c->pool + c->pool_pos, take);
        /* A byte handed out once is never handed out again. */
        OPENSSL_cleanse(c->pool + c->pool_pos, take);
        c->pool_pos += take;
        out += take;
        n -= take;
    }
    return 0;
}

void ca_hex(ca_buf *b, const unsigned char *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    if (!ca_buf_reserve(b, 2 * n)) return;
    for (i = 0; i < n; i++) {
        b->p[b->len++] = digits[p[i] >> 4];
        b->p[b->len++] = digits[p[i] & 15];
    }
    b->p[b->len] = '\0';
}

void ca_base64(ca_buf *b, const unsigned char *p, size_t n) {
    size_t outlen = 4 * ((n + 2) / 3);
    if (!ca_buf_reserve(b, outlen)) return;
    /* EVP_EncodeBlock writes no newlines and NUL-terminates. */
    EVP_EncodeBlock((unsigned char *)b->p + b->len, p, (int)n);
    b->len += outlen;
}

void ca_crypto_error(char *msg, size_t msglen, const char *what) {
    unsigned long e = ERR_get_error();
    char reason[200] = "";
    if (e) ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    snprintf(msg, msglen, "%s failed%s%s", what, e ? ": " : "", reason);
}
