-- The command for Huawei Cloud REST APIs:
--   cloudapi huaweicloud SERVICE METHOD /path [--name value ...] [--body JSON|@file]
-- A --name whose {name} is in the path fills it ({project_id} and
-- {domain_id} set the client's ids); every other one is a query parameter.
-- The adapter's steps, for cli/command.lua: parse, client, args, prepare,
-- is_read, can_follow, follow.
local huaweicloud = require "cloudapi.huaweicloud"
local json = require "cloudapi.json"

local M = {}

M.USAGE = "cloudapi huaweicloud SERVICE METHOD /path [--name value ...] [--body JSON|@FILE] [flags]"

local METHODS = { GET = true, POST = true, PUT = true, PATCH = true, DELETE = true, HEAD = true }
local CLIENT_IDS = { project_id = true, domain_id = true }

local function read_body(text)
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

-- parse(positional, params, flags) -> spec | nil, usage message
function M.parse(pos, params, flags)
  if #pos < 4 then return nil, "expected SERVICE METHOD /path: " .. M.USAGE end
  if #pos > 4 then return nil, "unexpected '" .. pos[5] .. "' after the path: " .. M.USAGE end
  local service, method, path = pos[2], pos[3]:upper(), pos[4]
  if not service:match("^[%w%-]+$") then return nil, "'" .. service .. "' is not a service name" end
  if not METHODS[method] then return nil, "'" .. pos[3] .. "' is not an HTTP method (GET, POST, PUT, PATCH, DELETE)" end
  if path:sub(1, 1) ~= "/" then return nil, "the path must start with /, got '" .. path .. "'" end
  for _, name in ipairs({ "api-version", "format", "network" }) do
    if flags[name] then return nil, "--" .. name .. " is for Alibaba Cloud, not Huawei Cloud" end
  end
  local spec = { service = service:lower(), method = method, path = path, query = {}, vars = {}, ids = {} }
  for _, kv in ipairs(params) do
    local name, value = kv[1], kv[2]
    if path:find("{" .. name .. "}", 1, true) then
      if CLIENT_IDS[name] then spec.ids[name] = value else spec.vars[name] = value end
    else
      spec.query[name] = value
    end
  end
  for name in path:gmatch("{([^}]+)}") do
    if not CLIENT_IDS[name] and spec.vars[name] == nil then
      return nil, "the path needs {" .. name .. "}: give --" .. name .. " VALUE"
    end
  end
  if flags.body then
    local body, why = read_body(flags.body)
    if not body then return nil, why end
    spec.body = body
  end
  return spec
end

function M.client(spec, opts, flags)
  opts.service = spec.service
  opts.algorithm = flags.signature
  opts.project_id = spec.ids.project_id
  opts.domain_id = spec.ids.domain_id
  return huaweicloud.new(opts)
end

local function request_opts(spec, callopts, path_vars)
  local o = { query = spec.query, path = path_vars or spec.vars, body = spec.body }
  for k, v in pairs(callopts or {}) do o[k] = v end
  return o
end

function M.args(spec, callopts)
  return { spec.method, spec.path, request_opts(spec, callopts), n = 3 }
end

function M.prepare(client, spec)
  return client:prepare(spec.method, spec.path, request_opts(spec))
end

function M.is_read(spec)
  return spec.method == "GET"
end

function M.can_follow(spec)
  if spec.method == "POST" or spec.method == "PUT" or spec.method == "PATCH" then return true end
  return nil, "--waiter: nothing to read after " .. spec.method .. "; wait with GET on the resource"
end

-- After a POST to a collection: GET the new resource (its id from the
-- answer); after PUT or PATCH: GET the same path.
function M.follow(spec, result, callopts)
  if spec.method ~= "POST" then
    return { "GET", spec.path, { path = spec.vars, deadline = callopts and callopts.deadline }, n = 3 }
  end
  local id = type(result) == "table" and result.id
  if type(id) ~= "string" or not id:match("^[%w%-_.]+$") then
    return nil, "--waiter: the answer to the POST has no id to read the new resource by"
  end
  local vars = {}
  for k, v in pairs(spec.vars) do vars[k] = v end
  vars.cloudapi_new_id = id
  return { "GET", spec.path .. "/{cloudapi_new_id}", { path = vars, deadline = callopts and callopts.deadline }, n = 3 }
end

return M
