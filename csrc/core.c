/* luaopen_cloudapi_core: builds the module, nothing else. Each area's
 * functions live in their own binding file (l_*.c); they all share one
 * per-lua_State box, upvalue 1 of every function and method (l_state.h). */
#include "l_state.h"

int luaopen_cloudapi_core(lua_State *L) {
    lua_newtable(L);  /* the module */
    ca_state_new(L);  /* the box, before anything it will own */
    ca_open_sign(L);
    ca_open_sign_acs(L);
    ca_open_sign_roa(L);
    ca_open_crypto(L);
    ca_open_json(L);
    ca_open_time(L);
    ca_open_http(L);
    ca_open_multi(L);
    ca_open_tty(L);
    ca_open_file(L);
    lua_pop(L, 1);
    return 1; /* the version is cloudapi.VERSION (lua/cloudapi/version.lua) */
}
