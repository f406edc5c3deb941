/* The request check (http_check.c): what it lets through cannot split a
 * request (no CR, LF or NUL anywhere, tokens for the method and names, no
 * blank in the URL), and its message shows no URL or header value: the
 * same request with every other byte of the URL and the values masked
 * gets the very same answer. Input: method, URL, then "Name=value". */
#include "fuzz.h"

static int tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int token(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) if (!tchar((unsigned char)s[i])) return 0;
    return n > 0;
}

/* A copy keeping the bytes keep() says matter, every other one 'x'. */
static char *masked(const char *s, size_t n, int url) {
    char *m = fuzz_str(s, n);
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = url ? (c <= 0x20 || c == 0x7f) : (c == '\r' || c == '\n' || c == '\0');
        if (!keep) m[i] = 'x';
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_fields f;
    ca_pair h[FUZZ_MAXF], hm[FUZZ_MAXF];
    char msg[320], msg2[320];
    size_t i, n, ml, ul;
    const char *method, *url, *why, *why2;
    char *url_m;
    fuzz_split(data, size, &f);
    method = fuzz_field(&f, 0, &ml);
    url = fuzz_field(&f, 1, &ul);
    n = fuzz_pairs(&f, 2, h, FUZZ_MAXF);
    why = ca_http_check(method, ml, url, ul, h, n, msg, sizeof msg);
    if (why == NULL) {
        FUZZ_CHECK(token(method, ml), "method a token");
        for (i = 0; i < ul; i++) FUZZ_CHECK((unsigned char)url[i] > 0x20 && url[i] != 0x7f, "URL without blanks");
        for (i = 0; i < n; i++) {
            FUZZ_CHECK(token(h[i].k, h[i].kl), "names tokens");
            FUZZ_CHECK(!memchr(h[i].v, '\r', h[i].vl) && !memchr(h[i].v, '\n', h[i].vl) &&
                       !memchr(h[i].v, '\0', h[i].vl), "values without CR, LF, NUL");
        }
    } else {
        FUZZ_CHECK(why == msg && msg[0] != '\0', "a message");
        FUZZ_CHECK(strchr(msg, '\r') == NULL && strchr(msg, '\n') == NULL, "a message on one line");
    }
    url_m = masked(url, ul, 1);
    for (i = 0; i < n; i++) {
        hm[i] = h[i];
        hm[i].v = masked(h[i].v, h[i].vl, 0);
    }
    why2 = ca_http_check(method, ml, url_m, ul, hm, n, msg2, sizeof msg2);
    FUZZ_CHECK((why == NULL) == (why2 == NULL), "the verdict does not depend on masked bytes");
    FUZZ_CHECK(why == NULL || strcmp(msg, msg2) == 0, "the message shows no URL or value byte");
    free(url_m);
    for (i = 0; i < n; i++) free((char *)hm[i].v);
    return 0;
}
