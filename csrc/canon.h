/* Canonicalization shared by every signature family: RFC 3986 percent-
 * encoding, byte-order sorting of key/value pairs, canonical query and URI. */
#ifndef CLOUDAPI_CANON_H
#define CLOUDAPI_CANON_H

#include <stddef.h>
#include "buf.h"

typedef struct {
    const char *k, *v;
    size_t kl, vl;
} ca_pair;

/* Leaves only A-Z a-z 0-9 - _ . ~ as is; every other byte becomes %XX
 * (uppercase hex), so space is %20 and each UTF-8 byte is encoded. */
void ca_percent_encode(ca_buf *b, const char *s, size_t n);

/* Sort by raw key bytes, then (for repeated keys) by raw value bytes. */
void ca_sort_pairs(ca_pair *p, size_t n);

/* enc(k)=enc(v) joined with '&'; pairs must already be sorted. */
void ca_canonical_query(ca_buf *b, const ca_pair *p, size_t n);

/* The canonical query into q and, in the same pass, its own percent-
 * encoding appended to qq (what an RPC string to sign carries). */
void ca_canonical_query2(ca_buf *q, ca_buf *qq, const ca_pair *p, size_t n);

/* Decode %XX escapes of s (a path on the wire); an invalid escape is kept
 * literally. Returns 0, or -1 when the decoded bytes contain a '/' or NUL
 * that would change the segment structure. */
int ca_percent_decode(ca_buf *b, const char *s, size_t n);

/* Canonical URI for REST signing: each '/'-separated segment of the wire
 * path decoded then re-encoded; always ends with '/'. Returns 0 or -1. */
int ca_canonical_uri(ca_buf *b, const char *path, size_t n);

/* The headers a signature covers: names lowercased, values trimmed of
 * spaces and tabs, sorted by name then value. Small requests need no heap
 * (the inline arrays); ca_headers_free releases what a large one took. */
#define CA_HEADERS_INLINE 24
typedef struct {
    ca_pair *p;
    size_t n;
    char *names;
    ca_pair inline_p[CA_HEADERS_INLINE];
    char inline_names[640];
} ca_headers;

/* Collects from h[0..n) the headers whose lowercased name keep() accepts.
 * Returns 0, or -1 when out of memory. */
int ca_headers_collect(ca_headers *s, const ca_pair *h, size_t n,
                       int (*keep)(const char *lower, size_t len));
void ca_headers_free(ca_headers *s);

#endif
