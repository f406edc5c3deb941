/* libcurl sessions. Callbacks only copy bytes into C buffers: no Lua runs
 * while libcurl is on the stack, so no Lua error can unwind through it. */
#include "http.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

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

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    ca_http *h = (ca_http *)ud;
    size_t len = size * n;
    if (h->body.len + len > h->max_body) return 0; /* aborts: CURLE_WRITE_ERROR */
    ca_buf_add(&h->body, p, len);
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
    return h->hdr.failed ? 0 : len;
}

int ca_http_open(ca_http *h, const ca_http_opts *o, char *msg, size_t msglen) {
    CURL *e;
    const char *ie = ca_http_global_init();
    if (ie) { snprintf(msg, msglen, "%s", ie); return -1; }
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
    ca_buf_free(&h->hdr);
    ca_buf_free(&h->body);
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
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->connect_ms > 0 ? r->connect_ms : 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : 0L);

    h->busy = 1;
    rc = curl_easy_perform(e);
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
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
            fail(res, CA_HTTP_TIMEOUT, "%s", detail);
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
