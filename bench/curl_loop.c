/* The sequential-call floor: libcurl GETs in a loop on one reused easy
 * handle (keep-alive), each response body collected into a buffer, no Lua.
 *
 *   curl_loop URL N      warm up, then time N requests; one JSON line out.
 *
 * Every response must be a 200 with a body, or the program fails. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

typedef struct {
    char *p;
    size_t len, cap;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    sink *s = (sink *)ud;
    size_t len = size * n;
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        char *q;
        while (cap < s->len + len) cap *= 2;
        q = (char *)realloc(s->p, cap);
        if (q == NULL) return 0;
        s->p = q;
        s->cap = cap;
    }
    memcpy(s->p + s->len, p, len);
    s->len += len;
    return len;
}

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int one(CURL *e, sink *s) {
    long code = 0;
    CURLcode rc;
    s->len = 0;
    rc = curl_easy_perform(e);
    if (rc != CURLE_OK) {
        fprintf(stderr, "curl_loop: %s\n", curl_easy_strerror(rc));
        return -1;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200 || s->len == 0) {
        fprintf(stderr, "curl_loop: HTTP %ld, %zu body bytes\n", code, s->len);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    CURL *e;
    sink s = {NULL, 0, 0};
    long n, i;
    double t0, el;
    long conns = 0;
    if (argc != 3 || (n = atol(argv[2])) <= 0) {
        fprintf(stderr, "usage: curl_loop URL N\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    e = curl_easy_init();
    if (e == NULL) return 1;
    curl_easy_setopt(e, CURLOPT_URL, argv[1]);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
    for (i = 0; i < 200; i++)
        if (one(e, &s) != 0) return 1;
    t0 = mono();
    for (i = 0; i < n; i++)
        if (one(e, &s) != 0) return 1;
    el = mono() - t0;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &conns);
    printf("{\"req_per_s\":%.0f,\"us_per_req\":%.2f,\"n\":%ld,\"body_bytes\":%zu,\"url_bytes\":%zu}\n",
           (double)n / el, el / (double)n * 1e6, n, s.len, strlen(argv[1]));
    curl_easy_cleanup(e);
    free(s.p);
    curl_global_cleanup();
    return 0;
}
