/* Alibaba Cloud V3 signing, ACS3-HMAC-SHA256:
 *   CanonicalRequest = METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n HASH
 *   StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
 *   Authorization    = ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex
 * The query is sorted by raw key bytes and then encoded (RFC 3986); the URI
 * is the path exactly as sent; the values of a repeated header name are
 * sorted and joined with ','. */
#include "sign.h"

#include <string.h>

#include <openssl/crypto.h>

#define ALG "ACS3-HMAC-SHA256"

static int signed_header(const char *n, size_t l) {
    return (l > 6 && memcmp(n, "x-acs-", 6) == 0) || (l == 4 && memcmp(n, "host", 4) == 0) ||
           (l == 12 && memcmp(n, "content-type", 12) == 0);
}

static int is_hash(const char *h) {
    size_t i;
    if (h == NULL || strlen(h) != 2 * CA_SHA256_LEN) return 0;
    for (i = 0; i < 2 * CA_SHA256_LEN; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) return 0;
    return 1;
}

const char *ca_acs3_sign(ca_crypto *c, ca_acs3_req *r, ca_buf *canon, ca_buf *q,
                         ca_buf *sts, ca_buf *auth) {
    ca_headers hs;
    unsigned char digest[CA_SHA256_LEN], mac[CA_SHA256_LEN];
    size_t i, maclen = 0, signed_at, signed_len, off;
    const char *err = NULL;

    if (!is_hash(r->payload_hash)) return "the payload hash must be 64 lowercase hex characters";
    if (ca_headers_collect(&hs, r->headers, r->nheaders, signed_header) != 0) return "out of memory";

    ca_buf_adds(canon, r->method);
    ca_buf_addc(canon, '\n');
    if (r->path_len) ca_buf_add(canon, r->path, r->path_len);
    else ca_buf_addc(canon, '/');
    ca_buf_addc(canon, '\n');
    ca_sort_pairs(r->query, r->nquery);
    ca_canonical_query(q, r->query, r->nquery);
    ca_buf_add(canon, q->p ? q->p : "", q->len);
    ca_buf_addc(canon, '\n');
    for (i = 0; i < hs.n; i++) {
        /* sorted: a repeated name's values are adjacent, in order */
        int repeat = i > 0 && hs.p[i].kl == hs.p[i - 1].kl && memcmp(hs.p[i].k, hs.p[i - 1].k, hs.p[i].kl) == 0;
        if (repeat) {
            if (canon->len) canon->len--; /* the previous line's '\n' */
            ca_buf_addc(canon, ',');
        } else {
            ca_buf_add(canon, hs.p[i].k, hs.p[i].kl);
            ca_buf_addc(canon, ':');
        }
        ca_buf_add(canon, hs.p[i].v, hs.p[i].vl);
        ca_buf_addc(canon, '\n');
    }
    ca_buf_addc(canon, '\n');
    signed_at = canon->len;
    for (i = 0; i < hs.n; i++) {
        if (i > 0 && hs.p[i].kl == hs.p[i - 1].kl && memcmp(hs.p[i].k, hs.p[i - 1].k, hs.p[i].kl) == 0) continue;
        if (canon->len > signed_at) ca_buf_addc(canon, ';');
        ca_buf_add(canon, hs.p[i].k, hs.p[i].kl);
    }
    signed_len = canon->len - signed_at;
    ca_buf_addc(canon, '\n');
    ca_buf_adds(canon, r->payload_hash);
    if (canon->failed || q->failed) { err = "out of memory"; goto done; }

    if (ca_sha256(c, canon->p, canon->len, digest) != 0) { err = "SHA-256 failed"; goto done; }
    off = sts->len;
    ca_buf_add(sts, ALG "\n", sizeof ALG);
    ca_hex(sts, digest, CA_SHA256_LEN);
    if (sts->failed) { err = "out of memory"; goto done; }
    if (ca_hmac(c, CA_SHA256, r->secret, r->secret_len, sts->p + off, sts->len - off, mac, &maclen) != 0) {
        err = "HMAC-SHA256 failed";
        goto done;
    }
    off = auth->len;
    ca_buf_add(auth, ALG " Credential=", sizeof ALG + 11);
    ca_buf_add(auth, r->ak, r->ak_len);
    ca_buf_add(auth, ",SignedHeaders=", 15);
    ca_buf_add(auth, canon->p + signed_at, signed_len);
    ca_buf_add(auth, ",Signature=", 11);
    ca_hex(auth, mac, maclen);
    if (auth->failed) { auth->len = off; err = "out of memory"; }
done:
    OPENSSL_cleanse(mac, sizeof mac);
    ca_headers_free(&hs);
    return err;
}
