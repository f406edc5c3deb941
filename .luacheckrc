-- luacheck settings (`make lint`). One std per kind of code: the library
-- runs on Lua 5.1 (LuaJIT) to 5.4 and reads ngx only where OpenResty
-- provides it; specs run under busted; the emulator, the test nginx's
-- handlers and the OpenResty example run inside nginx (LuaJIT + ngx_lua).
max_line_length = 120
-- A method need not use self (an interface method such as transport:close).
self = false
exclude_files = { "build/", ".git/" }

-- Anything not named below: any Lua from 5.1 to 5.4.
std = "max"

-- Library code: ngx is a read-only global (guarded by a check where used);
-- no printing, no loading code, no debug library in a library.
files["lua/"] = { std = "max", read_globals = { "ngx" }, not_globals = { "print", "load", "loadstring", "dofile",
                                                                          "loadfile", "debug" } }

files["spec/"] = { std = "max+busted" }
files["spec/openresty/handlers.lua"] = { std = "ngx_lua" }
files["spec/openresty/paging_handlers.lua"] = { std = "ngx_lua" }

files["emulator/"] = { std = "ngx_lua" }
-- The self-tests are plain lua5.4 scripts (curl + openssl), not nginx code.
files["emulator/tests/"] = { std = "lua54" }

files["bench/"] = { std = "max" }
files["examples/"] = { std = "max" }
files["examples/openresty/"] = { std = "ngx_lua" }
