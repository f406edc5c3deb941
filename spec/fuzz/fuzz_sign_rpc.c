/* Alibaba RPC signature v1: deterministic, a 28-byte base64 HMAC-SHA1, a
 * string to sign of METHOD&%2F&enc(query) over the sorted pairs with v1's
 * own parameters. Input: method, secret, nonce, timestamp, then pairs. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_fields f;
    ca_pair pairs[FUZZ_MAXF + CA_RPC_V1_NPARAMS], copy[FUZZ_MAXF + CA_RPC_V1_NPARAMS];
    ca_buf q, sts, sig, q2, sts2, sig2, want;
    size_t n, ml, sl, nl, tl;
    const char *m, *secret, *nonce, *stamp;
    char *method;
    fuzz_split(data, size, &f);
    m = fuzz_field(&f, 0, &ml);
    secret = fuzz_field(&f, 1, &sl);
    nonce = fuzz_field(&f, 2, &nl);
    stamp = fuzz_field(&f, 3, &tl);
    method = fuzz_str(m, ml);
    n = fuzz_pairs(&f, 4, pairs, FUZZ_MAXF);
    n += ca_rpc_v1_params(&pairs[n], nonce, nl, stamp, tl);
    memcpy(copy, pairs, n * sizeof *pairs);
    ca_buf_init(&q); ca_buf_init(&sts); ca_buf_init(&sig);
    ca_buf_init(&q2); ca_buf_init(&sts2); ca_buf_init(&sig2); ca_buf_init(&want);

    FUZZ_CHECK(ca_rpc_sign(fuzz_crypto(), method, pairs, n, secret, sl, &q, &sts, &sig) == 0, "signs");
    FUZZ_CHECK(ca_rpc_sign(fuzz_crypto(), method, copy, n, secret, sl, &q2, &sts2, &sig2) == 0, "signs again");
    FUZZ_CHECK(fuzz_same(&q, &q2) && fuzz_same(&sts, &sts2) && fuzz_same(&sig, &sig2), "deterministic");
    FUZZ_CHECK(sig.len == 28 && sig.p[27] == '=', "base64 of 20 bytes");
    ca_buf_adds(&want, method);
    ca_buf_add(&want, "&%2F&", 5);
    ca_percent_encode(&want, q.p ? q.p : "", q.len);
    FUZZ_CHECK(fuzz_same(&want, &sts), "METHOD&%2F&enc(query)");

    free(method);
    ca_buf_free(&q); ca_buf_free(&sts); ca_buf_free(&sig);
    ca_buf_free(&q2); ca_buf_free(&sts2); ca_buf_free(&sig2); ca_buf_free(&want);
    return 0;
}
