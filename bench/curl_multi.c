/* The concurrent-call floor: libcurl multi with CONC transfers in flight;
 * each finished handle is re-added at once until N requests are done. Each
 * handle keeps its keep-alive connection in the multi's cache. No Lua.
 *
 *   curl_multi URL N CONC    warm up, then time N requests; one JSON line out.
 *
 * Every response must be a 200 with a body, or the program fails. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define MAXCONC 256

typedef struct {
    CURL *e;
    char *p;
    size_t len, cap;
} xfer;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    xfer *x = (xfer *)ud;
    size_t len = size * n;
    if (x->len + len > x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 4096;
        char *q;
        while (cap < x->len + len) cap *= 2;
        q = (char *)realloc(x->p, cap);
        if (q == NULL) return 0;
        x->p = q;
        x->cap = cap;
    }
    memcpy(x->p + x->len, p, len);
    x->len += len;
    return len;
}

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs n requests with conc in flight; returns 0 or -1. */
static int run(CURLM *m, xfer *xs, int conc, long n) {
    long started = 0, done = 0;
    int i, running = 0, left;
    CURLMsg *msg;
    for (i = 0; i < conc && started < n; i++, started++) {
        xs[i].len = 0;
        if (curl_multi_add_handle(m, xs[i].e) != CURLM_OK) return -1;
    }
    while (done < n) {
        if (curl_multi_perform(m, &running) != CURLM_OK) return -1;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            xfer *x = NULL;
            long code = 0;
            if (msg->msg != CURLMSG_DONE) continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            if (msg->data.result != CURLE_OK) {
                fprintf(stderr, "curl_multi: %s\n", curl_easy_strerror(msg->data.result));
                return -1;
            }
            curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &code);
            if (code != 200 || x->len == 0) {
                fprintf(stderr, "curl_multi: HTTP %ld, %zu body bytes\n", code, x->len);
                return -1;
            }
            done++;
            curl_multi_remove_handle(m, x->e);
            if (started < n) {
                x->len = 0;
                if (curl_multi_add_handle(m, x->e) != CURLM_OK) return -1;
                started++;
            }
        }
        if (done < n && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    CURLM *m;
    xfer xs[MAXCONC];
    long n;
    int conc, i;
    double t0, el;
    if (argc != 4 || (n = atol(argv[2])) <= 0 || (conc = atoi(argv[3])) <= 0 || conc > MAXCONC) {
        fprintf(stderr, "usage: curl_multi URL N CONC (CONC <= %d)\n", MAXCONC);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    m = curl_multi_init();
    if (m == NULL) return 1;
    memset(xs, 0, sizeof xs);
    for (i = 0; i < conc; i++) {
        CURL *e = curl_easy_init();
        if (e == NULL) return 1;
        xs[i].e = e;
        curl_easy_setopt(e, CURLOPT_URL, argv[1]);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &xs[i]);
        curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)&xs[i]);
    }
    if (run(m, xs, conc, (long)conc * 20) != 0) return 1; /* opens the connections */
    t0 = mono();
    if (run(m, xs, conc, n) != 0) return 1;
    el = mono() - t0;
    printf("{\"req_per_s\":%.0f,\"us_per_req\":%.2f,\"n\":%ld,\"concurrency\":%d}\n",
           (double)n / el, el / (double)n * 1e6, n, conc);
    for (i = 0; i < conc; i++) {
        curl_easy_cleanup(xs[i].e);
        free(xs[i].p);
    }
    curl_multi_cleanup(m);
    curl_global_cleanup();
    return 0;
}
