/* libcurl sessions. A session is one easy handle, kept alive across
 * requests so its connection and TLS session are reused. A request runs
 * either on the session's own multi handle (one at a time, the plain call)
 * or on a shared ca_multi (many in flight, cloudapi.all). Driving transfers
 * through multi handles lets the read timeout be an exact idle timeout.
 * Plain C, no Lua. */
#ifndef CLOUDAPI_HTTP_H
#define CLOUDAPI_HTTP_H

#include <stddef.h>
#include "buf.h"

typedef enum {
    CA_HTTP_OK = 0,
    CA_HTTP_TIMEOUT,   /* connect or read timeout, or the total bound */
    CA_HTTP_NETWORK,   /* refused, reset, DNS, TLS, truncated ... */
    CA_HTTP_CONFIG,    /* bad URL, bad header, unsupported option */
    CA_HTTP_BUSY       /* session already in a request */
} ca_http_status;

struct ca_multi;

/* DNS and TLS-session caches shared by the sessions of one Lua state.
 * Reference counted: the state and every session using it hold one. */
typedef struct {
    void *sh;   /* CURLSH * */
    int refs;
} ca_share;

typedef struct {
    void *easy;                 /* CURL *, NULL once closed */
    void *own;                  /* CURLM * for plain calls */
    struct ca_multi *attached;  /* the ca_multi it is running on, if any */
    ca_buf hdr, body;           /* the last response, reused */
    size_t max_body;
    int busy;
    ca_share *share;            /* referenced while open */
    void *slist;                /* request headers, kept while the next request repeats them */
    ca_buf slist_key;           /* the lines slist was built from, NUL-separated */
    long read_ms;               /* idle timeout of the transfer in flight */
    double last_activity;       /* 0: not connected yet */
    long long last_up;
    int read_timed_out;
    long bufsize;               /* libcurl's receive buffer, as last set */
    size_t last_body;           /* body bytes of the previous response */
    int raw_headers;            /* hand the header block over unparsed */
    int rc;                     /* CURLcode of a finished transfer */
    char errbuf[256];
} ca_http;

typedef struct ca_multi {
    void *multi;                /* CURLM *, owns the shared connection cache */
    ca_http **active;
    size_t nactive, cap;
} ca_multi;

typedef struct {
    const char *cainfo, *capath; /* NULL: libcurl's defaults */
    int verify;                  /* TLS peer + host verification */
    size_t max_body;             /* 0: default (64 MiB) */
    ca_share *share;             /* or NULL */
} ca_http_opts;

typedef struct {
    const char *method, *url;
    const char *const *headers; size_t nheaders; /* "Name: value" lines */
    const char *body; size_t body_len;           /* body NULL: none; not copied */
    long connect_ms;  /* to establish the connection (0: libcurl's default) */
    long read_ms;     /* longest wait for the next bytes once connected (0: none) */
    long total_ms;    /* bound on the whole exchange (0: none) */
    int raw_headers;  /* the Lua layer's choice: headers as one string */
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

/* A share with one reference, or NULL; unref frees it at zero. */
ca_share *ca_share_new(void);
void ca_share_unref(ca_share *s);

/* h is zeroed by the caller's box first; returns 0 or -1 with msg set. */
int ca_http_open(ca_http *h, const ca_http_opts *o, char *msg, size_t msglen);
void ca_http_close(ca_http *h); /* tolerates a never-opened or closed h */

/* One request on the session's own multi handle, to completion. The
 * response is in h->hdr (raw header block of the final response) and
 * h->body until the next request. */
void ca_http_perform(ca_http *h, const ca_http_req *r, ca_http_result *res);

void ca_multi_open(ca_multi *m, char *msg, size_t msglen); /* m->multi NULL on failure */
void ca_multi_close(ca_multi *m);  /* detaches what runs; tolerates a closed m */

/* Start r on h inside m. Returns 0, or -1 with res filled (nothing runs).
 * The caller keeps r->body alive until h completes. */
int ca_multi_add(ca_multi *m, ca_http *h, const ca_http_req *r, ca_http_result *res);

/* Let transfers progress for at most wait_ms; completed sessions are
 * written to done (room for m->nactive entries) and detached. Returns how
 * many completed, or -1 on a libcurl failure. */
int ca_multi_step(ca_multi *m, int wait_ms, ca_http **done);

/* The result of a session that completed in ca_multi_step. */
void ca_http_result_of(ca_http *h, ca_http_result *res);

#endif
