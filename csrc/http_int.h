/* What the libcurl files (http.c, http_multi.c, http_idle.c) share and
 * nothing else sees. Plain C, no Lua. */
#ifndef CLOUDAPI_HTTP_INT_H
#define CLOUDAPI_HTTP_INT_H

#include "http.h"

#if defined(__GNUC__)
#define CA_HTTP_HIDDEN __attribute__((visibility("hidden")))
#else
#define CA_HTTP_HIDDEN
#endif

/* Set up r on h: checked, headers and options set, h busy. Returns 0, or
 * -1 with res filled. */
CA_HTTP_HIDDEN int ca_http_start(ca_http *h, const ca_http_req *r, ca_http_result *res);

/* The request is over: the caller's body is let go, h is free again. */
CA_HTTP_HIDDEN void ca_http_end(ca_http *h);

CA_HTTP_HIDDEN void ca_http_fail(ca_http_result *res, ca_http_status st, const char *msg);

/* Take h out of m (an unfinished transfer's connection is closed). */
CA_HTTP_HIDDEN void ca_multi_detach(ca_multi *m, ca_http *h);

CA_HTTP_HIDDEN double ca_mono_now(void);

/* http_idle.c: the ms left before the read (idle) timer of h's transfer
 * expires (capped at 1000), or 0 when it has. */
CA_HTTP_HIDDEN int ca_http_idle_left(ca_http *h, double now);

/* http_idle.c: libcurl opens h's sockets through us (easy is h's handle). */
CA_HTTP_HIDDEN void ca_http_watch_sockets(void *easy, ca_http *h);

/* http_idle.c: when err (an errno) says the process is out of file
 * descriptors, msg says so and 1 is returned; else 0. */
CA_HTTP_HIDDEN int ca_http_fd_error(char *msg, size_t msglen, int err);

#endif
