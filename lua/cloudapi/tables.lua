-- How the library reads a caller's table: its raw fields, or, for a table
-- with a metatable (a proxy), what its __pairs lists, the same on Lua 5.4
-- and LuaJIT (whose pairs ignores __pairs). A proxy that cannot list its
-- fields (__index without __pairs) is refused rather than read as empty.
local M = {}

-- plain(t) -> t itself (no metatable), a plain copy of what __pairs lists,
-- or nil, reason
function M.plain(t)
  local mt = getmetatable(t)
  if mt == nil then return t end
  local list = type(mt) == "table" and rawget(mt, "__pairs")
  if list then
    local copy = {}
    for k, v in list(t) do copy[k] = v end
    return copy
  end
  if type(mt) == "table" and rawget(mt, "__index") == nil then return t end
  return nil, "has a metatable with __index but no __pairs (a proxy?): its fields cannot be listed"
end

return M
