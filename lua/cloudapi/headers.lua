-- A caller's extra request headers, checked before anything is signed:
-- names must be HTTP tokens, values strings without CR, LF or NUL (never
-- folded or sent), and the headers a client computes itself are refused.
local M = {}

-- A name shown in a message: control bytes as \ddd, the same on every Lua.
local function shown(s)
  return '"' .. tostring(s):gsub("[%c\\\"]", function(c) return string.format("\\%d", c:byte()) end) .. '"'
end

-- check(h, reserved) -> a copy, and the caller's values by lowercase name
-- (nil when there are none) | nil, reason. reserved: lowercase names the
-- client sets (constant per client kind).
function M.check(h, reserved)
  local out, own = {}, nil
  if h == nil then return out end
  if type(h) ~= "table" then return nil, "headers must be a table" end
  for k, v in pairs(h) do
    if type(k) ~= "string" or not k:match("^[!#$%%&'*+%-.^_`|~%w]+$") then
      return nil, "header name " .. shown(k) .. " is not a valid HTTP token"
    end
    if type(v) ~= "string" then return nil, "header '" .. k .. "' must be a string" end
    if v:find("[\r\n%z]") then return nil, "header '" .. k .. "' contains CR, LF or NUL" end
    local lower = k:lower()
    if reserved[lower] then return nil, "header '" .. k .. "' is set by the client" end
    own = own or {}
    if own[lower] then return nil, "header '" .. lower .. "' is given twice (names are case-insensitive)" end
    out[k] = v
    own[lower] = v
  end
  return out, own
end

return M
