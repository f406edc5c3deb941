-- What the command's REST adapters (cli/huawei.lua, cli/roa.lua) share:
-- METHOD /path with --name value words (a {name} in the path is filled
-- from --name, any other name is a query parameter), the --body JSON text
-- or @file, a request's options, and which requests are reads.
local json = require "cloudapi.json"

local M = {}

local METHODS = { GET = true, POST = true, PUT = true, PATCH = true, DELETE = true, HEAD = true }

-- body(text) -> the JSON text to send | nil, usage message. text: JSON or @FILE.
function M.body(text)
  if text:sub(1, 1) == "@" then
    local f, err = io.open(text:sub(2), "rb")
    if not f then return nil, "--body " .. text .. ": " .. tostring(err) end
    text = f:read("*a")
    f:close()
  end
  local v, why = json.decode(text)
  if v == nil then return nil, "--body is not JSON: " .. tostring(why) end
  return text -- sent as written (a decoded table would lose [] versus {})
end

-- request(method, path, params, flags [, ids]) -> spec | nil, usage message:
-- { method =, path =, query = {}, vars = {} (path values), ids = {}, body = }.
-- ids: {name = true} for the {name}s a client fills itself (Huawei's
-- project_id); given on the command line they go to spec.ids.
function M.request(method_word, path, params, flags, ids)
  local method = method_word:upper()
  if not METHODS[method] then
    return nil, "'" .. method_word .. "' is not an HTTP method (GET, POST, PUT, PATCH, DELETE)"
  end
  if path:sub(1, 1) ~= "/" then return nil, "the path must start with /, got '" .. path .. "'" end
  ids = ids or {}
  local spec = { method = method, path = path, query = {}, vars = {}, ids = {} }
  for _, kv in ipairs(params) do
    local name, value = kv[1], kv[2]
    if path:find("{" .. name .. "}", 1, true) then
      if ids[name] then spec.ids[name] = value else spec.vars[name] = value end
    else
      spec.query[name] = value
    end
  end
  for name in path:gmatch("{([^}]+)}") do
    if not ids[name] and spec.vars[name] == nil then
      return nil, "the path needs {" .. name .. "}: give --" .. name .. " VALUE"
    end
  end
  if flags.body then
    local body, why = M.body(flags.body)
    if not body then return nil, why end
    spec.body = body
  end
  return spec
end

-- options(spec, callopts, extra) -> the request's options: query, path
-- values, body, then extra's fields and the call options (deadline).
function M.options(spec, callopts, extra)
  local o = { query = spec.query, path = spec.vars, body = spec.body }
  for k, v in pairs(extra or {}) do o[k] = v end
  for k, v in pairs(callopts or {}) do o[k] = v end
  return o
end

function M.is_read(spec)
  return spec.method == "GET"
end

-- new_id(result, field) -> the id a create answered, safe as one path
-- segment | nil, usage message
function M.new_id(result, field)
  local id = type(result) == "table" and result[field]
  if type(id) ~= "string" or not id:match("^[%w%-_.]+$") then
    return nil, "--waiter: the answer to the POST has no " .. field .. " to read the new resource by"
  end
  return id
end

return M
