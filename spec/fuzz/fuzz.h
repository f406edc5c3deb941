/* What the libFuzzer targets share (spec/fuzz/fuzz_*.c, built by `make
 * fuzz`, each against the plain C core with
 * -fsanitize=fuzzer,address,undefined). An input is read as fields split
 * at '\n', so the seed corpora (spec/fuzz/corpus/<target>/) stay readable;
 * "k=v" fields are pairs. A property that fails aborts, which libFuzzer
 * reports as a crash with the input that made it. */
#ifndef CLOUDAPI_FUZZ_H
#define CLOUDAPI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "crypto.h"
#include "http.h"
#include "sign.h"

#define FUZZ_MAXF 64

typedef struct {
    const char *p[FUZZ_MAXF];
    size_t n[FUZZ_MAXF];
    size_t count;
} fuzz_fields;

#define FUZZ_CHECK(cond, what) do { \
    if (!(cond)) { fprintf(stderr, "property failed: %s (%s:%d)\n", what, __FILE__, __LINE__); abort(); } \
} while (0)

static inline void fuzz_split(const uint8_t *data, size_t size, fuzz_fields *f) {
    const char *p = (const char *)data, *end = p + size;
    f->count = 0;
    while (f->count < FUZZ_MAXF) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        f->p[f->count] = p;
        f->n[f->count] = (size_t)((nl ? nl : end) - p);
        f->count++;
        if (!nl) break;
        p = nl + 1;
    }
}

/* Field i, or "" when the input has fewer. */
static inline const char *fuzz_field(const fuzz_fields *f, size_t i, size_t *n) {
    if (i >= f->count) { *n = 0; return ""; }
    *n = f->n[i];
    return f->p[i];
}

/* Fields from..count-1 as pairs split at their first '=' (a field without
 * one is a key with an empty value). Returns how many (at most max). */
static inline size_t fuzz_pairs(const fuzz_fields *f, size_t from, ca_pair *out, size_t max) {
    size_t i, n = 0;
    for (i = from; i < f->count && n < max; i++, n++) {
        const char *eq = memchr(f->p[i], '=', f->n[i]);
        out[n].k = f->p[i];
        out[n].kl = eq ? (size_t)(eq - f->p[i]) : f->n[i];
        out[n].v = eq ? eq + 1 : f->p[i] + f->n[i];
        out[n].vl = eq ? f->n[i] - out[n].kl - 1 : 0;
    }
    return n;
}

/* A NUL-terminated copy (the signers take C strings for a few fields). */
static inline char *fuzz_str(const char *p, size_t n) {
    char *s = (char *)malloc(n + 1);
    if (s == NULL) abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* One ca_crypto for the whole run: the algorithms are fetched once. */
static inline ca_crypto *fuzz_crypto(void) {
    static ca_crypto c;
    static int open;
    if (!open) {
        if (ca_crypto_open(&c) != NULL) abort();
        open = 1;
    }
    return &c;
}

static inline int fuzz_same(const ca_buf *a, const ca_buf *b) {
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

#endif
