/* The response-header parser (http_headers.c): names lowercase tokens,
 * one field per name, and the same fields as a plain quadratic reference
 * implementation (scan every line for every name) on the same block. */
#include "fuzz.h"

static int tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int lower_eq(const char *a, size_t al, const char *b, size_t bl) {
    size_t i;
    if (al != bl) return 0;
    for (i = 0; i < al; i++) {
        char c = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        if (c != b[i]) return 0;
    }
    return 1;
}

/* The value the reference gives name: every matching line, in order. */
static void reference(const char *raw, size_t len, const ca_pair *name, ca_buf *out) {
    const char *p = raw, *end = raw + len;
    int first = 1;
    while (p < end && *p != '\n') p++;
    while (p < end) {
        const char *line = ++p, *colon, *eol, *v, *k;
        while (p < end && *p != '\n') p++;
        eol = p;
        if (eol > line && eol[-1] == '\r') eol--;
        colon = memchr(line, ':', (size_t)(eol - line));
        if (colon == NULL || colon == line) continue;
        for (k = line; k < colon; k++) {
            char c = *k >= 'A' && *k <= 'Z' ? (char)(*k + 32) : *k;
            if (!tchar((unsigned char)c)) break;
        }
        if (k != colon || !lower_eq(line, (size_t)(colon - line), name->k, name->kl)) continue;
        v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t')) v++;
        while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t')) eol--;
        if (!first) ca_buf_add(out, ", ", 2);
        ca_buf_add(out, v, (size_t)(eol - v));
        first = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ca_fields hs;
    const char *raw = (const char *)data;
    size_t i, j;
    ca_buf want;
    FUZZ_CHECK(ca_fields_parse(&hs, raw, size) == 0, "parses");
    ca_buf_init(&want);
    for (i = 0; i < hs.n; i++) {
        const ca_pair *f = &hs.f[i];
        FUZZ_CHECK(f->kl > 0, "a name");
        for (j = 0; j < f->kl; j++) FUZZ_CHECK(tchar((unsigned char)f->k[j]), "lowercase token");
        for (j = i + 1; j < hs.n; j++) FUZZ_CHECK(!lower_eq(f->k, f->kl, hs.f[j].k, hs.f[j].kl), "one field per name");
        ca_buf_reset(&want);
        reference(raw, size, f, &want);
        FUZZ_CHECK(want.len == f->vl && (f->vl == 0 || memcmp(want.p, f->v, f->vl) == 0), "the reference's value");
    }
    ca_buf_free(&want);
    if (hs.cap > 4096) ca_fields_free(&hs);
    return 0;
}
