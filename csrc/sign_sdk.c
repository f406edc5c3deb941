/* Huawei Cloud API Gateway signing (SDK-HMAC-SHA256 and V11-HMAC-SHA256):
 *   CanonicalRequest = METHOD \n URI/ \n QUERY \n HEADERS \n SIGNED \n HASH
 *   StringToSign     = ALG \n X-Sdk-Date \n [info \n] hex(sha256(CanonicalRequest)) */
#include "sign.h"

#include <string.h>

#include <openssl/crypto.h>

static int is_space(char c) { return c == ' ' || c == '\t'; }
static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; } /* locale-proof */

/* Header names containing '_' are dropped by gateways, so never signed. */
static int signable(const ca_pair *h) { return memchr(h->k, '_', h->kl) == NULL; }

const char *ca_sdk_sign(ca_crypto *c, ca_sdk_req *r, ca_buf *canon, ca_buf *q, ca_buf *auth) {
    ca_buf names, sts, signed_list;
    ca_pair *hs = NULL;
    unsigned char digest[CA_SHA256_LEN], mac[CA_SHA256_LEN];
    size_t i, nh = 0, maclen = 0, off;
    char info[160], key[2 * CA_SHA256_LEN + 1];
    const char *alg = r->v11 ? "V11-HMAC-SHA256" : "SDK-HMAC-SHA256";
    const char *err = NULL;

    if (r->date == NULL || strlen(r->date) != 16) return "X-Sdk-Date must look like 20200608T023900Z";
    if (r->v11 && (r->region == NULL || r->service == NULL || !*r->region || !*r->service))
        return "the V11 algorithm needs a region and a service";
    if (r->v11 && strlen(r->region) + strlen(r->service) + 12 > sizeof info)
        return "region or service name too long";

    ca_buf_init(&names); ca_buf_init(&sts); ca_buf_init(&signed_list);

    /* Lowercased names go into one buffer reserved up front, so pointers
     * into it stay valid while it fills. */
    hs = (ca_pair *)calloc(r->nheaders ? r->nheaders : 1, sizeof *hs);
    if (hs == NULL) { err = "out of memory"; goto done; }
    for (i = 0, off = 0; i < r->nheaders; i++) off += r->headers[i].kl;
    if (!ca_buf_reserve(&names, off)) { err = "out of memory"; goto done; }
    for (i = 0; i < r->nheaders; i++) {
        const ca_pair *h = &r->headers[i];
        const char *v = h->v;
        size_t vl = h->vl, j;
        if (!signable(h)) continue;
        while (vl && is_space(*v)) { v++; vl--; }
        while (vl && is_space(v[vl - 1])) vl--;
        hs[nh].k = names.p + names.len;
        hs[nh].kl = h->kl;
        for (j = 0; j < h->kl; j++) names.p[names.len++] = ascii_lower(h->k[j]);
        hs[nh].v = v;
        hs[nh].vl = vl;
        nh++;
    }
    ca_sort_pairs(hs, nh);

    ca_buf_adds(canon, r->method);
    ca_buf_addc(canon, '\n');
    if (ca_canonical_uri(canon, r->path, r->path_len) != 0) {
        err = "the path has an encoded '/' or NUL inside a segment";
        goto done;
    }
    ca_buf_addc(canon, '\n');
    ca_sort_pairs(r->query, r->nquery);
    ca_canonical_query(q, r->query, r->nquery);
    ca_buf_add(canon, q->p ? q->p : "", q->len);
    ca_buf_addc(canon, '\n');
    for (i = 0; i < nh; i++) {
        ca_buf_add(canon, hs[i].k, hs[i].kl);
        ca_buf_addc(canon, ':');
        ca_buf_add(canon, hs[i].v, hs[i].vl);
        ca_buf_addc(canon, '\n');
        if (i) ca_buf_addc(&signed_list, ';');
        ca_buf_add(&signed_list, hs[i].k, hs[i].kl);
    }
    ca_buf_addc(canon, '\n');
    ca_buf_add(canon, signed_list.p ? signed_list.p : "", signed_list.len);
    ca_buf_addc(canon, '\n');
    if (r->payload_hash) {
        ca_buf_adds(canon, r->payload_hash);
    } else {
        if (ca_sha256(c, r->body ? r->body : "", r->body_len, digest) != 0) { err = "SHA-256 failed"; goto done; }
        ca_hex(canon, digest, CA_SHA256_LEN);
    }
    if (canon->failed || q->failed || signed_list.failed) { err = "out of memory"; goto done; }

    if (ca_sha256(c, canon->p, canon->len, digest) != 0) { err = "SHA-256 failed"; goto done; }
    ca_buf_adds(&sts, alg);
    ca_buf_addc(&sts, '\n');
    ca_buf_adds(&sts, r->date);
    ca_buf_addc(&sts, '\n');
    if (r->v11) {
        unsigned char prk[CA_SHA256_LEN];
        size_t prklen = 0, il;
        ca_buf hexkey;
        memcpy(info, r->date, 8);
        il = 8;
        info[il++] = '/';
        memcpy(info + il, r->region, strlen(r->region)); il += strlen(r->region);
        info[il++] = '/';
        memcpy(info + il, r->service, strlen(r->service)); il += strlen(r->service);
        info[il] = '\0';
        ca_buf_add(&sts, info, il);
        ca_buf_addc(&sts, '\n');
        /* HKDF-style, as the gateway does it: PRK = HMAC(AK, SK),
         * OKM = HMAC(PRK, info || 0x01); the signing key is hex(OKM) as text. */
        if (ca_hmac(c, CA_SHA256, r->ak, r->ak_len, r->sk, r->sk_len, prk, &prklen) != 0) {
            err = "HMAC-SHA256 failed"; goto done;
        }
        info[il] = 1;
        if (ca_hmac(c, CA_SHA256, prk, prklen, info, il + 1, mac, &maclen) != 0) {
            OPENSSL_cleanse(prk, sizeof prk);
            err = "HMAC-SHA256 failed"; goto done;
        }
        info[il] = '\0';
        OPENSSL_cleanse(prk, sizeof prk);
        ca_buf_init(&hexkey);
        ca_hex(&hexkey, mac, maclen);
        if (hexkey.failed) { ca_buf_free(&hexkey); err = "out of memory"; goto done; }
        memcpy(key, hexkey.p, hexkey.len);
        OPENSSL_cleanse(hexkey.p, hexkey.len);
        ca_buf_free(&hexkey);
    }
    ca_hex(&sts, digest, CA_SHA256_LEN);
    if (sts.failed) { err = "out of memory"; goto done; }

    if (r->v11) {
        if (ca_hmac(c, CA_SHA256, key, 2 * CA_SHA256_LEN, sts.p, sts.len, mac, &maclen) != 0) {
            err = "HMAC-SHA256 failed"; goto done;
        }
    } else if (ca_hmac(c, CA_SHA256, r->sk, r->sk_len, sts.p, sts.len, mac, &maclen) != 0) {
        err = "HMAC-SHA256 failed"; goto done;
    }

    off = auth->len;
    ca_buf_adds(auth, alg);
    if (r->v11) {
        ca_buf_adds(auth, " Credential=");
        ca_buf_add(auth, r->ak, r->ak_len);
        ca_buf_addc(auth, '/');
        ca_buf_adds(auth, info);
    } else {
        ca_buf_adds(auth, " Access=");
        ca_buf_add(auth, r->ak, r->ak_len);
    }
    ca_buf_adds(auth, ", SignedHeaders=");
    ca_buf_add(auth, signed_list.p ? signed_list.p : "", signed_list.len);
    ca_buf_adds(auth, ", Signature=");
    ca_hex(auth, mac, maclen);
    if (auth->failed) { auth->len = off; err = "out of memory"; }
done:
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(mac, sizeof mac);
    free(hs);
    ca_buf_free(&names);
    ca_buf_free(&sts);
    ca_buf_free(&signed_list);
    return err;
}
