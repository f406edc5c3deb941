-- The command for Alibaba Cloud RPC products:
--   cloudapi PRODUCT Action [--Name value ...]
-- Each --Name value is one parameter, sent as written: --Tag.1.Key k is the
-- RepeatList entry Tag.1.Key, --InstanceIds '["i-1"]' the JSON string ECS
-- expects. The adapter's steps, for cli/command.lua: parse, client, args,
-- prepare, is_read, can_follow, follow.
local aliyun = require "cloudapi.aliyun"
local json = require "cloudapi.json"

local M = { CLOUD = "aliyun" }

M.USAGE = "cloudapi PRODUCT Action [--Name value ...] [flags]"

local READ_PREFIXES = { "Describe", "List", "Get", "Query" }

-- After a change, the read that shows the state it leads to: action ->
-- function(params, result) -> read action, read params.
local function instance(params)
  return "DescribeInstances", { RegionId = params.RegionId, InstanceIds = json.encode({ params.InstanceId }) }
end
local FOLLOW = {
  ecs = { StartInstance = instance, StopInstance = instance, RebootInstance = instance },
  vpc = { AllocateEipAddress = function(params, result)
    return "DescribeEipAddresses", { RegionId = params.RegionId, AllocationId = result.AllocationId }
  end },
}

-- parse(positional, params, flags) -> spec | nil, usage message
function M.parse(pos, params, flags)
  if #pos < 2 then return nil, "missing the action: " .. M.USAGE end
  if #pos > 2 then return nil, "unexpected '" .. pos[3] .. "' after the action: " .. M.USAGE end
  local product, action = pos[1], pos[2]
  if not product:match("^[%w%-]+$") then return nil, "'" .. product .. "' is not a product name" end
  if not action:match("^%u%w*$") then
    return nil, "'" .. action .. "' is not an action name (actions look like DescribeInstances)"
  end
  if flags.body then return nil, "--body is for REST APIs (Huawei, ROA); Alibaba RPC parameters are --Name value" end
  if flags.action then return nil, "--action is for ROA products; an RPC action is the word after the product" end
  local p = {}
  for _, kv in ipairs(params) do p[kv[1]] = kv[2] end
  return { product = product:lower(), action = action, params = p }
end

-- client(spec, opts) -> client (raises on a bad option, as the constructor does)
function M.client(spec, opts, flags)
  opts.product = spec.product
  opts.version = flags["api-version"]
  opts.format = flags.format
  opts.network = flags.network     -- taken by the constructor where it knows them
  opts.signature = flags.signature
  return aliyun.new(opts)
end

function M.args(spec, callopts)
  return { spec.action, spec.params, callopts, n = 3 }
end

function M.prepare(client, spec)
  return client:prepare(spec.action, spec.params)
end

function M.is_read(spec)
  for _, prefix in ipairs(READ_PREFIXES) do
    if spec.action:sub(1, #prefix) == prefix then return true end
  end
  return false
end

-- can_follow(spec) -> true | nil, reason: whether a waiter knows the read
function M.can_follow(spec)
  local known = FOLLOW[spec.product]
  if known and known[spec.action] then return true end
  return nil, "--waiter: cloudapi does not know which read shows the state " .. spec.action ..
              " leads to; wait with the Describe action itself (cloudapi " .. spec.product ..
              " DescribeXxx ... --waiter path=... to=...)"
end

-- follow(spec, result, callopts) -> the read's call arguments
function M.follow(spec, result, callopts)
  local action, params = FOLLOW[spec.product][spec.action](spec.params, result)
  return { action, params, callopts, n = 3 }
end

return M
