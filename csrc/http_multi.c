/* A libcurl multi handle running many sessions' requests at once
 * (cloudapi.all), with the read (idle) timeout of each enforced here. */
#include "http_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

void ca_multi_detach(ca_multi *m, ca_http *h) {
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

void ca_multi_open(ca_multi *m, char *msg, size_t msglen) {
    const char *ie = ca_http_global_init();
    m->active = NULL;
    m->nactive = m->cap = 0;
    m->multi = ie ? NULL : curl_multi_init();
    if (m->multi == NULL) {
        if (ie) snprintf(msg, msglen, "%s", ie);
        else if (!ca_http_fd_error(msg, msglen, errno)) snprintf(msg, msglen, "curl_multi_init failed");
    }
}

void ca_multi_close(ca_multi *m) {
    while (m->nactive > 0) {
        ca_http *h = m->active[m->nactive - 1];
        ca_multi_detach(m, h);
        ca_http_end(h);
    }
    free(m->active);
    m->active = NULL;
    m->cap = 0;
    if (m->multi) curl_multi_cleanup((CURLM *)m->multi);
    m->multi = NULL;
}

int ca_multi_add(ca_multi *m, ca_http *h, const ca_http_req *r, ca_http_result *res) {
    if (m->multi == NULL) { ca_http_fail(res, CA_HTTP_CONFIG, "the multi handle is closed"); return -1; }
    if (h->attached) { ca_http_fail(res, CA_HTTP_BUSY, "the HTTP session is already in a request"); return -1; }
    if (m->nactive == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        ca_http **a = cap > ((size_t)-1) / sizeof *a ? NULL : (ca_http **)realloc(m->active, cap * sizeof *a);
        if (a == NULL) { ca_http_fail(res, CA_HTTP_CONFIG, "out of memory"); return -1; }
        m->active = a;
        m->cap = cap;
    }
    if (ca_http_start(h, r, res) != 0) return -1;
    if (curl_multi_add_handle((CURLM *)m->multi, (CURL *)h->easy) != CURLM_OK) {
        ca_http_end(h);
        ca_http_fail(res, CA_HTTP_CONFIG, "curl_multi_add_handle failed");
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
        ca_multi_detach(m, h);
        done[ndone++] = h;
    }
    now = ca_mono_now();
    for (i = 0; i < m->nactive;) {
        ca_http *h = m->active[i];
        int ms = ca_http_idle_left(h, now);
        if (ms == 0) {
            h->read_timed_out = 1;
            h->rc = CURLE_ABORTED_BY_CALLBACK;
            ca_multi_detach(m, h); /* moves the last one into slot i */
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
