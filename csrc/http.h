/* libcurl sessions. A session is one easy handle, kept alive across
 * requests so its connection and TLS session are reused. A request runs
 * either on the session's own multi handle (one at a time, the plain call;
 * made on the first one, so a session used only by a shared multi holds no
 * file descriptor of its own) or on a shared ca_multi (many in flight,
 * cloudapi.all). Driving transfers through multi handles lets the read
 * timeout be an exact idle timeout. Plain C, no Lua. */
#ifndef CLOUDAPI_HTTP_H
#define CLOUDAPI_HTTP_H

#include <stddef.h>
#include "buf.h"
#include "canon.h"

/* What a server may make a request cost; the ngx transport applies the
 * same (core.http_limits). */
#define CA_HTTP_MAX_BODY ((size_t)64 << 20)   /* default body cap (max_body) */
#define CA_HTTP_MAX_HEADER_BYTES 307200      /* all header lines of an exchange, 1xx included:
                                                 libcurl's own bound (7.88, MAX_HTTP_RESP_HEADER_SIZE) */
#define CA_HTTP_MAX_HEADER_LINE 102400        /* one header line: libcurl's CURL_MAX_HTTP_HEADER */
#define CA_HTTP_MAX_INFORMATIONAL 16          /* 1xx answers before the final one */

typedef enum {
    CA_HTTP_OK = 0,
    CA_HTTP_TIMEOUT,   /* connect or read timeout, or the total bound */
    CA_HTTP_NETWORK,   /* refused, reset, DNS, TLS, truncated, a malformed answer ... */
    CA_HTTP_CONFIG,    /* bad URL, bad header, unsupported option */
    CA_HTTP_BUSY       /* session already in a request */
} ca_http_status;

struct ca_multi;

/* DNS and TLS-session caches shared by the sessions of one Lua state.
 * Reference counted: the state and every session using it hold one. */
typedef struct {
    void *sh;   /* CURLSH * */
    int refs;
    int max_fd; /* the highest socket its sessions opened (http_idle.c) */
} ca_share;

/* Why a callback stopped a transfer. */
typedef enum { CA_STOP_NONE = 0, CA_STOP_BODY, CA_STOP_HEADERS, CA_STOP_INFORMATIONAL, CA_STOP_MEMORY } ca_stop;

typedef struct {
    void *easy;                 /* CURL *, NULL once closed */
    void *own;                  /* CURLM * for plain calls, made on the first */
    struct ca_multi *attached;  /* the ca_multi it is running on, if any */
    ca_buf hdr, body;           /* the last response, reused */
    size_t max_body;
    int busy;
    ca_share *share;            /* referenced while open */
    void *slist;                /* request headers, kept while the next request repeats them */
    ca_buf slist_key;           /* the lines slist was built from, NUL-separated */
    ca_buf lines;               /* the request's lines, compared with slist_key */
    long read_ms;               /* idle timeout of the transfer in flight */
    double last_activity;       /* 0: not connected yet */
    long long last_up;
    int read_timed_out;
    long bufsize;               /* libcurl's receive buffer, as last set */
    size_t last_body;           /* body bytes of the previous response */
    int raw_headers;            /* hand the header block over unparsed */
    int rc;                     /* CURLcode of a finished transfer */
    ca_stop stop;               /* why a callback stopped the transfer */
    int informational;          /* 1xx answers of the transfer so far */
    int block_1xx;              /* the header block being read is a 1xx answer's */
    int headers_ended;          /* the final answer's header block ended */
    int socket_errno;           /* errno of the last socket() that failed */
    int last_fd;                /* the last socket it opened */
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
    size_t max_body;             /* 0: default (CA_HTTP_MAX_BODY) */
    ca_share *share;             /* or NULL */
} ca_http_opts;

typedef struct {
    const char *method; size_t method_len;
    const char *url; size_t url_len;
    const ca_pair *headers; size_t nheaders;     /* name, value; checked by ca_http_check */
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

/* http_check.c: whether a request may go on the wire as given: the method
 * an HTTP token, the URL without space or control bytes, each header name
 * a token (so no ':', CR, LF or NUL) and each value without CR, LF or NUL:
 * nothing a caller passes can split the request or smuggle a second one.
 * Returns NULL, or msg filled with what is wrong, naming the header (never
 * showing a value or the URL, which may carry a secret). */
const char *ca_http_check(const char *method, size_t ml, const char *url, size_t ul,
                          const ca_pair *h, size_t n, char *msg, size_t msglen);

/* http_headers.c: a raw response header block (status line first, as
 * libcurl hands it over) as fields: lowercase name, value without the
 * surrounding blanks, repeated names joined with ", " in the order they
 * came, in linear time. Lines that are not "token: value" are skipped. */
typedef struct {
    ca_pair *f;        /* name, value */
    size_t n, cap;
    ca_buf names, joined;
} ca_fields;

void ca_fields_free(ca_fields *hs); /* a zeroed ca_fields needs no init */
int ca_fields_parse(ca_fields *hs, const char *raw, size_t len); /* 0, or -1 out of memory */

#endif
