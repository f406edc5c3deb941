/* Alibaba RPC parameter flattening in C: the fast path of rpc_sign_args. */
#ifndef CLOUDAPI_L_RPC_PARAMS_H
#define CLOUDAPI_L_RPC_PARAMS_H

#include "l_state.h"

/* Flattens the caller's parameter table at index args into s->pairs[0..*n),
 * names and numbers written to arena (which must stay untouched while the
 * pairs are used). Returns 0, or -1 when the call must take the general
 * Lua path: a name found in the table at index reserved, or a value this
 * walk does not take (see l_rpc_params.c). */
CA_HIDDEN int rpc_params_flatten(lua_State *L, ca_state *s, int args, int reserved,
                                 ca_buf *arena, size_t *n);

#endif
