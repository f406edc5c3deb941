/* OpenSSL primitives: HMAC-SHA1/SHA256, SHA-256, base64, hex, random nonces.
 * A ca_crypto, owned by its caller (one per Lua state), holds the fetched
 * algorithms and reusable contexts: no process-global state at all. */
#ifndef CLOUDAPI_CRYPTO_H
#define CLOUDAPI_CRYPTO_H

#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

#define CA_SHA1_LEN 20
#define CA_SHA256_LEN 32
#define CA_MD5_LEN 16
#define CA_NONCE_POOL 4096

typedef enum { CA_SHA1 = 0, CA_SHA256 = 1 } ca_digest;

struct evp_mac_st;
struct evp_md_st;
struct evp_mac_ctx_st;
struct evp_md_ctx_st;

typedef struct {
    struct evp_mac_st *hmac_alg;   /* fetched once at open */
    struct evp_md_st *sha256_alg;
    struct evp_md_st *md5_alg;     /* NULL where OpenSSL offers no MD5 (FIPS) */
    struct evp_mac_ctx_st *mac[2]; /* reusable HMAC contexts, one per digest */
    unsigned char *mac_key[2];     /* the key each context holds (cleansed on close) */
    size_t mac_keylen[2];
    struct evp_md_ctx_st *md;      /* reusable SHA-256 context */
    struct ca_pool *pool;          /* random bytes; a forked child never reuses them */
} ca_crypto;

/* Fetches the algorithms. Returns NULL, or an error message (static
 * storage); either way ca_crypto_close must follow. */
const char *ca_crypto_open(ca_crypto *c);
void ca_crypto_close(ca_crypto *c);  /* tolerates a failed open or a second close */

/* out must hold CA_SHA1_LEN or CA_SHA256_LEN bytes. Return 0 on success. */
int ca_hmac(ca_crypto *c, ca_digest d, const void *key, size_t keylen,
            const void *msg, size_t msglen, unsigned char *out, size_t *outlen);
int ca_sha256(ca_crypto *c, const void *msg, size_t len, unsigned char out[CA_SHA256_LEN]);
/* MD5 for Content-MD5 (ROA signing). -1 also when MD5 is unavailable. */
int ca_md5(ca_crypto *c, const void *msg, size_t len, unsigned char out[CA_MD5_LEN]);

/* Fill out with n random bytes from the buffered pool. Return 0 on success. */
int ca_random(ca_crypto *c, unsigned char *out, size_t n);

void ca_hex(ca_buf *b, const unsigned char *p, size_t n);        /* lowercase */
void ca_base64(ca_buf *b, const unsigned char *p, size_t n);     /* standard, padded */

/* Describe and drain the OpenSSL error queue into msg (never secrets). */
void ca_crypto_error(char *msg, size_t msglen, const char *what);

#endif
