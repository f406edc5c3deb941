/* Response header blocks as fields (see http.h). Both transports hand
 * their block here (the ngx one through core.parse_headers). Linear: a
 * block of thousands of repeated names costs what its bytes cost, never a
 * copy of the joined value per repetition. */
#include "http.h"

#include <stdlib.h>
#include <string.h>

/* RFC 9110 tchar, as http_check.c */
static int tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int name_cmp(const ca_pair *a, const ca_pair *b) {
    size_t n = a->kl < b->kl ? a->kl : b->kl;
    int r = memcmp(a->k, b->k, n);
    return r ? r : (a->kl < b->kl ? -1 : a->kl > b->kl);
}

/* Stable sort by name (values keep their order): insertion sort for the
 * usual dozen fields, merge sort through tmp for more. */
static void sort_fields(ca_pair *f, ca_pair *tmp, size_t n) {
    size_t i, j, k, w;
    if (n <= 24) {
        for (i = 1; i < n; i++) {
            ca_pair x = f[i];
            for (j = i; j > 0 && name_cmp(&f[j - 1], &x) > 0; j--) f[j] = f[j - 1];
            f[j] = x;
        }
        return;
    }
    w = n / 2;
    sort_fields(f, tmp, w);
    sort_fields(f + w, tmp, n - w);
    for (i = 0, j = w, k = 0; i < w || j < n;) {
        if (j >= n || (i < w && name_cmp(&f[i], &f[j]) <= 0)) tmp[k++] = f[i++];
        else tmp[k++] = f[j++];
    }
    memcpy(f, tmp, n * sizeof *f);
}

void ca_fields_free(ca_fields *hs) {
    free(hs->f);
    hs->f = NULL;
    hs->n = hs->cap = 0;
    ca_buf_free(&hs->names);
    ca_buf_free(&hs->joined);
}

int ca_fields_parse(ca_fields *hs, const char *raw, size_t len) {
    const char *p = raw, *end = raw + len;
    size_t lines = 1, i, out;
    ca_pair *tmp;
    hs->n = 0;
    ca_buf_reset(&hs->names);
    ca_buf_reset(&hs->joined);
    for (i = 0; i < len; i++) lines += raw[i] == '\n';
    if (lines > ((size_t)-1) / (2 * sizeof *hs->f)) return -1;
    if (2 * lines > hs->cap) {
        ca_pair *f = (ca_pair *)realloc(hs->f, 2 * lines * sizeof *f);
        if (f == NULL) return -1;
        hs->f = f;
        hs->cap = 2 * lines;
    }
    /* Reserved whole up front, so pointers into them stay put: names are
     * bytes of the block, and a joined value is shorter than its lines. */
    if (!ca_buf_reserve(&hs->names, len) || !ca_buf_reserve(&hs->joined, len)) return -1;
    while (p < end && *p != '\n') p++; /* the status line */
    while (p < end) {
        const char *line = ++p, *colon, *eol, *v;
        size_t k;
        while (p < end && *p != '\n') p++;
        eol = p;
        if (eol > line && eol[-1] == '\r') eol--;
        colon = memchr(line, ':', (size_t)(eol - line));
        if (colon == NULL || colon == line) continue;
        for (k = 0; line + k < colon && tchar((unsigned char)line[k]); k++) {}
        if (line + k != colon) continue; /* not a token: a folded line, garbage */
        v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t')) v++;
        while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t')) eol--;
        hs->f[hs->n].k = hs->names.p + hs->names.len;
        hs->f[hs->n].kl = k;
        for (i = 0; i < k; i++) {
            char c = line[i];
            hs->names.p[hs->names.len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        hs->f[hs->n].v = v;
        hs->f[hs->n].vl = (size_t)(eol - v);
        hs->n++;
    }
    tmp = hs->f + hs->n; /* the second half of f */
    sort_fields(hs->f, tmp, hs->n);
    /* One field per name; repeated names joined as HTTP allows. */
    for (i = 0, out = 0; i < hs->n; out++) {
        size_t j = i + 1;
        while (j < hs->n && name_cmp(&hs->f[i], &hs->f[j]) == 0) j++;
        hs->f[out] = hs->f[i];
        if (j > i + 1) {
            size_t k, start = hs->joined.len;
            for (k = i; k < j; k++) {
                if (k > i) { memcpy(hs->joined.p + hs->joined.len, ", ", 2); hs->joined.len += 2; }
                memcpy(hs->joined.p + hs->joined.len, hs->f[k].v, hs->f[k].vl);
                hs->joined.len += hs->f[k].vl;
            }
            hs->f[out].v = hs->joined.p + start;
            hs->f[out].vl = hs->joined.len - start;
        }
        i = j;
    }
    hs->n = out;
    return 0;
}
