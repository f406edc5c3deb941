/* What the multi-handle bindings (l_multi.c) share with the session
 * bindings (l_http.c): a multi handle runs requests on sessions. */
#ifndef CLOUDAPI_L_HTTP_H
#define CLOUDAPI_L_HTTP_H

#include "l_state.h"

#define SESSION_MT "cloudapi.core.http_session"

/* Read a request table {method=, url=, headers={name = value}, body=,
 * connect_timeout=, read_timeout=, timeout=, fresh_connect=, raw_headers=}
 * at idx. The strings stay referenced by the table, which the caller keeps
 * alive. Returns NULL, or (in msg) why the headers cannot be sent; raises
 * on a malformed table (core misuse). */
CA_HIDDEN const char *read_request(lua_State *L, int idx, ca_state *s, ca_http_req *r, char *msg, size_t msglen);

/* Pushes nil, "config", why, false; returns 4. */
CA_HIDDEN int push_refused(lua_State *L, const char *why);

/* Pushes status, headers, body | nil, kind, message, maybe_sent; returns
 * how many. */
CA_HIDDEN int push_result(lua_State *L, ca_state *s, ca_http *h, const ca_http_result *res);

#endif
