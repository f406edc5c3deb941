/* libcurl sessions: one easy handle driven by one multi handle, both kept
 * alive across requests, so the connection (and TLS session) is reused and
 * the read timeout can be an exact idle timeout. Plain C, no Lua. */
#ifndef CLOUDAPI_HTTP_H
#define CLOUDAPI_HTTP_H

#include <stddef.h>
#include "buf.h"

typedef enum {
    CA_HTTP_OK = 0,
    CA_HTTP_TIMEOUT,   /* connect or read timeout */
    CA_HTTP_NETWORK,   /* refused, reset, DNS, TLS, truncated ... */
    CA_HTTP_CONFIG,    /* bad URL, bad header, unsupported option */
    CA_HTTP_BUSY       /* session already in a request (re-entrancy) */
} ca_http_status;

typedef struct {
    void *easy;                 /* CURL *, NULL once closed */
    void *multi;                /* CURLM *, owns the connection cache */
    ca_buf hdr, body;           /* the last response, reused */
    size_t max_body;
    int busy;
    /* read timeout bookkeeping for the request in flight */
    double last_activity;       /* 0: not connected yet */
    long long last_up;
    char errbuf[256];
} ca_http;

typedef struct {
    const char *cainfo, *capath; /* NULL: libcurl's defaults */
    int verify;                  /* TLS peer + host verification */
    size_t max_body;             /* 0: default (64 MiB) */
} ca_http_opts;

typedef struct {
    const char *method, *url;
    const char *const *headers; size_t nheaders; /* "Name: value" lines */
    const char *body; size_t body_len;           /* body NULL: none */
    long connect_ms;  /* to establish the connection (0: libcurl's default) */
    long read_ms;     /* longest wait for the next bytes once connected (0: none) */
    long total_ms;    /* bound on the whole exchange (0: none) */
    int fresh;        /* use a new connection: libcurl silently resends a
                         request once on a reused connection found dead, which
                         a non-idempotent request must not risk */
} ca_http_req;

typedef struct {
    ca_http_status status;
    long code;        /* HTTP status */
    int maybe_sent;   /* 0: the request certainly never reached the server */
    char message[320];
} ca_http_result;

/* One-time, thread-safe process init (curl_global_init). */
const char *ca_http_global_init(void);

/* h is zeroed by the caller's box first; returns 0 or -1 with msg set. */
int ca_http_open(ca_http *h, const ca_http_opts *o, char *msg, size_t msglen);
void ca_http_close(ca_http *h); /* tolerates a never-opened or closed h */

/* Performs one request; the response is in h->hdr (raw header block of the
 * final response) and h->body until the next call. */
void ca_http_perform(ca_http *h, const ca_http_req *r, ca_http_result *res);

#endif
