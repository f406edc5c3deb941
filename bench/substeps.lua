-- Where client:prepare's time goes: each sub-step of the Alibaba RPC
-- prepare (bench.lua sign-rpc) timed alone, same parameters, through the
-- modules prepare uses (update the list when prepare changes). Not part of
-- `make bench`; run it when the signing row misses:
--
--   LUA_PATH="$PWD/lua/?.lua;$PWD/lua/?/init.lua;;" LUA_CPATH="$PWD/build/5.4/?.so;;" \
--     lua5.4 bench/substeps.lua [SECONDS]
--
-- Prints ns/op for each step (median of 5 timings) and their sum against
-- the whole prepare.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local params = require "cloudapi.params"
local credentials = require "cloudapi.credentials"
local errors = require "cloudapi.errors"
local clock = require "cloudapi.clock"

local now = core.monotonic
local SECONDS = tonumber(arg[1]) or 0.2

local function median(t)
  table.sort(t)
  return t[math.floor((#t + 1) / 2)]
end

local function ns_per_op(f)
  local runs = {}
  for _ = 1, 5 do
    for _ = 1, 2000 do f() end
    collectgarbage("collect")
    local n, t0, el = 0, now(), 0
    repeat
      for _ = 1, 1000 do f() end
      n = n + 1000
      el = now() - t0
    until el >= SECONDS
    runs[#runs + 1] = el / n * 1e9
  end
  return median(runs)
end

local P = {
  PageSize = 50, PageNumber = 1, Status = "Running", ZoneId = "cn-hangzhou-b",
  InstanceType = "ecs.g6.large", VpcId = "vpc-bp1opxu1zkhn00gzv26cn",
  VSwitchId = "vsw-bp1s5fnvk4gn2tws03624", InstanceName = "web-server-01",
  Tag = { { Key = "env", Value = "prod" } },
}
local ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou",
  credentials = { access_key_id = "testid", access_key_secret = "testsecret" } }

local RESERVED = { Action = true, Version = true, Format = true, AccessKeyId = true, Signature = true,
                   SignatureMethod = true, SignatureVersion = true, SignatureNonce = true,
                   Timestamp = true, SecurityToken = true }
local flat = assert(params.flatten(P, RESERVED))
local REQUIRED, OPTIONAL = { "access_key_id", "access_key_secret" }, { "security_token" }
local signed_flat = {}
for k, v in pairs(flat) do signed_flat[k] = v end
signed_flat.Action = "DescribeInstances"; signed_flat.Version = "2014-05-26"; signed_flat.Format = "JSON"
signed_flat.AccessKeyId = "testid"; signed_flat.SignatureMethod = "HMAC-SHA1"
signed_flat.SignatureVersion = "1.0"; signed_flat.SignatureNonce = core.nonce()
signed_flat.Timestamp = core.timestamp(); signed_flat.RegionId = "cn-hangzhou"
local signed = core.rpc_sign("GET", signed_flat, "testsecret")

local steps = {
  { "params.flatten (9 params -> 10)", function() params.flatten(P, RESERVED) end },
  { "credentials.fetch", function() credentials.fetch(ecs.provider, REQUIRED, OPTIONAL) end },
  { "core.timestamp(clock.now)", function() core.timestamp(clock.now(ecs)) end },
  { "core.nonce", function() core.nonce() end },
  { "fill 9 common params (new table)", function()
      local t = {}
      for k, v in pairs(flat) do t[k] = v end
      t.Action = "DescribeInstances"; t.Version = "2014-05-26"; t.Format = "JSON"; t.AccessKeyId = "testid"
      t.SignatureMethod = "HMAC-SHA1"; t.SignatureVersion = "1.0"; t.SignatureNonce = "x"
      t.Timestamp = "y"; t.RegionId = "cn-hangzhou"
    end },
  { "core.rpc_sign (19 pairs)", function() core.rpc_sign("GET", signed_flat, "testsecret") end },
  { "url: base .. signed query", function()
      local _ = "https://ecs.cn-hangzhou.aliyuncs.com" .. "/?" .. signed
    end },
  { "request table + errors.remember", function()
      local req = { method = "GET", headers = { ["User-Agent"] = "x" }, string_to_sign = "s", action = "a", url = "u" }
      errors.remember(req, { "testsecret", nil })
    end },
}

local total = ns_per_op(function() ecs:prepare("DescribeInstances", P) end)
local sum = 0
print(string.format("%-40s %10s %7s", "step (" .. (jit and jit.version or _VERSION) .. ")", "ns/op", "share"))
for _, s in ipairs(steps) do
  local ns = ns_per_op(s[2])
  sum = sum + ns
  print(string.format("%-40s %10.0f %6.1f%%", s[1], ns, ns / total * 100))
end
print(string.format("%-40s %10.0f %6.1f%%", "sum of the steps", sum, sum / total * 100))
print(string.format("%-40s %10.0f %6.1f%%", "ecs:prepare (whole)", total, 100))
