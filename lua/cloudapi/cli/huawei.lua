-- The command for Huawei Cloud REST APIs:
--   cloudapi huaweicloud SERVICE METHOD /path [--name value ...] [--body JSON|@file]
-- A --name whose {name} is in the path fills it ({project_id} and
-- {domain_id} set the client's ids); every other one is a query parameter
-- (cli/rest.lua). The adapter's steps, for cli/command.lua: parse, client,
-- args, prepare, is_read, can_follow, follow.
local huaweicloud = require "cloudapi.huaweicloud"
local rest = require "cloudapi.cli.rest"

local M = { CLOUD = "huaweicloud" }

M.USAGE = "cloudapi huaweicloud SERVICE METHOD /path [--name value ...] [--body JSON|@FILE] [flags]"

local CLIENT_IDS = { project_id = true, domain_id = true }

-- parse(positional, params, flags) -> spec | nil, usage message
function M.parse(pos, params, flags)
  if #pos < 4 then return nil, "expected SERVICE METHOD /path: " .. M.USAGE end
  if #pos > 4 then return nil, "unexpected '" .. pos[5] .. "' after the path: " .. M.USAGE end
  local service = pos[2]
  if not service:match("^[%w%-]+$") then return nil, "'" .. service .. "' is not a service name" end
  for _, name in ipairs({ "api-version", "format", "network", "action", "style" }) do
    if flags[name] then return nil, "--" .. name .. " is for Alibaba Cloud, not Huawei Cloud" end
  end
  local spec, why = rest.request(pos[3], pos[4], params, flags, CLIENT_IDS)
  if not spec then return nil, why end
  spec.service = service:lower()
  return spec
end

function M.client(spec, opts, flags)
  opts.service = spec.service
  opts.algorithm = flags.signature
  opts.project_id = spec.ids.project_id
  opts.domain_id = spec.ids.domain_id
  return huaweicloud.new(opts)
end

function M.args(spec, callopts)
  return { spec.method, spec.path, rest.options(spec, callopts), n = 3 }
end

function M.prepare(client, spec)
  return client:prepare(spec.method, spec.path, rest.options(spec))
end

M.is_read = rest.is_read

function M.can_follow(spec)
  if spec.method == "POST" or spec.method == "PUT" or spec.method == "PATCH" then return true end
  return nil, "--waiter: nothing to read after " .. spec.method .. "; wait with GET on the resource"
end

-- After a POST to a collection: GET the new resource (its id from the
-- answer); after PUT or PATCH: GET the same path.
function M.follow(spec, result, callopts)
  local deadline = callopts and callopts.deadline
  if spec.method ~= "POST" then
    return { "GET", spec.path, { path = spec.vars, deadline = deadline }, n = 3 }
  end
  local id, why = rest.new_id(result, "id")
  if not id then return nil, why end
  local vars = {}
  for k, v in pairs(spec.vars) do vars[k] = v end
  vars.cloudapi_new_id = id
  return { "GET", spec.path .. "/{cloudapi_new_id}", { path = vars, deadline = deadline }, n = 3 }
end

return M
