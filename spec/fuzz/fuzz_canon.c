/* Canonical query and URI: pairs sorted by raw bytes, the one-pass query
 * and its encoding (what an RPC string to sign carries) equal to the
 * plain ones, and a canonical URI that is a fixed point. Input: a path,
 * then "k=v" pairs. */
#include "fuzz.h"

static int ordered(const ca_pair *a, const ca_pair *b) {
    size_t n = a->kl < b->kl ? a->kl : b->kl;
    int r = memcmp(a->k, b->k, n);
    if (r == 0) r = a->kl < b->kl ? -1 : a->kl > b->kl;
    if (r == 0) {
        n = a->vl < b->vl ? a->vl : b->vl;
        r = memcmp(a->v, b->v, n);
        if (r == 0) r = a->vl < b->vl ? -1 : a->vl > b->vl;
    }
    return r <= 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_fields f;
    ca_pair pairs[FUZZ_MAXF];
    ca_buf q, q2, qq, enc, uri, again;
    size_t i, n, pl;
    const char *path;
    fuzz_split(data, size, &f);
    path = fuzz_field(&f, 0, &pl);
    n = fuzz_pairs(&f, 1, pairs, FUZZ_MAXF);
    ca_buf_init(&q); ca_buf_init(&q2); ca_buf_init(&qq); ca_buf_init(&enc);
    ca_buf_init(&uri); ca_buf_init(&again);

    ca_sort_pairs(pairs, n);
    for (i = 1; i < n; i++) FUZZ_CHECK(ordered(&pairs[i - 1], &pairs[i]), "sorted by raw bytes");
    ca_canonical_query(&q, pairs, n);
    ca_canonical_query2(&q2, &qq, pairs, n);
    FUZZ_CHECK(fuzz_same(&q, &q2), "one-pass query equals the plain one");
    ca_percent_encode(&enc, q.p ? q.p : "", q.len);
    FUZZ_CHECK(fuzz_same(&enc, &qq), "its encoding is the query encoded");

    if (ca_canonical_uri(&uri, path, pl) == 0) {
        FUZZ_CHECK(uri.len > 0 && uri.p[0] == '/' && uri.p[uri.len - 1] == '/', "starts and ends with /");
        FUZZ_CHECK(ca_canonical_uri(&again, uri.p, uri.len) == 0, "canonical again");
        FUZZ_CHECK(fuzz_same(&uri, &again), "a fixed point");
    }
    ca_buf_free(&q); ca_buf_free(&q2); ca_buf_free(&qq); ca_buf_free(&enc);
    ca_buf_free(&uri); ca_buf_free(&again);
    return 0;
}
