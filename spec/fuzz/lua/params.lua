-- Alibaba parameter flattening with random parameter tables: the C fast
-- paths (core.rpc_sign_args, and under ACS3 core.acs3_sign_args) sign
-- exactly what the general path (cloudapi.aliyun.params) signs whenever
-- they take a table, and prepare gives a signed request or a config
-- error, never raises (run under ASan/UBSan by spec/fuzz/run). step(i)
-- does one table.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local params = require "cloudapi.aliyun.params"
local gen = require "fuzz.lua.gen"

local random = math.random

-- Dotted names too: two spellings of one flattened name ("Tag.1.Key" and
-- Tag = {{Key = ...}}) must be the same config error on both paths.
local NAMES = { "A", "B", "Name", "Tag", "Key", "Value", "Ids", "中文", "a b", "x~*+", "Z",
                "Tag.1.Key", "A.1", "Name.Key" }

local function value(depth)
  local r = random(12)
  if r <= 3 then return gen.string()
  elseif r <= 5 then return gen.number()
  elseif r == 6 then return random(2) == 1
  elseif r == 7 then return cloudapi.json(random(2) == 1 and { 1, "a" } or { k = gen.string() })
  elseif r == 8 then return random(-5, 5)
  elseif r <= 11 and depth > 0 then
    local t = {}
    if random(2) == 1 then
      for i = 1, random(0, 4) do t[i] = value(depth - 1) end
    else
      for _ = 1, random(0, 4) do t[NAMES[random(#NAMES)]] = value(depth - 1) end
    end
    if random(30) == 1 then t[random(2) == 1 and 1 or "Loop"] = t end
    return t
  end
  return random(2) == 1 and print or nil
end

local COMMON = { "Action", "X", "Version", "2014-05-26" }
local RESERVED = { Action = true, Signature = true }

local ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = "http://127.0.0.1:1",
                                 credentials = { access_key_id = "fuzz-ak", access_key_secret = "fuzz-secret" } }

local acs3 = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = "http://127.0.0.1:1",
                                  signature = "ACS3-HMAC-SHA256",
                                  credentials = { access_key_id = "fuzz-ak", access_key_secret = "fuzz-secret" } }
local SIGN = { nonce = "n1", timestamp = "2016-02-23T12:46:24Z" }

-- A proxy of t (read through __pairs): ACS3 then flattens in Lua.
local function proxy(t) return setmetatable({}, { __pairs = function() return next, t, nil end }) end

-- Under ACS3 the one-call path (core.acs3_sign_args) and the Lua
-- flattener sign alike, or both refuse.
local function acs3_alike(args)
  local ok1, a, aerr = pcall(acs3.prepare, acs3, "DescribeInstances", args, SIGN)
  local ok2, b, berr = pcall(acs3.prepare, acs3, "DescribeInstances", proxy(args), SIGN)
  if not (ok1 and ok2) then error("ACS3 prepare raised: " .. tostring(ok1 and b or a), 0) end
  if (a == nil) ~= (b == nil) then
    error("ACS3: one path signs, the other refuses: " .. tostring((aerr or berr or {}).message), 0)
  end
  if a and (a.url ~= b.url or a.headers.Authorization ~= b.headers.Authorization or
            a.canonical_request ~= b.canonical_request) then
    error("ACS3: the one-call path signs differently: " .. a.canonical_request .. " vs " .. b.canonical_request, 0)
  end
end

local M = {}

function M.step()
  local args = {}
  for _ = 1, random(0, 6) do args[NAMES[random(#NAMES)]] = value(3) end
  local ok, q1, s1, g1 = pcall(core.rpc_sign_args, "GET", "secret", args, RESERVED, "", true, "t1", "n1",
                               (table.unpack or unpack)(COMMON))
  if not ok then error("rpc_sign_args raised: " .. tostring(q1), 0) end
  if q1 ~= nil then
    local flat = params.flatten(args)
    if not flat then error("the fast path took a table the general path refuses", 0) end
    for i = 1, #COMMON, 2 do flat[COMMON[i]] = COMMON[i + 1] end
    flat.SignatureMethod, flat.SignatureVersion, flat.SignatureNonce, flat.Timestamp = "HMAC-SHA1", "1.0", "n1", "t1"
    local q2, s2, g2 = core.rpc_sign("GET", flat, "secret")
    if q1 ~= q2 or s1 ~= s2 or g1 ~= g2 then error("the fast path signs differently: " .. s1 .. " vs " .. s2, 0) end
  end
  local pok, req, err = pcall(ecs.prepare, ecs, "DescribeInstances", args,
                              { nonce = "n1", timestamp = "2016-02-23T12:46:24Z" })
  if not pok then error("prepare raised: " .. tostring(req), 0) end
  if req == nil and (type(err) ~= "table" or err.kind ~= "config") then
    error("prepare gave no config error: " .. tostring(err), 0)
  end
  if req and not req.url:find("&Signature=", 1, true) and not (req.body or ""):find("&Signature=", 1, true) then
    error("prepare gave an unsigned request", 0)
  end
  acs3_alike(args)
end

function M.close() end

return M
