/* Canonicalization: the byte-exact rules both vendors sign. */
#include "canon.h"

#include <stdlib.h>
#include <string.h>

/* 1 for the RFC 3986 unreserved set; a table keeps the hot loop branch-free. */
static const unsigned char unreserved[256] = {
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['-'] = 1, ['_'] = 1, ['.'] = 1, ['~'] = 1,
};

void ca_percent_encode(ca_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    char *o;
    if (!ca_buf_reserve(b, 3 * n)) return; /* worst case, one reservation */
    o = b->p + b->len;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved[c]) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    b->len = (size_t)(o - b->p);
    b->p[b->len] = '\0';
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl) {
    int r;
    /* Names usually differ in their first byte: decide without memcmp. */
    if (al && bl && a[0] != b[0]) return (unsigned char)a[0] < (unsigned char)b[0] ? -1 : 1;
    r = memcmp(a, b, al < bl ? al : bl);
    if (r) return r;
    return al < bl ? -1 : al > bl;
}

static int pair_cmp(const void *x, const void *y) {
    const ca_pair *a = (const ca_pair *)x, *b = (const ca_pair *)y;
    int r = bytes_cmp(a->k, a->kl, b->k, b->kl);
    return r ? r : bytes_cmp(a->v, a->vl, b->v, b->vl);
}

void ca_sort_pairs(ca_pair *p, size_t n) {
    size_t i, j;
    if (n > 32) { qsort(p, n, sizeof *p, pair_cmp); return; }
    /* A request has a few dozen parameters: insertion sort beats qsort's
     * merge sort and its calls through a function pointer. */
    for (i = 1; i < n; i++) {
        ca_pair x = p[i];
        for (j = i; j > 0 && pair_cmp(&p[j - 1], &x) > 0; j--) p[j] = p[j - 1];
        p[j] = x;
    }
}

/* enc(s) into q and enc(enc(s)) into qq, in one pass. */
static void encode_twice(ca_buf *q, ca_buf *qq, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    char *o, *oo;
    if (!ca_buf_reserve(q, 3 * n) || !ca_buf_reserve(qq, 5 * n)) { q->failed = qq->failed = 1; return; }
    o = q->p + q->len;
    oo = qq->p + qq->len;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved[c]) {
            *o++ = (char)c;
            *oo++ = (char)c;
        } else {
            o[0] = '%'; o[1] = hex[c >> 4]; o[2] = hex[c & 15];
            o += 3;
            oo[0] = '%'; oo[1] = '2'; oo[2] = '5'; oo[3] = hex[c >> 4]; oo[4] = hex[c & 15];
            oo += 5;
        }
    }
    q->len = (size_t)(o - q->p);
    q->p[q->len] = '\0';
    qq->len = (size_t)(oo - qq->p);
    qq->p[qq->len] = '\0';
}

void ca_canonical_query2(ca_buf *q, ca_buf *qq, const ca_pair *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (i) { ca_buf_addc(q, '&'); ca_buf_add(qq, "%26", 3); }
        encode_twice(q, qq, p[i].k, p[i].kl);
        ca_buf_addc(q, '=');
        ca_buf_add(qq, "%3D", 3);
        encode_twice(q, qq, p[i].v, p[i].vl);
    }
}

void ca_canonical_query(ca_buf *b, const ca_pair *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (i) ca_buf_addc(b, '&');
        ca_percent_encode(b, p[i].k, p[i].kl);
        ca_buf_addc(b, '=');
        ca_percent_encode(b, p[i].v, p[i].vl);
    }
}

static int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int ca_percent_decode(ca_buf *b, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            char c = (char)(hi * 16 + lo);
            if (c == '/' || c == '\0') return -1;
            ca_buf_addc(b, c);
            i += 2;
        } else {
            if (s[i] == '\0') return -1; /* as %00: found by spec/fuzz/fuzz_canon.c */
            ca_buf_addc(b, s[i]);
        }
    }
    return 0;
}

int ca_canonical_uri(ca_buf *b, const char *path, size_t n) {
    ca_buf seg;
    size_t start = 0, i;
    int rc = 0;
    ca_buf_init(&seg);
    if (n == 0 || path[0] != '/') ca_buf_addc(b, '/');
    for (i = 0; i <= n; i++) {
        if (i == n || path[i] == '/') {
            if (i > start) {
                ca_buf_reset(&seg);
                if (ca_percent_decode(&seg, path + start, i - start) != 0) { rc = -1; break; }
                if (seg.failed) { b->failed = 1; break; }
                ca_percent_encode(b, seg.p, seg.len);
            }
            if (i < n) ca_buf_addc(b, '/');
            start = i + 1;
        }
    }
    if (b->len == 0 || b->p[b->len - 1] != '/') ca_buf_addc(b, '/');
    ca_buf_free(&seg);
    return rc;
}

static int hdr_space(char c) { return c == ' ' || c == '\t'; }

int ca_headers_collect(ca_headers *s, const ca_pair *h, size_t n,
                       int (*keep)(const char *lower, size_t len)) {
    size_t i, total = 0, off = 0;
    s->p = s->inline_p;
    s->names = s->inline_names;
    s->n = 0;
    for (i = 0; i < n; i++) {
        if (h[i].kl > (size_t)-1 - total) return -1;
        total += h[i].kl;
    }
    if (n > CA_HEADERS_INLINE) {
        s->p = (ca_pair *)malloc(n * sizeof *s->p);
        if (s->p == NULL) return -1;
    }
    if (total > sizeof s->inline_names) {
        s->names = (char *)malloc(total);
        if (s->names == NULL) { ca_headers_free(s); return -1; }
    }
    for (i = 0; i < n; i++) {
        const char *v = h[i].v;
        size_t vl = h[i].vl, j;
        char *name = s->names + off;
        for (j = 0; j < h[i].kl; j++) { /* ASCII only: locale-proof */
            char c = h[i].k[j];
            name[j] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        if (!keep(name, h[i].kl)) continue;
        off += h[i].kl;
        while (vl && hdr_space(*v)) { v++; vl--; }
        while (vl && hdr_space(v[vl - 1])) vl--;
        s->p[s->n].k = name; s->p[s->n].kl = h[i].kl;
        s->p[s->n].v = v; s->p[s->n].vl = vl;
        s->n++;
    }
    ca_sort_pairs(s->p, s->n);
    return 0;
}

void ca_headers_free(ca_headers *s) {
    if (s->p != s->inline_p) free(s->p);
    if (s->names != s->inline_names) free(s->names);
    s->p = s->inline_p;
    s->names = s->inline_names;
    s->n = 0;
}
