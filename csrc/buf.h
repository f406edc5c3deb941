/* A growable byte buffer. Plain C, no Lua: the core's algorithms write into
 * it and core.c turns the result into a Lua string. Starts on the heap only
 * when first used, and is reused across calls by whoever owns it. */
#ifndef CLOUDAPI_BUF_H
#define CLOUDAPI_BUF_H

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t len, cap;
    int failed; /* sticky: an allocation failed somewhere along the way */
} ca_buf;

static inline void ca_buf_init(ca_buf *b) { b->p = NULL; b->len = b->cap = 0; b->failed = 0; }
static inline void ca_buf_reset(ca_buf *b) { b->len = 0; b->failed = 0; }
static inline void ca_buf_free(ca_buf *b) { free(b->p); ca_buf_init(b); }

static inline int ca_buf_reserve(ca_buf *b, size_t extra) {
    size_t need, cap;
    char *p;
    if (b->failed) return 0;
    if (extra > (size_t)-1 - b->len - 1) { b->failed = 1; return 0; }
    need = b->len + extra + 1; /* room for a terminating NUL */
    if (need <= b->cap) return 1;
    cap = b->cap ? b->cap : 256;
    while (cap < need) cap = (cap > ((size_t)-1) / 2) ? need : cap * 2;
    p = (char *)realloc(b->p, cap);
    if (p == NULL) { b->failed = 1; return 0; }
    b->p = p;
    b->cap = cap;
    return 1;
}

static inline void ca_buf_add(ca_buf *b, const void *s, size_t n) {
    if (!ca_buf_reserve(b, n)) return;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void ca_buf_addc(ca_buf *b, char c) { ca_buf_add(b, &c, 1); }
static inline void ca_buf_adds(ca_buf *b, const char *s) { ca_buf_add(b, s, strlen(s)); }

#endif
