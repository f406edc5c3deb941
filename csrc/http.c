/* libcurl sessions: open, one request (its lines, its options; its
 * outcome is http_result.c's), close. Callbacks only copy bytes
 * into C buffers: no Lua runs while libcurl is on the stack, so no Lua
 * error can unwind through it. */
#include "http_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

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
    s->max_fd = -1;
    return s;
}

void ca_share_unref(ca_share *s) {
    if (s == NULL || --s->refs > 0) return;
    curl_share_cleanup((CURLSH *)s->sh);
    free(s);
}

double ca_mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    ca_http *h = (ca_http *)ud;
    size_t len = size * n;
    if (len > h->max_body - h->body.len) { h->stop = CA_STOP_BODY; return 0; } /* CURLE_WRITE_ERROR */
    ca_buf_add(&h->body, p, len);
    if (h->last_activity != 0) h->last_activity = ca_mono_now();
    if (h->body.failed) { h->stop = CA_STOP_MEMORY; return 0; }
    return len;
}

/* "HTTP/1.1 100 Continue" -> 1: an informational answer, another follows. */
static int informational(const char *p, size_t len) {
    const char *sp = memchr(p, ' ', len);
    return sp != NULL && (size_t)(sp - p) + 1 < len && sp[1] == '1';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    ca_http *h = (ca_http *)ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        /* A new status line (after a 1xx answer) starts over: we keep only
         * the final answer's headers. A server may not send 1xx forever. */
        ca_buf_reset(&h->hdr);
        h->headers_ended = 0;
        h->block_1xx = informational(p, len);
        if (h->block_1xx && ++h->informational > CA_HTTP_MAX_INFORMATIONAL) {
            h->stop = CA_STOP_INFORMATIONAL;
            return 0;
        }
    } else if ((len == 2 && p[0] == '\r') || len == 1) {
        if (!h->block_1xx) h->headers_ended = 1;
    }
    if (len > (size_t)CA_HTTP_MAX_HEADER_BYTES - h->hdr.len) { h->stop = CA_STOP_HEADERS; return 0; }
    ca_buf_add(&h->hdr, p, len);
    if (h->last_activity != 0) h->last_activity = ca_mono_now();
    if (h->hdr.failed) { h->stop = CA_STOP_MEMORY; return 0; }
    return len;
}

/* Upload progress counts as activity for the read (idle) timeout. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    ca_http *h = (ca_http *)ud;
    (void)dltotal; (void)dlnow; (void)ultotal;
    if ((long long)ulnow != h->last_up) {
        h->last_up = (long long)ulnow;
        if (h->last_activity != 0) h->last_activity = ca_mono_now();
    }
    return 0;
}

int ca_http_open(ca_http *h, const ca_http_opts *o, char *msg, size_t msglen) {
    CURL *e;
    const char *ie = ca_http_global_init();
    if (ie) { snprintf(msg, msglen, "%s", ie); return -1; }
    e = curl_easy_init();
    if (e == NULL) { snprintf(msg, msglen, "curl_easy_init failed"); return -1; }
    h->easy = e;
    h->max_body = o->max_body ? o->max_body : CA_HTTP_MAX_BODY;
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
    /* The path goes out as given: "/a/../b" must not become "/b", a path
     * other than the one the caller built (and signed). */
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    /* A Content-Length over the cap fails before the body is read. */
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_body);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->verify ? 2L : 0L);
    if (o->share) {
        curl_easy_setopt(e, CURLOPT_SHARE, (CURLSH *)o->share->sh);
        o->share->refs++;
        h->share = o->share;
    }
    ca_http_watch_sockets(e, h);
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

void ca_http_end(ca_http *h) {
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
    if (h->attached) ca_multi_detach(h->attached, h);
    if (h->easy && h->busy) ca_http_end(h);
    if (h->own) curl_multi_cleanup((CURLM *)h->own); /* its connections, before the share goes */
    h->own = NULL;
    if (h->easy) curl_easy_cleanup((CURL *)h->easy);
    h->easy = NULL;
    drop_slist(h);
    ca_buf_free(&h->lines);
    ca_share_unref(h->share); /* after the easy handle: it used the share */
    h->share = NULL;
    ca_buf_free(&h->hdr);
    ca_buf_free(&h->body);
}

void ca_http_fail(ca_http_result *res, ca_http_status st, const char *msg) {
    res->status = st;
    snprintf(res->message, sizeof res->message, "%s", msg);
}

/* The line libcurl sends for a header: "Name: value", or "Name;" for an
 * empty or blank value, which libcurl would otherwise drop (a header
 * signed empty must go out empty). */
static void add_line(ca_buf *b, const ca_pair *p) {
    size_t i = 0;
    while (i < p->vl && (p->v[i] == ' ' || p->v[i] == '\t')) i++;
    ca_buf_add(b, p->k, p->kl);
    if (i == p->vl) {
        ca_buf_addc(b, ';');
    } else {
        ca_buf_add(b, ": ", 2);
        ca_buf_add(b, p->v, p->vl);
    }
    ca_buf_addc(b, '\0');
}

/* The request's header lines as a curl_slist. Most requests of a session
 * repeat the previous one's lines: the list is kept while they do, compared
 * by content (never by the identity of the caller's table). */
static int set_headers(ca_http *h, const ca_http_req *r, ca_http_result *res) {
    struct curl_slist *list = NULL, *tmp;
    size_t i;
    ca_buf_reset(&h->lines);
    for (i = 0; i < r->nheaders; i++) add_line(&h->lines, &r->headers[i]);
    if (h->lines.failed) { ca_http_fail(res, CA_HTTP_CONFIG, "out of memory"); return -1; }
    if (h->slist && h->lines.len == h->slist_key.len &&
        (h->lines.len == 0 || memcmp(h->lines.p, h->slist_key.p, h->lines.len) == 0))
        return 0;
    drop_slist(h);
    for (i = 0; i < h->lines.len; i += strlen(h->lines.p + i) + 1) {
        tmp = curl_slist_append(list, h->lines.p + i);
        if (tmp == NULL) { curl_slist_free_all(list); ca_http_fail(res, CA_HTTP_CONFIG, "out of memory"); return -1; }
        list = tmp;
    }
    /* We always know the body up front; 100-continue only adds a round trip. */
    tmp = curl_slist_append(list, "Expect:");
    if (tmp == NULL) { curl_slist_free_all(list); ca_http_fail(res, CA_HTTP_CONFIG, "out of memory"); return -1; }
    h->slist = tmp;
    { ca_buf t = h->slist_key; h->slist_key = h->lines; h->lines = t; } /* the lines are the key now */
    return 0;
}

int ca_http_start(ca_http *h, const ca_http_req *r, ca_http_result *res) {
    CURL *e = (CURL *)h->easy;
    res->status = CA_HTTP_OK;
    res->code = 0;
    res->maybe_sent = 0;
    res->message[0] = '\0';
    if (e == NULL) { ca_http_fail(res, CA_HTTP_CONFIG, "the HTTP session is closed"); return -1; }
    if (h->busy) { ca_http_fail(res, CA_HTTP_BUSY, "the HTTP session is already in a request"); return -1; }
    if (ca_http_check(r->method, r->method_len, r->url, r->url_len, r->headers, r->nheaders,
                      res->message, sizeof res->message)) {
        res->status = CA_HTTP_CONFIG;
        return -1;
    }
    if (set_headers(h, r, res) != 0) return -1;

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
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)h->slist);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->connect_ms > 0 ? r->connect_ms : 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->total_ms > 0 ? r->total_ms : 0L);
    h->read_ms = r->read_ms;
    h->last_activity = 0;
    h->last_up = 0;
    h->read_timed_out = 0;
    h->rc = CURLE_OK;
    h->stop = CA_STOP_NONE;
    h->informational = h->block_1xx = h->headers_ended = 0;
    h->socket_errno = 0;
    h->busy = 1;
    return 0;
}

void ca_http_perform(ca_http *h, const ca_http_req *r, ca_http_result *res) {
    CURLM *m;
    CURL *e = (CURL *)h->easy;
    CURLMsg *msg;
    int running = 1, left;
    if (ca_http_start(h, r, res) != 0) return;
    if (h->own == NULL) {
        h->own = curl_multi_init(); /* 2 file descriptors: only for sessions that make plain calls */
        if (h->own == NULL) {
            char why[200];
            ca_http_end(h);
            if (!ca_http_fd_error(why, sizeof why, errno)) snprintf(why, sizeof why, "curl_multi_init failed");
            ca_http_fail(res, CA_HTTP_NETWORK, why);
            return;
        }
    }
    m = (CURLM *)h->own;
    if (curl_multi_add_handle(m, e) != CURLM_OK) {
        ca_http_end(h);
        ca_http_fail(res, CA_HTTP_CONFIG, "curl_multi_add_handle failed");
        return;
    }
    h->rc = CURLE_FAILED_INIT;
    for (;;) {
        int wait_ms;
        if (curl_multi_perform(m, &running) != CURLM_OK || !running) break;
        wait_ms = ca_http_idle_left(h, ca_mono_now());
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
