-- The skeleton every client shares (DESIGN section 1): the common
-- constructor options, credentials, the attempt loop (build -> sign ->
-- send -> decode, retried by cloudapi.retry), transport-error mapping,
-- the URL length limit, clock-skew recovery, the signature diagnosis, the
-- info table, events and close. A client is a table whose metatable
-- supplies its own steps:
--
--   self:build(op, args, timeout, remaining, idempotent) -> req | nil, err
--       one signed attempt (req.method, url, headers, body, and the
--       transport fields timeout, total_timeout, idempotent)
--   self:decode(req, res) -> result, nil, request_id | nil, err
--   self:skewed(err) -> whether the answer says our clock is off
--   self:reauth(err, op) -> true after renewing what the server refused,
--       or false, the error renewing it met (optional: Huawei's IAM token)
--   self:signed_string(req) -> what we signed (for the diagnosis)
--   self.SIGNATURE = { codes =, quoted = pattern, field =, names = }
--   self.URL_HINT: what to do when a URL is too long
--   self.CALL = { method =, params = | query =, opts = }: where a call's
--       parameters are, for pages, items and wait
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"
local retry = require "cloudapi.retry"
local clock = require "cloudapi.clock"
local options = require "cloudapi.options"
local credentials = require "cloudapi.credentials"

local M = {}

M.USER_AGENT = "cloudapi-lua/" .. require("cloudapi.version")

local monotonic = core.monotonic

-- init(self, opts, spec) -> self, with the options every client takes:
-- endpoint, credentials, transport, tls, timeout, retry, clock, on_event.
-- spec: { check = argcheck, host = default host, credentials = function
-- returning the cloud's default provider, label = "aliyun ecs" (events
-- name the client so) }
function M.init(self, opts, spec)
  local argcheck = spec.check
  local url = options.url(opts.endpoint, spec.host, argcheck)
  self.base_url, self.host, self.hostport = url.base, url.host, url.hostport
  self.provider = credentials.provider(opts.credentials, spec.credentials)
  self.transport = options.transport(opts.transport, opts.tls, argcheck)
  self.timeout = options.timeout(opts.timeout, options.DEFAULT_TIMEOUT, argcheck)
  local policy, why = retry.policy(opts.retry)
  argcheck(policy ~= nil, tostring(why))
  self.retry = policy
  self.clock = clock.source(opts.clock)
  argcheck(self.clock, "clock must be a function returning seconds since the epoch")
  self.clock_offset = 0
  argcheck(opts.on_event == nil or type(opts.on_event) == "function",
           "on_event must be a function(event)")
  self.on_event = opts.on_event
  self.label = spec.label
  self.user_agent = M.USER_AGENT
  -- What the client lends its provider (credentials.lua): one table, and
  -- per attempt of a call a view of it with the call's deadline.
  self.cred_ctx = { label = spec.label, on_event = opts.on_event, clock = self.clock }
  self.cred_view = { __index = self.cred_ctx }
  return self
end

-- ---- credentials ------------------------------------------------------------

local function refreshed(self, err)
  self.on_event{ type = "credentials", client = self.label, source = tostring(self.provider), error = err }
end

-- The credential each client checked and holds last (out of reach of a
-- dump of the client): client -> { creds, fields, constant }.
local accepted = setmetatable({}, { __mode = "k" })

-- accept(self, fields, creds, err) -> creds | nil, err: a credential the
-- client's provider returned, checked and held (the slow path).
local function accept(self, fields, creds, err)
  if creds == nil then
    err = err or credentials.error("no credentials")
    if self.on_event then refreshed(self, err) end
    return nil, err
  end
  local ok, why = credentials.check(creds, fields)
  if not ok then
    if self.on_event then refreshed(self, why) end
    return nil, why
  end
  local s = fields.secrets
  if errors.hold(self, creds[s[1]], creds[s[2]], s[3] and creds[s[3]]) and self.on_event then
    refreshed(self)
  end
  -- A table that never changes (provider.stable) is checked once; a
  -- provider whose value never changes (provider.constant) is not asked
  -- again.
  local p = self.provider
  if p.stable then accepted[self] = { creds, fields, p.constant == true } end
  return creds
end

-- credential_ctx(self, remaining) -> what the provider is given: the
-- client's ctx, or (remaining: seconds left of the call) a view of it with
-- ctx.deadline (core.monotonic() time) that a fetch must end by.
function M.credential_ctx(self, remaining)
  if remaining == nil then return self.cred_ctx end
  return setmetatable({ deadline = core.monotonic() + remaining }, self.cred_view)
end
local credential_ctx = M.credential_ctx

-- credentials(self, fields [, remaining]) -> creds | nil, err: fetched
-- from the client's provider (within remaining seconds, a call's attempt),
-- checked, and held (errors and events are scrubbed of their secrets); a
-- change is a credential refresh, which the event hook hears of. fields:
-- { required =, optional =, secrets = names of the secret fields }
-- (constant lists).

function M.credentials(self, fields, remaining)
  local last = accepted[self]
  if last and last[2] == fields then
    if last[3] then return last[1] end -- the hot path of static keys
    local creds = self.provider:get(credential_ctx(self, remaining)) -- a cached one: one clock call
    if creds == last[1] then return creds end
    return accept(self, fields, creds)
  end
  return accept(self, fields, self.provider:get(credential_ctx(self, remaining)))
end
M.accept = accept

-- hold_token(self, token): a token the credentials got (an IAM token),
-- held like them.
function M.hold_token(self, token)
  if errors.hold_token(self, token) and self.on_event then refreshed(self) end
end

-- ---- one attempt ---------------------------------------------------------------

-- Gateways refuse longer request lines: a built request's URL must be
-- shorter than this, or the client returns too_long(self, req).
M.MAX_URL = options.MAX_URL

function M.too_long(self, req)
  return nil, errors.config(string.format("the request URL would be %d bytes (over %d): %s",
                                          #req.url, M.MAX_URL, self.URL_HINT))
end

-- info.headers is parsed when first read (info[RES] holds the response
-- until then, without its body); info.errors is the shared empty list
-- until an attempt failed.
local NO_ERRORS = retry.NO_ERRORS
local RES = {}
local Info = {}
Info.__index = function(t, k)
  if k == "errors" then return NO_ERRORS end
  if k ~= "headers" then return nil end
  local res = rawget(t, RES)
  local h = res and res.headers or {}
  rawset(t, RES, nil)
  rawset(t, "headers", h)
  return h
end

local TRANSPORT_KINDS = { timeout = "timeout", config = "config" } -- anything else: network

-- Compare the string the server says it signed with ours.
local function diagnose(self, e, req)
  local sig = self.SIGNATURE
  local theirs = type(e.message) == "string" and e.message:match(sig.quoted) or nil
  if theirs == "" then theirs = nil end
  local ours = req[sig.field] or self:signed_string(req)
  e["server_" .. sig.field] = theirs
  e["client_" .. sig.field] = theirs and ours
  errors.diagnose_signature(e, ours, theirs, sig.names)
end

local function emit(self, req, n, started, res, err, info)
  local action = req.action
  self.on_event{
    type = "attempt", client = self.label, action = action,
    path = not action and (req.path or req.url:match("^%a+://[^/]*([^?]*)")) or nil,
    method = req.method, url = errors.safe_url(req.url, self), attempt = n,
    status = res and res.status or nil, duration = monotonic() - started,
    request_id = info and info.request_id or (err and err.request_id) or nil, error = err,
  }
end

local function unescape(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- The signature a failed request carried (a query or form Signature, the
-- Signature= of an Authorization header, or ROA's "acs id:signature"): a
-- server quoting the request must not show it, so its errors hide it like
-- a secret. Only on the error path.
local function signature_of(req)
  local sig = req.url and req.url:match("[?&]Signature=([^&]*)")
  local body = req.body
  if not sig and type(body) == "string" then
    sig = body:match("^Signature=([^&]*)") or body:match("&Signature=([^&]*)")
  end
  if sig then return unescape(sig) end
  local h = req.headers
  local auth = type(h) == "table" and (h.Authorization or h.authorization)
  if type(auth) ~= "string" then return nil end
  return auth:match("Signature=([^,%s]+)") or auth:match("^acs [^:]+:(%S+)$")
end

-- transmit(self, req, treq, n, op) -> result, nil, info | nil, err: treq
-- (req itself, or a copy with the transport fields) goes out, the answer
-- is decoded; errors are scrubbed of the client's secrets.
function M.transmit(self, req, treq, n, op)
  local started = self.on_event and monotonic()
  local res, kind, msg, maybe_sent = self.transport:send(treq)
  local result, err, info
  if not res then
    err = errors.new{ kind = TRANSPORT_KINDS[kind] or "network", message = tostring(msg),
                      action = req.action, maybe_sent = maybe_sent ~= false }
    err.retryable = err.kind ~= "config" and retry.retryable(err)
  else
    local request_id
    result, err, request_id = self:decode(req, res)
    if result ~= nil then
      res.body = nil -- info keeps the response for its headers only
      info = setmetatable({ status = res.status, request_id = request_id, attempts = 1, [RES] = res }, Info)
    else
      err.retry_after = retry.retry_after(res.headers)
      if err.kind == "service" and self.SIGNATURE.codes[err.code] then diagnose(self, err, req) end
      -- Our clock is off: learn the server's time from its Date header and
      -- let the attempt loop sign again once; likewise after renewing a
      -- refused token.
      if self:skewed(err) and clock.learn(self, res.headers) then
        err.resign = true
      elseif self.reauth then
        local again, why = self:reauth(err, op)
        if again then err.resign = true elseif why then err = why end
      end
    end
  end
  if err then errors.scrub(err, self, signature_of(treq)) end
  if started then emit(self, req, n, started, res, err, info) end
  if err then return nil, err end
  return result, nil, info
end

-- An attempt of a call: built and signed anew (fresh nonce and time). The
-- request never leaves the call, so it carries the transport fields itself.
local function attempt(n, remaining, self, op, args, timeout, idempotent)
  local req, err = self:build(op, args, timeout, remaining, idempotent)
  if not req then return nil, err end
  return M.transmit(self, req, req, n, op)
end

-- run(self, policy, timeout, idempotent, op, args) -> result, nil, info | nil, err
-- The attempt loop of a call; idempotent = false for a create without a
-- ClientToken (retried only when it certainly never left).
function M.run(self, policy, timeout, idempotent, op, args)
  return retry.run(policy, attempt, idempotent, self.transport, self, op, args, timeout, idempotent)
end

-- ---- methods every client has ---------------------------------------------------

local Methods = {}
M.methods = Methods

-- client:send(req [, timeout, remaining, idempotent]) -> result, nil, info | nil, err:
-- one attempt of a prepared request (its headers as the caller left them).
-- timeout = {connect=, read=}; remaining: seconds left before a deadline.
function Methods:send(req, timeout, remaining, idempotent)
  return M.transmit(self, req, {
    method = req.method, url = req.url, headers = req.headers, body = req.body,
    timeout = timeout or self.timeout, total_timeout = remaining, idempotent = idempotent,
  }, 1)
end

-- Every page of a list call, the items at a path, and waiting for a state
-- (cloudapi.paginate, cloudapi.wait; loaded on first use). A client class
-- says where a call's parameters are in CALL (see paginate.lua).
function Methods:pages(...) return require("cloudapi.paginate").pages(self, ...) end
function Methods:items(...) return require("cloudapi.paginate").items(self, ...) end
function Methods:wait(...) return require("cloudapi.wait").wait(self, ...) end

function Methods:close()
  if self.transport.close then self.transport:close() end
end

-- A prepared request prints without its signature or token.
M.Request = {
  __name = "cloudapi.request",
  __tostring = function(self) return self.method .. " " .. errors.safe_url(self.url) end,
}

-- class(name) -> a client metatable with the shared methods
function M.class(name)
  local class = { __name = name }
  class.__index = class
  for k, f in pairs(Methods) do class[k] = f end
  return class
end

return M
