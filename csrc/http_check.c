/* The one check of what a request puts on the wire, for both transports
 * (the curl one in ca_http_start, the ngx one through core.http_check):
 * CR, LF or NUL in a method, a header or the request target would end a
 * line early and let a caller's value write a header or a second request
 * of its own. */
#include "http.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* RFC 9110 tchar: what a method and a header name are made of. */
static const unsigned char tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static int is_token(const char *s, size_t n) {
    size_t i;
    if (n == 0) return 0;
    for (i = 0; i < n; i++) {
        if (!tchar[(unsigned char)s[i]]) return 0;
    }
    return 1;
}

/* The first byte of s that may not go on the wire (in a URL: a control
 * byte, space or DEL; in a header value: CR, LF or NUL), or n. Eight bytes
 * a step: this runs on every request, a URL is a few hundred bytes. */
#define ONES ((uint64_t)0x0101010101010101ULL)
#define HIGHS ((uint64_t)0x8080808080808080ULL)
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define HAS_LESS(x, n) (((x) - ONES * (n)) & ~(x) & HIGHS)

static int bad_byte(unsigned char c, int url) {
    return url ? (c <= 0x20 || c == 0x7f) : (c == '\r' || c == '\n' || c == '\0');
}

static size_t first_bad(const char *s, size_t n, int url) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, hit;
        memcpy(&w, s + i, 8);
        hit = url ? HAS_LESS(w, 0x21) | HAS_ZERO(w ^ (ONES * 0x7f))
                  : HAS_ZERO(w) | HAS_ZERO(w ^ (ONES * '\r')) | HAS_ZERO(w ^ (ONES * '\n'));
        if (hit) break;
    }
    for (; i < n; i++) {
        if (bad_byte((unsigned char)s[i], url)) return i;
    }
    return n;
}

/* A name as a message shows it: printable ASCII as is, other bytes as
 * \xNN, cut at 48 bytes. */
static void shown(char *out, size_t outlen, const char *s, size_t n) {
    size_t i, o = 0;
    for (i = 0; i < n && i < 48 && o + 5 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, outlen - o, "\\x%02X", c);
    }
    if (i < n && o + 4 < outlen) { memcpy(out + o, "...", 3); o += 3; }
    out[o] = '\0';
}

const char *ca_http_check(const char *method, size_t ml, const char *url, size_t ul,
                          const ca_pair *h, size_t n, char *msg, size_t msglen) {
    char name[256];
    size_t i;
    if (!is_token(method, ml)) {
        shown(name, sizeof name, method, ml);
        snprintf(msg, msglen, "the HTTP method \"%s\" is not a token (letters, digits and !#$%%&'*+-.^_`|~)", name);
        return msg;
    }
    if ((i = first_bad(url, ul, 1)) < ul) {
        snprintf(msg, msglen, "the URL has a space or control byte (0x%02X) at byte %zu", (unsigned char)url[i], i + 1);
        return msg;
    }
    for (i = 0; i < n; i++) {
        if (!is_token(h[i].k, h[i].kl)) {
            shown(name, sizeof name, h[i].k, h[i].kl);
            snprintf(msg, msglen, "the header name \"%s\" is not a token (letters, digits and !#$%%&'*+-.^_`|~)", name);
            return msg;
        }
        if (first_bad(h[i].v, h[i].vl, 0) < h[i].vl) {
            shown(name, sizeof name, h[i].k, h[i].kl);
            /* the name only: the value may be a secret */
            snprintf(msg, msglen, "the value of header %s has a CR, LF or NUL byte", name);
            return msg;
        }
    }
    return NULL;
}
