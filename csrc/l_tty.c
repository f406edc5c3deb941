/* Lua binding of isatty: whether a file descriptor is a terminal. The
 * command line tool prints progress lines on stderr only to a person. */
#include <unistd.h>

#include "l_state.h"

/* isatty(fd) -> boolean; fd an integer 0..1023 (0 stdin, 1 stdout, 2
 * stderr). Checked as a number: LuaJIT would truncate 2.5 to 2. */
static int l_isatty(lua_State *L) {
    lua_Number fd = luaL_checknumber(L, 1);
    luaL_argcheck(L, fd >= 0 && fd < 1024 && fd == (lua_Number)(int)fd, 1, "a file descriptor from 0 to 1023");
    lua_pushboolean(L, isatty((int)fd) == 1);
    return 1;
}

static const luaL_Reg functions[] = {
    {"isatty", l_isatty},
    {NULL, NULL},
};

void ca_open_tty(lua_State *L) { ca_register(L, functions); }
