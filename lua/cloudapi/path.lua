-- REST path templates: "/v1/{project_id}/things/{id}" filled from a table
-- of values, each value percent-encoded as one segment. Shared by the
-- Huawei and the Alibaba ROA clients. A value that would change the path's
-- structure ("." or "..", or one with a '/' where the client forbids it)
-- (or NUL) is refused, never sent.
local core = require "cloudapi.core"
local values = require "cloudapi.values"

local M = {}

local scalar, encode = values.scalar, core.encode

local function shown(path)
  return type(path) == "string" and ("'" .. path .. "'") or "a " .. type(path)
end

-- Characters a path may carry as they are; anything else is encoded.
local function encode_literal(p)
  return (p:gsub("[^%w%-%._~/%%!$&'()*+,;=:@]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- fill(path, vals, rules [, a, b]) -> filled path | nil, reason
-- rules (constant per client kind): own(name, a, b) -> the client's own
-- value for {name}, which wins over vals (nil: none); slash = the reason a
-- '/' in a value is refused (nil: allowed, sent as %2F).
function M.fill(path, vals, rules, a, b)
  if type(path) ~= "string" or path:sub(1, 1) ~= "/" then
    return nil, "path must be a string starting with '/', got " .. shown(path)
  end
  if path:find("[?#]") then return nil, "path must not contain '?' or '#': pass query = {...}" end
  if path:find("[%c]") then return nil, "path contains control characters" end
  if vals ~= nil and type(vals) ~= "table" then return nil, "path values must be a table" end
  local own = rules.own
  local why
  local filled = path:gsub("{([^}]*)}", function(name)
    if why then return "" end
    local v = own and own(name, a, b)
    if v == nil and vals then v = vals[name] end
    local s, bad
    if v ~= nil then s, bad = scalar(v, "path value", name) end
    if not s or s == "" then why = bad or "path needs a value for {" .. name .. "}"; return "" end
    if s == "." or s == ".." then
      why = "path value for {" .. name .. "} must not be '" .. s .. "' (a dot segment would change the path)"
    elseif rules.slash and s:find("/", 1, true) then
      why = "path value for {" .. name .. "} must not contain '/': " .. rules.slash
    end
    return encode(s)
  end)
  if why then return nil, why end
  for seg in filled:gmatch("[^/]+") do
    if seg == "." or seg == ".." then return nil, "path must not contain '.' or '..' segments, got " .. shown(path) end
  end
  return encode_literal(filled)
end

-- Paths filled with the client's own values only ({project_id}) are
-- remembered: a client mostly calls the same few paths. Bounded, so paths
-- built per call cannot grow it without end.
local CACHE_SIZE = 256

function M.cache()
  return { paths = {}, n = 0 }
end

-- cached(cache, path, rules, a, b) -> fill(path, nil, rules, a, b), remembered per (path, a, b)
function M.cached(cache, path, rules, a, b)
  local c = cache.paths[path]
  if c and c[1] == a and c[2] == b then return c[3] end
  local filled, why = M.fill(path, nil, rules, a, b)
  if filled then
    if c == nil then
      if cache.n >= CACHE_SIZE then cache.paths, cache.n = {}, 0 end
      cache.n = cache.n + 1
    end
    cache.paths[path] = { a, b, filled }
  end
  return filled, why
end

return M
