/* Lua binding of what plain Lua cannot ask of a file: its permission bits
 * (credential files readable by others earn a warning). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "l_state.h"

/* file_mode(path) -> permission bits (e.g. 0600 = 384) | nil, message */
static int l_file_mode(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (stat(path, &st) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, strerror(errno));
        return 2;
    }
    lua_pushinteger(L, (lua_Integer)(st.st_mode & 07777));
    return 1;
}

static const luaL_Reg functions[] = {
    {"file_mode", l_file_mode},
    {NULL, NULL},
};

void ca_open_file(lua_State *L) { ca_register(L, functions); }
