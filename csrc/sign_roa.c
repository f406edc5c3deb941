/* Alibaba Cloud ROA signing ("Authorization: acs AK:signature"):
 *   StringToSign = METHOD \n Accept \n Content-MD5 \n Content-Type \n Date \n
 *                  x-acs-name:value \n ...   (lowercased names, sorted)
 *                  path [ "?" k=v & ... ]   (sorted by key, values as they are)
 *   Signature    = base64(HMAC-SHA1(secret, StringToSign))
 * An absent header is an empty line; a query value that is empty keeps its
 * '=' (as the official SDK signs). */
#include "sign.h"

#include <string.h>

#include <openssl/crypto.h>

static const char *const FIXED[4] = {"accept", "content-md5", "content-type", "date"};

static int fixed_index(const char *n, size_t l) {
    int i;
    for (i = 0; i < 4; i++)
        if (strlen(FIXED[i]) == l && memcmp(FIXED[i], n, l) == 0) return i;
    return -1;
}

static int roa_header(const char *n, size_t l) {
    return (l > 6 && memcmp(n, "x-acs-", 6) == 0) || fixed_index(n, l) >= 0;
}

static int same_name(const ca_pair *a, const ca_pair *b) {
    return a->kl == b->kl && memcmp(a->k, b->k, a->kl) == 0;
}

const char *ca_roa_sign(ca_crypto *c, ca_roa_req *r, ca_buf *sts, ca_buf *auth) {
    ca_headers hs;
    const ca_pair *fixed[4] = {NULL, NULL, NULL, NULL};
    unsigned char mac[CA_SHA1_LEN];
    size_t i, maclen = 0, start = sts->len, off;
    const char *err = NULL;

    if (ca_headers_collect(&hs, r->headers, r->nheaders, roa_header) != 0) return "out of memory";
    for (i = 0; i < hs.n; i++) {
        int f = fixed_index(hs.p[i].k, hs.p[i].kl);
        if (i > 0 && same_name(&hs.p[i], &hs.p[i - 1])) { err = "a signed header is given twice"; goto done; }
        if (f >= 0) fixed[f] = &hs.p[i];
    }
    ca_buf_adds(sts, r->method);
    ca_buf_addc(sts, '\n');
    for (i = 0; i < 4; i++) {
        if (fixed[i]) ca_buf_add(sts, fixed[i]->v, fixed[i]->vl);
        ca_buf_addc(sts, '\n');
    }
    for (i = 0; i < hs.n; i++) { /* sorted by name: the x-acs-* ones in order */
        if (fixed_index(hs.p[i].k, hs.p[i].kl) >= 0) continue;
        ca_buf_add(sts, hs.p[i].k, hs.p[i].kl);
        ca_buf_addc(sts, ':');
        ca_buf_add(sts, hs.p[i].v, hs.p[i].vl);
        ca_buf_addc(sts, '\n');
    }
    ca_buf_add(sts, r->path, r->path_len);
    ca_sort_pairs(r->query, r->nquery);
    for (i = 0; i < r->nquery; i++) {
        ca_buf_addc(sts, i ? '&' : '?');
        ca_buf_add(sts, r->query[i].k, r->query[i].kl);
        ca_buf_addc(sts, '=');
        ca_buf_add(sts, r->query[i].v, r->query[i].vl);
    }
    if (sts->failed) { err = "out of memory"; goto done; }
    if (ca_hmac(c, CA_SHA1, r->secret, r->secret_len, sts->p + start, sts->len - start, mac, &maclen) != 0) {
        err = "HMAC-SHA1 failed";
        goto done;
    }
    off = auth->len; /* "acs AK:base64" */
    ca_buf_add(auth, "acs ", 4);
    ca_buf_add(auth, r->ak, r->ak_len);
    ca_buf_addc(auth, ':');
    ca_base64(auth, mac, maclen);
    if (auth->failed) {
        auth->len = off;
        err = "out of memory";
    }
done:
    ca_headers_free(&hs);
    OPENSSL_cleanse(mac, sizeof mac); /* a signature is as good as the secret for this request */
    return err;
}
