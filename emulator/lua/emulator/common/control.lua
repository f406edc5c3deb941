-- Unsigned test-control endpoints under /__emulator/:
--   GET  ping    liveness probe (used by the start script)
--   GET  stats   counters and sizes of the in-memory state
--   POST reset   forget everything mutable (EIPs, snapshots, nonces, client
--                tokens, instance statuses, counters, pending faults,
--                request log)
--   GET  faults  pending faults;  POST faults  queue one (JSON body, see
--                faults.lua);  DELETE faults  drop them all
--   GET  requests  request log of the API requests, oldest first (the last
--                1000; ?since=SEQ: only later ones), see reqlog.lua;
--                DELETE requests  clears only the log
--   GET  cs      Container Service settings;  POST cs  {"running_after": s,
--                "end_state": "running"|"failed"}: how long a new cluster
--                stays `initial` (reset: 1 s) and the state it then reaches
--   GET  iam     Huawei IAM token settings and counts
--   POST iam     {"token_ttl": seconds} lifetime of tokens issued from now on
--                (reset restores 24 h); {"revoke_tokens": true} makes every
--                token issued so far answer 401 APIGW.0307 (both may be given)
--   GET  lifecycle  how long a resource stays in its passing state
--   POST lifecycle  {"seconds": s}: ECS Starting/Stopping, VPCEP creating
--                (reset restores 1 s)
--   GET|POST credentials  the switches of STS and the metadata services
--                (credential_settings.lua)

local cjson       = require "cjson.safe"
local stats       = require "emulator.common.stats"
local nonces      = require "emulator.aliyun.nonces"
local idempotency = require "emulator.aliyun.idempotency"
local faults      = require "emulator.common.faults"
local ecs         = require "emulator.aliyun.ecs"
local vpc         = require "emulator.aliyun.vpc"
local cs          = require "emulator.aliyun.cs"
local huawei      = require "emulator.huawei.gateway"
local hw_iam      = require "emulator.huawei.iam"
local vpcep       = require "emulator.huawei.vpcep"
local reqlog      = require "emulator.common.reqlog"
local lifecycle   = require "emulator.common.lifecycle"
local hw_vpc      = require "emulator.huawei.vpc"
-- The platform services that issue temporary keys (STS, metadata, URI).
local PLATFORM = { "emulator.common.credential_settings", "emulator.common.temp_keys", "emulator.aliyun.sts",
                   "emulator.aliyun.imds", "emulator.huawei.metadata", "emulator.common.credentials_uri" }

local M = {}

local function reply(status, t)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print(cjson.encode(t))
end

local function get_stats()
  local s = stats.get()
  local e, v = ecs.counts(), vpc.counts()
  local h, iam, ep = huawei.counts(), hw_iam.counts(ngx.now()), vpcep.counts()
  local out = {
    requests = s.requests, errors = s.errors, by_action = s.by_action, by_code = s.by_code,
    eips = v.eips, snapshots = e.snapshots, instances_changed = e.instances_changed,
    nonces = nonces.count(), client_tokens = idempotency.count(),
    faults_pending = faults.pending(), faults_applied = s.faults_applied,
    connections = s.connections,
    -- Huawei Cloud REST
    huawei_requests = h.requests, huawei_errors = h.errors,
    huawei_by_operation = h.by_operation, huawei_by_code = h.by_code,
    iam_tokens = iam.tokens, iam_tokens_active = iam.active, iam_project_lookups = iam.project_lookups,
    iam_token_ttl = iam.token_ttl,
    vpcep_services = ep.services, vpcep_endpoints = ep.endpoints,
    cs_clusters = cs.counts().clusters, -- Alibaba ROA (Container Service)
  }
  for _, name in ipairs(PLATFORM) do
    local m = require(name)
    for k, n in pairs(m.counts and m.counts() or {}) do out[k] = n end
  end
  return out
end

local function reset()
  for _, m in ipairs({ stats, nonces, idempotency, faults, ecs, vpc, huawei, hw_iam, vpcep, hw_vpc, reqlog,
                       lifecycle, cs }) do
    m.reset()
  end
  for _, name in ipairs(PLATFORM) do require(name).reset() end
end

local MAX_TTL = 10 * 366 * 86400

local function iam_settings()
  local c = hw_iam.counts(ngx.now())
  return { token_ttl = c.token_ttl, tokens_issued = c.tokens, tokens_active = c.active }
end

local function set_iam()
  ngx.req.read_body()
  local spec = cjson.decode(ngx.req.get_body_data() or "")
  if type(spec) ~= "table" then
    return reply(400, { Code = "InvalidIamControl",
                        Message = 'body must be a JSON object like {"token_ttl":60} or {"revoke_tokens":true}' })
  end
  for k in pairs(spec) do
    if k ~= "token_ttl" and k ~= "revoke_tokens" then
      return reply(400, { Code = "InvalidIamControl",
                          Message = "unknown field " .. tostring(k) .. " (token_ttl, revoke_tokens)" })
    end
  end
  if spec.token_ttl == nil and spec.revoke_tokens == nil then
    return reply(400, { Code = "InvalidIamControl", Message = "give token_ttl and/or revoke_tokens" })
  end
  local ttl = spec.token_ttl
  if ttl ~= nil and (type(ttl) ~= "number" or ttl <= 0 or ttl > MAX_TTL) then
    return reply(400, { Code = "InvalidIamControl",
                        Message = "token_ttl must be a number of seconds > 0 (at most 10 years)" })
  end
  if spec.revoke_tokens ~= nil and type(spec.revoke_tokens) ~= "boolean" then
    return reply(400, { Code = "InvalidIamControl", Message = "revoke_tokens must be true or false" })
  end
  local revoked = 0
  if ttl then hw_iam.set_ttl(ttl) end
  if spec.revoke_tokens then revoked = hw_iam.revoke_all() end
  local out = iam_settings()
  out.ok, out.tokens_revoked = true, revoked
  return reply(200, out)
end

local function set_cs()
  ngx.req.read_body()
  local ok, err = cs.settings(cjson.decode(ngx.req.get_body_data() or ""))
  if not ok then return reply(400, { Code = "InvalidCsControl", Message = err }) end
  local c = cs.counts()
  return reply(200, { ok = true, running_after = c.running_after, end_state = c.end_state })
end

local function add_fault()
  ngx.req.read_body()
  local spec = cjson.decode(ngx.req.get_body_data() or "")
  local ok, err = faults.add(spec)
  if not ok then return reply(400, { Code = "InvalidFault", Message = err }) end
  return reply(200, { ok = true, faults_pending = faults.pending() })
end

-- Encoded by hand: stock lua-cjson would render an empty list as {}.
local function list_faults()
  local items = {}
  for i, f in ipairs(faults.list()) do items[i] = cjson.encode(f) end
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print('{"pending":', faults.pending(), ',"faults":[', table.concat(items, ","), "]}")
end

local function list_requests()
  local args = ngx.req.get_uri_args()
  local since = args.since
  if since ~= nil then
    since = tonumber(since)
    if not since or since < 0 or since % 1 ~= 0 then
      return reply(400, { Code = "InvalidParameter", Message = "since must be a non-negative integer (a seq)" })
    end
  end
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print(reqlog.json(since))
end

local function set_lifecycle()
  ngx.req.read_body()
  local spec = cjson.decode(ngx.req.get_body_data() or "")
  if type(spec) ~= "table" or spec.seconds == nil then
    return reply(400, { Code = "InvalidLifecycleControl", Message = 'body must be a JSON object like {"seconds":0.5}' })
  end
  local ok, err = lifecycle.set(spec.seconds)
  if not ok then return reply(400, { Code = "InvalidLifecycleControl", Message = err }) end
  return reply(200, { ok = true, seconds = lifecycle.seconds() })
end

local ROUTES = {
  ["GET ping"]      = function() reply(200, { ok = true }) end,
  ["GET stats"]     = function() reply(200, get_stats()) end,
  ["POST reset"]    = function() reset(); reply(200, { ok = true }) end,
  ["GET faults"]    = function() list_faults() end,
  ["POST faults"]   = add_fault,
  ["DELETE faults"] = function() faults.reset(); reply(200, { ok = true }) end,
  ["GET requests"]    = list_requests,
  ["DELETE requests"] = function() reqlog.clear(); reply(200, { ok = true }) end,
  ["GET iam"]       = function() reply(200, iam_settings()) end,
  ["GET cs"]        = function() reply(200, cs.counts()) end,
  ["POST cs"]       = set_cs,
  ["POST iam"]      = set_iam,
  ["GET lifecycle"] = function() reply(200, { seconds = lifecycle.seconds() }) end,
  ["POST lifecycle"] = set_lifecycle,
  ["GET credentials"]  = function() require("emulator.common.credential_settings").control("GET") end,
  ["POST credentials"] = function() require("emulator.common.credential_settings").control("POST") end,
}

function M.handle(name)
  local route = ROUTES[ngx.req.get_method() .. " " .. name]
  if not route then
    return reply(404, { Code = "NotFound", Message = "Unknown control endpoint or method: /__emulator/" .. name })
  end
  return route()
end

return M
