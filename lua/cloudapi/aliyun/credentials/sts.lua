-- STS (2015-04-01) for the providers that assume a role: where it is
-- (HTTPS by default), AssumeRole through cloudapi's own RPC client signed
-- by the source credential, AssumeRoleWithOIDC unsigned (a small client on
-- the same skeleton: retries, events, scrubbing), and an answer's
-- Credentials as a credential table.
local core = require "cloudapi.core"
local client = require "cloudapi.client"
local clock = require "cloudapi.clock"
local errors = require "cloudapi.errors"
local credentials = require "cloudapi.credentials"
local decode = require "cloudapi.aliyun.decode"

local M = {}

M.VERSION = "2015-04-01"
M.TIMEOUT = { connect = 5, read = 10 } -- the official libraries'

local function truthy(v) return v ~= nil and v:lower() == "true" end

-- endpoint(opts) -> URL: opts.endpoint (a URL, or a host meaning
-- https://host), else sts[-vpc].<sts_region>.aliyuncs.com with
-- sts_region or ALIBABA_CLOUD_STS_REGION (and
-- ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true), else sts.aliyuncs.com.
function M.endpoint(opts)
  if opts.endpoint then return opts.endpoint end
  local region = opts.sts_region or os.getenv("ALIBABA_CLOUD_STS_REGION")
  if region and region ~= "" then
    local vpc = truthy(os.getenv("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"))
    return "https://" .. (vpc and "sts-vpc." or "sts.") .. region .. ".aliyuncs.com"
  end
  return "https://sts.aliyuncs.com"
end

-- check(opts, argcheck): the options every STS provider shares.
function M.check(opts, argcheck)
  for _, k in ipairs({ "endpoint", "sts_region", "session_name", "policy" }) do
    argcheck(opts[k] == nil or (type(opts[k]) == "string" and opts[k] ~= ""), k .. " must be a non-empty string")
  end
  local d = opts.duration
  argcheck(d == nil or (type(d) == "number" and d % 1 == 0 and d >= 900 and d <= 43200),
           "duration must be a whole number of seconds from 900 to 43200")
  argcheck(opts.retry == nil or opts.retry == false or type(opts.retry) == "table",
           "retry must be false or a table {attempts=, base_delay=, max_delay=}")
end

-- The default RoleSessionName, fixed for the provider's life.
function M.session_name(owner)
  owner.session = owner.session or owner.opts.session_name or os.getenv("ALIBABA_CLOUD_ROLE_SESSION_NAME")
  if owner.session == "" or owner.session == nil then
    owner.session = string.format("cloudapi-lua-%d", math.floor(core.now() * 1000))
  end
  return owner.session
end

-- shared_key(opts [, creds]) -> what a temporary key shared by nginx
-- workers depends on beyond its role (credentials/shared.lua): the
-- request's options and, for AssumeRole, the signing credential (hashed).
function M.shared_key(opts, c)
  local parts = { tostring(opts.policy), tostring(opts.external_id), tostring(opts.duration or 3600),
                  tostring(opts.session_name), tostring(opts.sts_region) }
  if c then
    parts[#parts + 1] = core.sha256_hex(tostring(c.access_key_id) .. "\0" .. tostring(c.access_key_secret))
  end
  return table.concat(parts, "\0")
end

-- within(ctx, c, action) -> the call options of STS client c that keep
-- an STS request within the deadline of the call that needs the key
-- (ctx.deadline), {} without one | nil, err when it has passed
local function within(ctx, c, action)
  local left, late = credentials.time_left(ctx, "STS " .. action)
  if late then return nil, late end
  if not left then return {} end
  return { deadline = math.min(left, c.retry.deadline or left) }
end

-- A service error of STS is a credentials error of the call that needed it
-- (cause_kind: what it was, network and timeout included, as for metadata).
local function failed(err, action, role)
  err.cause_kind = err.kind
  err.kind = "credentials"
  err.message = "STS " .. action .. " for " .. role .. " failed: " .. tostring(err.message)
  err.retryable = false -- STS's own client has retried already
  return nil, err
end

-- credentials_of(res, action) -> credential table | nil, err
function M.credentials_of(res, action)
  local c = type(res) == "table" and res.Credentials
  if type(c) ~= "table" then return nil, credentials.error("STS " .. action .. " answered without Credentials") end
  return require("cloudapi.aliyun.credentials").from_answer(c, "STS " .. action)
end

-- The calling client's on_event hears the STS client's events.
local function forwarder(owner)
  return function(ev)
    local ctx = owner.ctx
    if ctx and ctx.on_event then ctx.on_event(ev) end
  end
end

local function options_of(owner, creds)
  return { endpoint = M.endpoint(owner.opts), credentials = creds, timeout = owner.opts.timeout or M.TIMEOUT,
           retry = owner.opts.retry, transport = owner.opts.transport, tls = owner.opts.tls,
           on_event = forwarder(owner) }
end

-- assume_role(owner, ctx, params) -> creds | nil, err; owner.source is
-- the provider whose credential signs.
function M.assume_role(owner, ctx, params)
  local c = owner.sts_client
  if not c then
    local opts = options_of(owner, owner.source)
    opts.product, opts.version, opts.method = "sts", M.VERSION, "POST"
    local ok, made = pcall(require("cloudapi.aliyun.rpc").new, opts)
    if not ok then return nil, credentials.error("cannot make the STS client: " .. tostring(made)) end
    c, owner.sts_client = made, made
  end
  local call, late = within(ctx, c, "AssumeRole")
  if not call then return nil, late end
  owner.ctx = ctx
  local res, err = c:call("AssumeRole", params, call)
  owner.ctx = nil
  if not res then return failed(err, "AssumeRole", params.RoleArn) end
  return M.credentials_of(res, "AssumeRole")
end

-- The unsigned client for AssumeRoleWithOIDC.
local Anonymous = client.class("cloudapi.aliyun.sts")
Anonymous.URL_HINT = "STS parameters go in the body"
Anonymous.SIGNATURE = decode.SIGNATURE
Anonymous.decode = decode.response
function Anonymous:skewed() return false end
function Anonymous:signed_string() return nil end

local FORM = { ["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = client.USER_AGENT }

function Anonymous:build(action, args, timeout, remaining, idempotent)
  local q = { Action = action, Version = M.VERSION, Format = "JSON", Timestamp = core.timestamp(clock.now(self)) }
  for k, v in pairs(args) do q[k] = tostring(v) end
  return { method = "POST", url = self.base_url .. "/", action = action, body = core.canonical_query(q),
           headers = FORM, timeout = timeout, total_timeout = remaining, idempotent = idempotent }
end

-- assume_role_with_oidc(owner, ctx, params) -> creds | nil, err
function M.assume_role_with_oidc(owner, ctx, params)
  local c = owner.sts_client
  if not c then
    local argcheck = function(cond, msg) if not cond then error(msg, 0) end end
    local ok, made = pcall(client.init, setmetatable({}, Anonymous), options_of(owner, {}),
                           { check = argcheck, label = "aliyun sts" })
    if not ok then return nil, credentials.error("cannot make the STS client: " .. tostring(made)) end
    c, owner.sts_client = made, made
  end
  errors.hold(c, params.OIDCToken) -- scrubbed from its errors and events
  local call, late = within(ctx, c, "AssumeRoleWithOIDC")
  if not call then return nil, late end
  local policy = call.deadline and require("cloudapi.retry").with_deadline(c.retry, call.deadline) or c.retry
  owner.ctx = ctx
  local res, err = client.run(c, policy, c.timeout, true, "AssumeRoleWithOIDC", params)
  owner.ctx = nil
  if not res then return failed(err, "AssumeRoleWithOIDC", params.RoleArn) end
  return M.credentials_of(res, "AssumeRoleWithOIDC")
end

return M
