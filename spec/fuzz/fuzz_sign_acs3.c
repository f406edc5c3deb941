/* Alibaba ACS3-HMAC-SHA256: never more than an error message for bad
 * input, deterministic whatever order the pairs come in, and an
 * Authorization of the fixed shape with 64 hex digits; the string to sign
 * names the algorithm and the canonical request's SHA-256.
 * Input: method, path, ak, secret, then pairs: "h:Name=value" a header,
 * anything else a query pair. */
#include "fuzz.h"

static const char HASH[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static int hex64(const char *p) {
    int i;
    for (i = 0; i < 64; i++) {
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_fields f;
    ca_pair pairs[FUZZ_MAXF], query[FUZZ_MAXF], headers[FUZZ_MAXF], q2[FUZZ_MAXF], h2[FUZZ_MAXF];
    ca_acs3_req r;
    ca_buf canon, q, sts, auth, canon2, qb2, sts2, auth2;
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
    r.payload_hash = HASH;
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
    /* the same pairs in reverse order must sign the same */
    for (i = 0; i < nq; i++) q2[i] = query[nq - 1 - i];
    for (i = 0; i < nh; i++) h2[i] = headers[nh - 1 - i];
    ca_buf_init(&canon); ca_buf_init(&q); ca_buf_init(&sts); ca_buf_init(&auth);
    ca_buf_init(&canon2); ca_buf_init(&qb2); ca_buf_init(&sts2); ca_buf_init(&auth2);

    r.query = query; r.nquery = nq; r.headers = headers; r.nheaders = nh;
    e1 = ca_acs3_sign(fuzz_crypto(), &r, &canon, &q, &sts, &auth);
    r.query = q2; r.headers = h2;
    e2 = ca_acs3_sign(fuzz_crypto(), &r, &canon2, &qb2, &sts2, &auth2);
    FUZZ_CHECK((e1 == NULL) == (e2 == NULL), "the same input fails the same way, in any order");
    if (e1 == NULL) {
        static const char alg[] = "ACS3-HMAC-SHA256 Credential=";
        const char *sig;
        FUZZ_CHECK(fuzz_same(&canon, &canon2) && fuzz_same(&q, &qb2) && fuzz_same(&auth, &auth2),
                   "deterministic, pair order aside");
        FUZZ_CHECK(sts.len == 17 + 64 && memcmp(sts.p, "ACS3-HMAC-SHA256\n", 17) == 0 && hex64(sts.p + 17),
                   "string to sign: algorithm, then the canonical request's hash");
        FUZZ_CHECK(auth.len > sizeof alg - 1 + 75 && memcmp(auth.p, alg, sizeof alg - 1) == 0, "algorithm first");
        sig = auth.p + auth.len - 75;
        FUZZ_CHECK(memcmp(sig, ",Signature=", 11) == 0 && hex64(sig + 11), "64 hex digits last");
        FUZZ_CHECK(canon.len >= 64 && memcmp(canon.p + canon.len - 64, HASH, 64) == 0, "payload hash last");
    }
    free(method);
    ca_buf_free(&canon); ca_buf_free(&q); ca_buf_free(&sts); ca_buf_free(&auth);
    ca_buf_free(&canon2); ca_buf_free(&qb2); ca_buf_free(&sts2); ca_buf_free(&auth2);
    return 0;
}
