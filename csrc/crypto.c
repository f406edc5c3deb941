/* OpenSSL primitives. The EVP_MAC and EVP_MD objects are fetched once, when
 * a ca_crypto is opened (once per Lua state), never per call: fetching by
 * name costs more than the HMAC itself. */
/* mmap MAP_ANONYMOUS and madvise MADV_WIPEONFORK are not POSIX. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

static const char *const digest_names[2] = {"SHA1", "SHA256"};

/* The random pool lives in its own page marked MADV_WIPEONFORK: a forked
 * child (an nginx worker, say) sees it zeroed, so `filled` reads 0 and it
 * draws fresh bytes instead of repeating the parent's nonces, with no
 * getpid() syscall per nonce. Where the kernel lacks WIPEONFORK, the pid is
 * checked on every draw instead. */
struct ca_pool {
    unsigned char filled;   /* 0 after a fork (wiped) or when used up */
    unsigned char check_pid;
    pid_t pid;
    size_t pos;
    unsigned char bytes[CA_NONCE_POOL];
};

static struct ca_pool *pool_new(void) {
    size_t size = sizeof(struct ca_pool);
    struct ca_pool *p;
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    p = (struct ca_pool *)m;
    p->filled = 0;
#ifdef MADV_WIPEONFORK
    p->check_pid = madvise(m, size, MADV_WIPEONFORK) != 0;
#else
    p->check_pid = 1;
#endif
    return p;
}

static void pool_free(struct ca_pool *p) {
    if (p == NULL) return;
    OPENSSL_cleanse(p->bytes, sizeof p->bytes); /* unused random bytes are nobody's business */
    munmap(p, sizeof *p);
}

const char *ca_crypto_open(ca_crypto *c) {
    c->mac[0] = c->mac[1] = NULL;
    c->mac_key[0] = c->mac_key[1] = NULL;
    c->mac_keylen[0] = c->mac_keylen[1] = 0;
    c->md = NULL;
    c->md5_alg = NULL;
    c->pool = pool_new();
    if (c->pool == NULL) return "cannot map the random pool";
    c->hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    c->sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
    c->md5_alg = EVP_MD_fetch(NULL, "MD5", NULL);
    if (c->md5_alg == NULL) ERR_clear_error(); /* only ROA needs it: fail there */
    if (c->hmac_alg == NULL || c->sha256_alg == NULL) {
        ERR_clear_error();
        return "cannot fetch HMAC and SHA256 from OpenSSL";
    }
    return NULL;
}

void ca_crypto_close(ca_crypto *c) {
    int i;
    for (i = 0; i < 2; i++) {
        EVP_MAC_CTX_free(c->mac[i]);
        c->mac[i] = NULL;
        if (c->mac_key[i]) OPENSSL_cleanse(c->mac_key[i], c->mac_keylen[i]);
        free(c->mac_key[i]);
        c->mac_key[i] = NULL;
        c->mac_keylen[i] = 0;
    }
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
    EVP_MAC_free(c->hmac_alg);
    c->hmac_alg = NULL;
    EVP_MD_free(c->sha256_alg);
    c->sha256_alg = NULL;
    EVP_MD_free(c->md5_alg);
    c->md5_alg = NULL;
    pool_free(c->pool);
    c->pool = NULL;
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
    if (c->mac_key[d] && c->mac_keylen[d] == keylen && memcmp(c->mac_key[d], key, keylen) == 0) {
        /* The same key as last time (a client signs with one secret): reuse
         * the keyed state instead of deriving the pads again. */
        if (!EVP_MAC_init(c->mac[d], NULL, 0, NULL)) return -1;
    } else {
        unsigned char *copy;
        /* An empty key is legal HMAC; OpenSSL wants a non-NULL pointer for it. */
        if (!EVP_MAC_init(c->mac[d], keylen ? key : &empty, keylen, NULL)) return -1;
        if (c->mac_key[d]) OPENSSL_cleanse(c->mac_key[d], c->mac_keylen[d]);
        copy = (unsigned char *)realloc(c->mac_key[d], keylen ? keylen : 1);
        if (copy == NULL) { free(c->mac_key[d]); c->mac_key[d] = NULL; c->mac_keylen[d] = 0; }
        else { memcpy(copy, key, keylen); c->mac_key[d] = copy; c->mac_keylen[d] = keylen; }
    }
    if (!EVP_MAC_update(c->mac[d], msg, msglen)) return -1;
    if (!EVP_MAC_final(c->mac[d], out, outlen, want)) return -1;
    return 0;
}

/* One digest on the reusable context; alg NULL: not offered by OpenSSL. */
static int digest(ca_crypto *c, const struct evp_md_st *alg, const void *msg, size_t len, unsigned char *out) {
    if (alg == NULL) return -1;
    if (c->md == NULL && (c->md = EVP_MD_CTX_new()) == NULL) return -1;
    if (!EVP_DigestInit_ex(c->md, alg, NULL) || !EVP_DigestUpdate(c->md, msg, len) ||
        !EVP_DigestFinal_ex(c->md, out, NULL)) return -1;
    return 0;
}

int ca_sha256(ca_crypto *c, const void *msg, size_t len, unsigned char out[CA_SHA256_LEN]) {
    return digest(c, c->sha256_alg, msg, len, out);
}

int ca_md5(ca_crypto *c, const void *msg, size_t len, unsigned char out[CA_MD5_LEN]) {
    return digest(c, c->md5_alg, msg, len, out);
}

int ca_random(ca_crypto *c, unsigned char *out, size_t n) {
    struct ca_pool *p = c->pool;
    if (p == NULL) return -1;
    if (p->check_pid && p->filled && p->pid != getpid()) p->filled = 0;
    while (n > 0) {
        size_t take;
        if (!p->filled || p->pos == CA_NONCE_POOL) {
            if (RAND_bytes(p->bytes, (int)sizeof p->bytes) != 1) return -1;
            p->pos = 0;
            p->filled = 1;
            if (p->check_pid) p->pid = getpid();
        }
        take = CA_NONCE_POOL - p->pos;
        if (take > n) take = n;
        memcpy(out, p->bytes + p->pos, take);
        /* A byte handed out once is never handed out again. */
        OPENSSL_cleanse(p->bytes + p->pos, take);
        p->pos += take;
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
