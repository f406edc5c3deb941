/* Huawei SDK-HMAC-SHA256 / V11-HMAC-SHA256 (canonical headers included):
 * never more than an error message for bad input, deterministic, an
 * Authorization of the algorithm, the access key and 64 hex digits.
 * Input: flags (first byte: bit 0 V11, bit 1 a payload hash), method,
 * path, ak, sk, date, region, service, body, then pairs: "h:Name=value" a
 * header, anything else a query pair. */
#include "fuzz.h"

static const char *sign(ca_sdk_req *r, ca_buf *canon, ca_buf *q, ca_buf *auth) {
    return ca_sdk_sign(fuzz_crypto(), r, canon, q, auth);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_fields f;
    ca_pair pairs[FUZZ_MAXF], query[FUZZ_MAXF], headers[FUZZ_MAXF], q2[FUZZ_MAXF], h2[FUZZ_MAXF];
    ca_sdk_req r;
    ca_buf canon, q, auth, canon2, qb2, auth2;
    size_t i, n, nq = 0, nh = 0, len;
    const char *flags, *e1, *e2;
    int fl;
    char *method, *date, *region, *service;
    fuzz_split(data, size, &f);
    flags = fuzz_field(&f, 0, &len);
    fl = len > 0 ? (unsigned char)flags[0] : 0;
    memset(&r, 0, sizeof r);
    r.v11 = fl & 1;
    method = fuzz_str(fuzz_field(&f, 1, &len), len);
    r.path = fuzz_field(&f, 2, &r.path_len);
    r.ak = fuzz_field(&f, 3, &r.ak_len);
    r.sk = fuzz_field(&f, 4, &r.sk_len);
    date = fuzz_str(fuzz_field(&f, 5, &len), len);
    region = fuzz_str(fuzz_field(&f, 6, &len), len);
    service = fuzz_str(fuzz_field(&f, 7, &len), len);
    r.body = fuzz_field(&f, 8, &r.body_len);
    r.payload_hash = (fl & 2) ? "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" : NULL;
    r.method = method; r.date = date; r.region = region; r.service = service;
    n = fuzz_pairs(&f, 9, pairs, FUZZ_MAXF);
    for (i = 0; i < n; i++) {
        if (pairs[i].kl > 2 && memcmp(pairs[i].k, "h:", 2) == 0) {
            headers[nh] = pairs[i];
            headers[nh].k += 2;
            headers[nh++].kl -= 2;
        } else {
            query[nq++] = pairs[i];
        }
    }
    memcpy(q2, query, nq * sizeof *query);
    memcpy(h2, headers, nh * sizeof *headers);
    ca_buf_init(&canon); ca_buf_init(&q); ca_buf_init(&auth);
    ca_buf_init(&canon2); ca_buf_init(&qb2); ca_buf_init(&auth2);

    r.query = query; r.nquery = nq; r.headers = headers; r.nheaders = nh;
    e1 = sign(&r, &canon, &q, &auth);
    r.query = q2; r.headers = h2;
    e2 = sign(&r, &canon2, &qb2, &auth2);
    FUZZ_CHECK((e1 == NULL) == (e2 == NULL), "the same input fails the same way");
    if (e1 == NULL) {
        const char *alg = r.v11 ? "V11-HMAC-SHA256 Credential=" : "SDK-HMAC-SHA256 Access=";
        const char *sig;
        FUZZ_CHECK(fuzz_same(&canon, &canon2) && fuzz_same(&auth, &auth2), "deterministic");
        FUZZ_CHECK(auth.len > strlen(alg) + 76 && memcmp(auth.p, alg, strlen(alg)) == 0, "algorithm first");
        sig = auth.p + auth.len - 76;
        FUZZ_CHECK(memcmp(sig, ", Signature=", 12) == 0, "the signature last");
        for (i = 12; i < 76; i++) {
            FUZZ_CHECK((sig[i] >= '0' && sig[i] <= '9') || (sig[i] >= 'a' && sig[i] <= 'f'), "64 hex digits");
        }
    }
    free(method); free(date); free(region); free(service);
    ca_buf_free(&canon); ca_buf_free(&q); ca_buf_free(&auth);
    ca_buf_free(&canon2); ca_buf_free(&qb2); ca_buf_free(&auth2);
    return 0;
}
