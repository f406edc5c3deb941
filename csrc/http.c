/* libcurl sessions. Callbacks only copy bytes into C buffers: no Lua runs
 * while libcurl is on the stack, so no Lua error can unwind through it. */
#include "http.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define DEFAULT_MAX_BODY ((size_t)64 << 20)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static const char *init_error = NULL;

static void http_init(void) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) init_error = "curl_global_init failed";
}

const char *ca_http_global_init(void) {
    pthread_once(&init_once, http_init);
    return init_error;
}

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    ca_http *h = (ca_http *)ud;
    size_t len = size * n;
    if (h->body.len + len > h->max_body) return 0; /* aborts: CURLE_WRITE_ERROR */
    ca_buf_add(&h->body, p, len);
    if (h->last_activity != 0) h->last_activity = mono_now();
    return h->body.failed ? 0 : len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    ca_http *h = (ca_http *)ud;
    size_t len = size * n;
    /* A new status line (after 100-continue or a redirect) starts over:
     * we keep only the final response's headers. */
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) ca_buf_reset(&h->hdr);
    if (h->hdr.len + len > 1 << 20) return 0;
    ca_buf_add(&h->hdr, p, len);
    if (h->last_activity != 0) h->last_activity = mono_now();
    return h->hdr.failed ? 0 : len;
}

/* Upload progress counts as activity for the read (idle) timeout; bytes
 * received are noted by the write and header callbacks. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    ca_http *h = (ca_http *)ud;
    (void)dltotal; (void)dlnow; (void)ultotal;
    if ((long long)ulnow != h->last_up) {
        h->last_up = (long long)ulnow;
        if (h->last_activity != 0) h->last_activity = mono_now();
    }
    return 0;
}

int ca_http_open(ca_http *h, const ca_http_opts *o, char *msg, size_t msglen) {
    CURL *e;
    const char *ie = ca_http_global_init();
    if (ie) { snprintf(msg, msglen, "%s", ie); return -1; }
    h->multi = curl_multi_init();
    if (h->multi == NULL) { snprintf(msg, msglen, "curl_multi_init failed"); return -1; }
    e = curl_easy_init();
    if (e == NULL) { snprintf(msg, msglen, "curl_easy_init failed"); return -1; }
    h->easy = e;
    h->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  /* timeouts must not use SIGALRM */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, h);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->verify ? 2L : 0L);
    if (o->cainfo && curl_easy_setopt(e, CURLOPT_CAINFO, o->cainfo) != CURLE_OK) {
        snprintf(msg, msglen, "cannot set the CA file");
        return -1;
    }
    if (o->capath && curl_easy_setopt(e, CURLOPT_CAPATH, o->capath) != CURLE_OK) {
        snprintf(msg, msglen, "cannot set the CA path");
        return -1;
    }
    return 0;
}

void ca_http_close(ca_http *h) {
    if (h->easy) curl_easy_cleanup((CURL *)h->easy);
    h->easy = NULL;
    if (h->multi) curl_multi_cleanup((CURLM *)h->multi);
    h->multi = NULL;
    ca_buf_free(&h->hdr);
    ca_buf_free(&h->body);
}

/* Run the easy handle to completion on the session's multi handle. The
 * read timer starts once the request may be sent (pretransfer) and restarts
 * on every byte moved; read_ms of silence aborts the transfer. */
static CURLcode drive(ca_http *h, long read_ms, int *read_timed_out) {
    CURLM *m = (CURLM *)h->multi;
    CURL *e = (CURL *)h->easy;
    CURLcode rc = CURLE_OK;
    CURLMsg *msg;
    int running = 1, left;
    if (curl_multi_add_handle(m, e) != CURLM_OK) return CURLE_FAILED_INIT;
    for (;;) {
        double now;
        int wait_ms = 1000;
        if (curl_multi_perform(m, &running) != CURLM_OK) { rc = CURLE_FAILED_INIT; break; }
        if (!running) break;
        now = mono_now();
        if (read_ms > 0) {
            if (h->last_activity == 0) {
                curl_off_t pre = 0;
                if (curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pre) == CURLE_OK && pre > 0)
                    h->last_activity = now;
                wait_ms = 20; /* connecting: look again soon */
            }
            if (h->last_activity != 0) {
                double idle_ms = (now - h->last_activity) * 1000.0;
                if (idle_ms >= (double)read_ms) {
                    *read_timed_out = 1;
                    rc = CURLE_ABORTED_BY_CALLBACK;
                    break;
                }
                wait_ms = (int)((double)read_ms - idle_ms) + 1;
                if (wait_ms > 1000) wait_ms = 1000;
            }
        }
        if (curl_multi_poll(m, NULL, 0, wait_ms, NULL) != CURLM_OK) { rc = CURLE_FAILED_INIT; break; }
    }
    if (!running) {
        rc = CURLE_FAILED_INIT;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) rc = msg->data.result;
        }
    }
    curl_multi_remove_handle(m, e); /* an aborted transfer's connection is closed */
    return rc;
}

static void fail(ca_http_result *res, ca_http_status st, const char *fmt, const char *a) {
    res->status = st;
    snprintf(res->message, sizeof res->message, fmt, a);
}

void ca_http_perform(ca_http *h, const ca_http_req *r, ca_http_result *res) {
    CURL *e = (CURL *)h->easy;
    struct curl_slist *list = NULL, *tmp;
    CURLcode rc;
    size_t i;
    long req_size = 0;
    int read_timed_out = 0;

    res->status = CA_HTTP_OK;
    res->code = 0;
    res->maybe_sent = 0;
    res->message[0] = '\0';
    if (e == NULL) { fail(res, CA_HTTP_CONFIG, "%s", "the HTTP session is closed"); return; }
    if (h->busy) { fail(res, CA_HTTP_BUSY, "%s", "the HTTP session is already in a request"); return; }

    for (i = 0; i < r->nheaders; i++) {
        if (strpbrk(r->headers[i], "\r\n")) {
            curl_slist_free_all(list);
            fail(res, CA_HTTP_CONFIG, "%s", "a header contains CR or LF");
            return;
        }
        tmp = curl_slist_append(list, r->headers[i]);
        if (tmp == NULL) { curl_slist_free_all(list); fail(res, CA_HTTP_CONFIG, "%s", "out of memory"); return; }
        list = tmp;
    }
    /* We always know the body up front; 100-continue only adds a round trip. */
    tmp = curl_slist_append(list, "Expect:");
    if (tmp == NULL) { curl_slist_free_all(list); fail(res, CA_HTTP_CONFIG, "%s", "out of memory"); return; }
    list = tmp;

    ca_buf_reset(&h->hdr);
    ca_buf_reset(&h->body);
    h->errbuf[0] = '\0';

    /* Reset what the previous request on this handle may have set. */
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (r->body != NULL) {
        /* libcurl does not copy POSTFIELDS: the caller keeps body alive. */
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
        if (strcmp(r->method, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
    }
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, r->fresh ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->connect_ms > 0 ? r->connect_ms : 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->total_ms > 0 ? r->total_ms : 0L);
    h->last_activity = 0;
    h->last_up = 0;

    h->busy = 1;
    rc = drive(h, r->read_ms, &read_timed_out);
    h->busy = 0;

    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL); /* list is freed below */
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(list);

    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &req_size);
    res->maybe_sent = req_size > 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &res->code);
        return;
    }
    {
        const char *detail = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
        char idle[96];
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
            fail(res, CA_HTTP_TIMEOUT, "%s", detail);
            break;
        case CURLE_ABORTED_BY_CALLBACK:
            if (read_timed_out) {
                snprintf(idle, sizeof idle, "read timeout: no data for %ld ms", r->read_ms);
                fail(res, CA_HTTP_TIMEOUT, "%s", idle);
            } else {
                fail(res, CA_HTTP_NETWORK, "%s", detail);
            }
            break;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
            fail(res, CA_HTTP_CONFIG, "%s", detail);
            break;
        case CURLE_WRITE_ERROR:
            fail(res, CA_HTTP_NETWORK, "%s", h->body.failed || h->hdr.failed
                 ? "out of memory while reading the response" : "response too large");
            break;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
            res->maybe_sent = 0;
            fail(res, CA_HTTP_NETWORK, "%s", detail);
            break;
        default:
            fail(res, CA_HTTP_NETWORK, "%s", detail);
        }
    }
}
