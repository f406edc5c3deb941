/* Alibaba Cloud RPC signature v1:
 *   StringToSign = METHOD "&" enc("/") "&" enc(canonical query)
 *   Signature    = base64(HMAC-SHA1(secret "&", StringToSign)) */
#include "sign.h"

#include <openssl/crypto.h>

int ca_rpc_sign(ca_crypto *c, const char *method, ca_pair *p, size_t n,
                const char *secret, size_t secret_len,
                ca_buf *q, ca_buf *sts, ca_buf *sig) {
    unsigned char mac[CA_SHA1_LEN];
    size_t maclen = 0;
    char small[256];
    char *key = small;
    int rc;

    ca_sort_pairs(p, n);
    ca_buf_adds(sts, method);
    ca_buf_add(sts, "&%2F&", 5);
    ca_canonical_query2(q, sts, p, n);
    if (q->failed || sts->failed) return -1;

    if (secret_len + 1 > sizeof small) {
        key = (char *)malloc(secret_len + 1);
        if (key == NULL) return -1;
    }
    memcpy(key, secret, secret_len);
    key[secret_len] = '&';
    rc = ca_hmac(c, CA_SHA1, key, secret_len + 1, sts->p, sts->len, mac, &maclen);
    OPENSSL_cleanse(key, secret_len + 1); /* no copy of the secret outlives the call */
    if (key != small) free(key);
    if (rc != 0) return -1;
    ca_base64(sig, mac, maclen);
    return sig->failed ? -1 : 0;
}

size_t ca_rpc_v1_params(ca_pair *p, const char *nonce, size_t nonce_len,
                        const char *timestamp, size_t timestamp_len) {
    p[0].k = "SignatureMethod"; p[0].kl = 15; p[0].v = "HMAC-SHA1"; p[0].vl = 9;
    p[1].k = "SignatureVersion"; p[1].kl = 16; p[1].v = "1.0"; p[1].vl = 3;
    p[2].k = "SignatureNonce"; p[2].kl = 14; p[2].v = nonce; p[2].vl = nonce_len;
    p[3].k = "Timestamp"; p[3].kl = 9; p[3].v = timestamp; p[3].vl = timestamp_len;
    return CA_RPC_V1_NPARAMS;
}
