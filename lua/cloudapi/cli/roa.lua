-- The command for Alibaba Cloud ROA (REST) products (cli/styles.lua says
-- which products are):
--   cloudapi PRODUCT METHOD /path [--name value ...] [--body JSON|@FILE] [--action ApiName]
-- As for Huawei (cli/rest.lua), a --name whose {name} is in the path fills
-- it and every other one is a query parameter; --body is sent as written,
-- as JSON. --action names the API (DescribeClusters): ACS3-HMAC-SHA256
-- signs it, so that signature needs it. The adapter's steps, for
-- cli/command.lua: parse, client, args, prepare, is_read, can_follow, follow.
local aliyun = require "cloudapi.aliyun"
local rest = require "cloudapi.cli.rest"

local M = { CLOUD = "aliyun" }

M.USAGE = "cloudapi PRODUCT METHOD /path [--name value ...] [--body JSON|@FILE] [--action ApiName] [flags]"

local JSON_BODY = { ["Content-Type"] = "application/json" }

-- After a change, the read that shows the state it leads to: product ->
-- "METHOD template" -> the read's path template, the answer's field that
-- fills its {name}, and the read's API name.
local FOLLOW = {
  cs = {
    ["POST /clusters"] = { path = "/clusters/{cluster_id}", id = "cluster_id", action = "DescribeClusterDetail" },
  },
}

-- parse(positional, params, flags) -> spec | nil, usage message
function M.parse(pos, params, flags)
  if #pos < 3 then return nil, "expected PRODUCT METHOD /path: " .. M.USAGE end
  if #pos > 3 then return nil, "unexpected '" .. pos[4] .. "' after the path: " .. M.USAGE end
  local product = pos[1]
  if not product:match("^[%w%-]+$") then return nil, "'" .. product .. "' is not a product name" end
  if flags.format then return nil, "--format is for Alibaba RPC products: ROA products answer JSON" end
  local action = flags.action
  if action ~= nil and not action:match("^%u%w*$") then
    return nil, "--action must be an API name such as DescribeClusters, got '" .. action .. "'"
  end
  if flags.signature == "ACS3-HMAC-SHA256" and action == nil then
    return nil, "--signature ACS3-HMAC-SHA256 signs the API's name: give --action NAME (e.g. DescribeClusters " ..
                "for cs GET /clusters)"
  end
  local spec, why = rest.request(pos[2], pos[3], params, flags)
  if not spec then return nil, why end
  spec.product, spec.action = product:lower(), action
  return spec
end

function M.client(spec, opts, flags)
  opts.product = spec.product
  opts.version = flags["api-version"]
  opts.network = flags.network
  opts.signature = flags.signature
  return aliyun.roa(opts)
end

local function options(spec, callopts)
  return rest.options(spec, callopts, { action = spec.action, headers = spec.body and JSON_BODY or nil })
end

function M.args(spec, callopts)
  return { spec.method, spec.path, options(spec, callopts), n = 3 }
end

function M.prepare(client, spec)
  return client:prepare(spec.method, spec.path, options(spec))
end

M.is_read = rest.is_read

local function known(spec)
  local rules = FOLLOW[spec.product]
  return rules and rules[spec.method .. " " .. spec.path]
end

-- can_follow(spec) -> true | nil, reason: whether a waiter knows the read
function M.can_follow(spec)
  if known(spec) then return true end
  return nil, "--waiter: cloudapi does not know which read shows the state " .. spec.method .. " " .. spec.path ..
              " leads to; wait with GET on the resource itself (cloudapi " .. spec.product ..
              " GET /path ... --waiter path=... to=...)"
end

-- follow(spec, result, callopts) -> the read's call arguments
function M.follow(spec, result, callopts)
  local rule = known(spec)
  local id, why = rest.new_id(result, rule.id)
  if not id then return nil, why end
  return { "GET", rule.path, { path = { [rule.id] = id }, action = rule.action,
                               deadline = callopts and callopts.deadline }, n = 3 }
end

return M
