/* Alibaba ROA "acs": never more than an error message for bad input,
 * deterministic whatever order the pairs come in, the string to sign
 * starting with the method, and "acs AK:" then a 28-character Base64
 * HMAC-SHA1. Input: method, path, ak, secret, then pairs: "h:Name=value"
 * a header, anything else a query pair. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_fields f;
    ca_pair pairs[FUZZ_MAXF], query[FUZZ_MAXF], headers[FUZZ_MAXF], q2[FUZZ_MAXF], h2[FUZZ_MAXF];
    ca_roa_req r;
    ca_buf sts, auth, sts2, auth2;
    size_t i, n, nq = 0, nh = 0, len;
    const char *e1, *e2;
    char *method;
    fuzz_split(data, size, &f);
    memset(&r, 0, sizeof r);
    method = fuzz_str(fuzz_field(&f, 0, &len), len);
    r.method = method;
    r.path = fuzz_field(&f, 1, &r.path_len);
    r.ak = fuzz_field(&f, 2, &r.ak_len);
    r.secret = fuzz_field(&f, 3, &r.secret_len);
    n = fuzz_pairs(&f, 4, pairs, FUZZ_MAXF);
    for (i = 0; i < n; i++) {
        if (pairs[i].kl > 2 && memcmp(pairs[i].k, "h:", 2) == 0) {
            headers[nh] = pairs[i];
            headers[nh].k += 2;
            headers[nh++].kl -= 2;
        } else {
            query[nq++] = pairs[i];
        }
    }
    for (i = 0; i < nq; i++) q2[i] = query[nq - 1 - i];
    for (i = 0; i < nh; i++) h2[i] = headers[nh - 1 - i];
    ca_buf_init(&sts); ca_buf_init(&auth); ca_buf_init(&sts2); ca_buf_init(&auth2);

    r.query = query; r.nquery = nq; r.headers = headers; r.nheaders = nh;
    e1 = ca_roa_sign(fuzz_crypto(), &r, &sts, &auth);
    r.query = q2; r.headers = h2;
    e2 = ca_roa_sign(fuzz_crypto(), &r, &sts2, &auth2);
    FUZZ_CHECK((e1 == NULL) == (e2 == NULL), "the same input fails the same way, in any order");
    if (e1 == NULL) {
        size_t ml = strlen(method);
        FUZZ_CHECK(fuzz_same(&sts, &sts2) && fuzz_same(&auth, &auth2), "deterministic, pair order aside");
        FUZZ_CHECK(sts.len > ml && memcmp(sts.p, method, ml) == 0 && sts.p[ml] == '\n', "the method first");
        FUZZ_CHECK(auth.len == 4 + r.ak_len + 1 + 28 && memcmp(auth.p, "acs ", 4) == 0 &&
                   memcmp(auth.p + 4, r.ak, r.ak_len) == 0 && auth.p[4 + r.ak_len] == ':' &&
                   auth.p[auth.len - 1] == '=', "acs AK:base64(20 bytes)");
    }
    free(method);
    ca_buf_free(&sts); ca_buf_free(&auth); ca_buf_free(&sts2); ca_buf_free(&auth2);
    return 0;
}
