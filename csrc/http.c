/* libcurl sessions. Callbacks only copy bytes into C buffers: no Lua runs
 * while libcurl is on the stack, so no Lua error can unwind through it. */
#include "http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define SMALL_BUFFER 4096L

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static const char *init_error = NULL;

static void http_init(void) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) init_error = "curl_global_init failed";
}

const char *ca_http_global_init(void) {
    pthread_once(&init_once, http_init);
    return init_error;
}

ca_share *ca_share_new(void) {
    ca_share *s;
    if (ca_http_global_init()) return NULL;
    s = (ca_share *)malloc(sizeof *s);
    if (s == NULL) return NULL;
    s->sh = curl_share_init();
    if (s->sh == NULL) { free(s); return NULL; }
    /* One Lua state is one thread: no lock callbacks needed. */
    curl_share_setopt((CURLSH *)s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt((CURLSH *)s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    s->refs = 1;
    return s;
}

void ca_share_unref(ca_share *s) {
    if (s == NULL || --s->refs > 0) return;
    curl_share_cleanup((CURLSH *)s->sh);
    free(s);
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

/* Upload progress counts as activity for the read (idle) timeout. */
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
    h->own = curl_multi_init();
    if (h->own == NULL) { snprintf(msg, msglen, "curl_multi_init failed"); return -1; }
    e = curl_easy_init();
    if (e == NULL) { snprintf(msg, msglen, "curl_easy_init failed"); return -1; }
    h->easy = e;
    h->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
    curl_easy_setopt(e, CURLOPT_PRIVATE, h);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  /* timeouts must not use SIGALRM */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, h);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->verify ? 2L : 0L);
    if (o->share) {
        curl_easy_setopt(e, CURLOPT_SHARE, (CURLSH *)o->share->sh);
        o->share->refs++;
        h->share = o->share;
    }
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

static void detach(ca_multi *m, ca_http *h) {
    size_t i;
    curl_multi_remove_handle((CURLM *)m->multi, (CURL *)h->easy); /* an unfinished transfer's connection is closed */
    for (i = 0; i < m->nactive; i++) {
        if (m->active[i] == h) {
            m->active[i] = m->active[--m->nactive];
            break;
        }
    }
    h->attached = NULL;
}

static void end_request(ca_http *h) {
    CURL *e = (CURL *)h->easy;
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL); /* the caller's body goes away */
    h->busy = 0;
}

static void drop_slist(ca_http *h) {
    curl_slist_free_all((struct curl_slist *)h->slist);
    h->slist = NULL;
    ca_buf_free(&h->slist_key);
}

void ca_http_close(ca_http *h) {
    if (h->attached) detach(h->attached, h);
    if (h->easy && h->busy) end_request(h);
    if (h->easy) curl_easy_cleanup((CURL *)h->easy);
    h->easy = NULL;
    drop_slist(h);
    ca_share_unref(h->share); /* after the easy handle: it used the share */
    h->share = NULL;
    if (h->own) curl_multi_cleanup((CURLM *)h->own);
    h->own = NULL;
    ca_buf_free(&h->hdr);
    ca_buf_free(&h->body);
}

static void fail(ca_http_result *res, ca_http_status st, const char *msg) {
    res->status = st;
    snprintf(res->message, sizeof res->message, "%s", msg);
}

/* Set up r on h. Returns 0, or -1 with res filled. */
static int start(ca_http *h, const ca_http_req *r, ca_http_result *res) {
    CURL *e = (CURL *)h->easy;
    struct curl_slist *list = NULL, *tmp;
    size_t i;

    res->status = CA_HTTP_OK;
    res->code = 0;
    res->maybe_sent = 0;
    res->message[0] = '\0';
    if (e == NULL) { fail(res, CA_HTTP_CONFIG, "the HTTP session is closed"); return -1; }
    if (h->busy) { fail(res, CA_HTTP_BUSY, "the HTTP session is already in a request"); return -1; }

    for (i = 0; i < r->nheaders; i++) {
        if (strpbrk(r->headers[i], "\r\n")) {
            fail(res, CA_HTTP_CONFIG, "a header contains CR or LF");
            return -1;
        }
    }
    /* Most requests of a session repeat the previous one's header lines:
     * keep the curl_slist while they do. */
    {
        size_t pos = 0;
        int same = h->slist != NULL;
        for (i = 0; same && i < r->nheaders; i++) {
            size_t len = strlen(r->headers[i]) + 1;
            if (pos + len > h->slist_key.len || memcmp(h->slist_key.p + pos, r->headers[i], len) != 0) same = 0;
            pos += len;
        }
        if (!same || pos != h->slist_key.len) {
            drop_slist(h);
            for (i = 0; i < r->nheaders; i++) {
                tmp = curl_slist_append(list, r->headers[i]);
                if (tmp == NULL) { curl_slist_free_all(list); fail(res, CA_HTTP_CONFIG, "out of memory"); return -1; }
                list = tmp;
                ca_buf_add(&h->slist_key, r->headers[i], strlen(r->headers[i]) + 1);
            }
            /* We always know the body up front; 100-continue only adds a round trip. */
            tmp = curl_slist_append(list, "Expect:");
            if (tmp == NULL || h->slist_key.failed) {
                curl_slist_free_all(tmp ? tmp : list);
                ca_buf_free(&h->slist_key);
                fail(res, CA_HTTP_CONFIG, "out of memory");
                return -1;
            }
            h->slist = tmp;
        }
        list = (struct curl_slist *)h->slist;
    }

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
    /* The progress callback only tracks upload activity: requests without
     * a body skip its per-iteration calls. */
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, r->body != NULL ? 0L : 1L);
    /* libcurl allocates its receive buffer anew for every transfer. At the
     * default 16 KB that malloc mostly lands beyond the holes a busy Lua
     * heap leaves (fresh pages, fastbin consolidation: 3-4 us a request
     * under cloudapi.all); 4 KB fits them. Most API answers are a few KB;
     * after a large one this session reads in 16 KB pieces again (4 KB
     * pieces double the cost of receiving 130 KB). */
    {
        long want = h->last_body > (size_t)SMALL_BUFFER ? 16384L : SMALL_BUFFER;
        if (want != h->bufsize && curl_easy_setopt(e, CURLOPT_BUFFERSIZE, want) == CURLE_OK) h->bufsize = want;
    }
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, r->fresh ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->connect_ms > 0 ? r->connect_ms : 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->total_ms > 0 ? r->total_ms : 0L);
    h->read_ms = r->read_ms;
    h->last_activity = 0;
    h->last_up = 0;
    h->read_timed_out = 0;
    h->rc = CURLE_OK;
    h->busy = 1;
    return 0;
}

/* The read (idle) timer of a transfer in flight: starts once the request
 * may be sent (pretransfer), restarts on every byte moved. Returns the ms
 * left before it expires (capped), or 0 when it has expired. */
static int idle_left(ca_http *h, double now) {
    double idle_ms;
    if (h->read_ms <= 0) return 1000;
    if (h->last_activity == 0) {
        curl_off_t pre = 0;
        if (curl_easy_getinfo((CURL *)h->easy, CURLINFO_PRETRANSFER_TIME_T, &pre) != CURLE_OK || pre == 0)
            return 20; /* connecting: the connect timeout governs; look again soon */
        h->last_activity = now;
    }
    idle_ms = (now - h->last_activity) * 1000.0;
    if (idle_ms >= (double)h->read_ms) return 0;
    idle_ms = (double)h->read_ms - idle_ms + 1;
    return idle_ms > 1000 ? 1000 : (int)idle_ms;
}

void ca_http_result_of(ca_http *h, ca_http_result *res) {
    CURL *e = (CURL *)h->easy;
    CURLcode rc = (CURLcode)h->rc;
    long req_size = 0;
    const char *detail;
    char idle[96];

    end_request(h);
    h->last_body = h->body.len;
    res->status = CA_HTTP_OK;
    res->code = 0;
    res->message[0] = '\0';
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &req_size);
    res->maybe_sent = req_size > 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &res->code);
        return;
    }
    detail = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        fail(res, CA_HTTP_TIMEOUT, detail);
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        if (h->read_timed_out) {
            snprintf(idle, sizeof idle, "read timeout: no data for %ld ms", h->read_ms);
            fail(res, CA_HTTP_TIMEOUT, idle);
        } else {
            fail(res, CA_HTTP_NETWORK, detail);
        }
        break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        fail(res, CA_HTTP_CONFIG, detail);
        break;
    case CURLE_WRITE_ERROR:
        fail(res, CA_HTTP_NETWORK, h->body.failed || h->hdr.failed
             ? "out of memory while reading the response" : "response too large");
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        res->maybe_sent = 0;
        fail(res, CA_HTTP_NETWORK, detail);
        break;
    default:
        fail(res, CA_HTTP_NETWORK, detail);
    }
}

void ca_http_perform(ca_http *h, const ca_http_req *r, ca_http_result *res) {
    CURLM *m = (CURLM *)h->own;
    CURL *e = (CURL *)h->easy;
    CURLMsg *msg;
    int running = 1, left;
    if (start(h, r, res) != 0) return;
    if (curl_multi_add_handle(m, e) != CURLM_OK) {
        end_request(h);
        fail(res, CA_HTTP_CONFIG, "curl_multi_add_handle failed");
        return;
    }
    h->rc = CURLE_FAILED_INIT;
    for (;;) {
        int wait_ms;
        if (curl_multi_perform(m, &running) != CURLM_OK || !running) break;
        wait_ms = idle_left(h, mono_now());
        if (wait_ms == 0) {
            h->read_timed_out = 1;
            h->rc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        if (curl_multi_poll(m, NULL, 0, wait_ms, NULL) != CURLM_OK) break;
    }
    if (!running) {
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) h->rc = msg->data.result;
        }
    }
    curl_multi_remove_handle(m, e); /* an aborted transfer's connection is closed */
    ca_http_result_of(h, res);
}

void ca_multi_open(ca_multi *m, char *msg, size_t msglen) {
    const char *ie = ca_http_global_init();
    m->active = NULL;
    m->nactive = m->cap = 0;
    m->multi = ie ? NULL : curl_multi_init();
    if (m->multi == NULL) snprintf(msg, msglen, "%s", ie ? ie : "curl_multi_init failed");
}

void ca_multi_close(ca_multi *m) {
    while (m->nactive > 0) {
        ca_http *h = m->active[m->nactive - 1];
        detach(m, h);
        end_request(h);
    }
    free(m->active);
    m->active = NULL;
    m->cap = 0;
    if (m->multi) curl_multi_cleanup((CURLM *)m->multi);
    m->multi = NULL;
}

int ca_multi_add(ca_multi *m, ca_http *h, const ca_http_req *r, ca_http_result *res) {
    if (m->multi == NULL) { fail(res, CA_HTTP_CONFIG, "the multi handle is closed"); return -1; }
    if (h->attached) { fail(res, CA_HTTP_BUSY, "the HTTP session is already in a request"); return -1; }
    if (m->nactive == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        ca_http **a = (ca_http **)realloc(m->active, cap * sizeof *a);
        if (a == NULL) { fail(res, CA_HTTP_CONFIG, "out of memory"); return -1; }
        m->active = a;
        m->cap = cap;
    }
    if (start(h, r, res) != 0) return -1;
    if (curl_multi_add_handle((CURLM *)m->multi, (CURL *)h->easy) != CURLM_OK) {
        end_request(h);
        fail(res, CA_HTTP_CONFIG, "curl_multi_add_handle failed");
        return -1;
    }
    h->rc = CURLE_FAILED_INIT;
    h->attached = m;
    m->active[m->nactive++] = h;
    return 0;
}

int ca_multi_step(ca_multi *m, int wait_ms, ca_http **done) {
    CURLM *cm = (CURLM *)m->multi;
    CURLMsg *msg;
    int running = 0, left, ndone = 0;
    size_t i;
    double now;
    if (cm == NULL) return -1;
    if (curl_multi_perform(cm, &running) != CURLM_OK) return -1;
    /* Collect what finished, then enforce read timeouts on the rest. */
    while ((msg = curl_multi_info_read(cm, &left)) != NULL) {
        ca_http *h = NULL;
        if (msg->msg != CURLMSG_DONE) continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&h);
        if (h == NULL || h->attached != m) continue;
        h->rc = msg->data.result;
        detach(m, h);
        done[ndone++] = h;
    }
    now = mono_now();
    for (i = 0; i < m->nactive;) {
        ca_http *h = m->active[i];
        int ms = idle_left(h, now);
        if (ms == 0) {
            h->read_timed_out = 1;
            h->rc = CURLE_ABORTED_BY_CALLBACK;
            detach(m, h); /* moves the last one into slot i */
            done[ndone++] = h;
            continue;
        }
        if (ms < wait_ms) wait_ms = ms;
        i++;
    }
    if (ndone == 0 && m->nactive > 0 && wait_ms > 0) {
        if (curl_multi_poll(cm, NULL, 0, wait_ms, NULL) != CURLM_OK) return -1;
    }
    return ndone;
}
