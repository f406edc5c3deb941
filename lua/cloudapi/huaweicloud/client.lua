-- The Huawei Cloud REST client (VPC Endpoint, IAM, ...): its options, and
-- the steps it plugs into the client skeleton (cloudapi.client): build and
-- sign (huaweicloud/build), decode (huaweicloud/decode), and IAM tokens
-- and project ids (huaweicloud/iam) for what a call needs first.
local client = require "cloudapi.client"
local errors = require "cloudapi.errors"
local options = require "cloudapi.options"
local rest = require "cloudapi.rest"
local build = require "cloudapi.huaweicloud.build"
local decode = require "cloudapi.huaweicloud.decode"
local endpoints = require "cloudapi.huaweicloud.endpoints"
local creds_spec = require "cloudapi.huaweicloud.credentials"
local iam = require "cloudapi.huaweicloud.iam"
local url = require "cloudapi.url"
local retry = require "cloudapi.retry"
local monotonic = require("cloudapi.core").monotonic

local M = {}

-- Services addressed by domain, not project: they get X-Domain-Id.
local GLOBAL = { iam = true, bss = true, ["bss-intl"] = true, cdn = true, eps = true }

local Client = client.class("cloudapi.huaweicloud")

function Client:__tostring()
  return string.format("cloudapi.huaweicloud(%s, %s, %s)", self.service, tostring(self.region), self.base_url)
end

Client.URL_HINT = "send large values in the body"
Client.SIGNATURE = decode.SIGNATURE
Client.CALL = { method = "request", query = 3, opts = 3 } -- request(method, path, {query=})

local argcheck = options.checker("cloudapi.huaweicloud.new")

local function optional_id(v, name)
  argcheck(v == nil or (type(v) == "string" and v:match("^[%w%-_]+$")), name .. " must be an id string")
  return v
end

-- The retry policy for an IAM request of a call: the call's, with the
-- time it has left (IAM shares the call's deadline).
local function left(self, call)
  local p = call and call.policy or self.retry
  if not (call and call.started and p.deadline) then return p end
  local remaining = p.deadline - (monotonic() - call.started)
  if remaining <= 0 then
    return nil, errors.new{ kind = "timeout", message = string.format(
      "deadline of %gs reached before the IAM request", p.deadline) }
  end
  return retry.with_deadline(p, remaining)
end

-- What IAM needs of a client: where it is, the scope, and two functions
-- that send through the client's attempt loop (retries, deadline,
-- redaction, events).
local function lend_iam(self, iam_url)
  return {
    url = iam_url.base, region = self.region, project_id = self.project_id, shared_dict = self.shared_dict,
    send = function(req, call)
      req.headers["User-Agent"] = self.user_agent
      local p, err = left(self, call)
      if not p then return nil, err end
      -- Asking for a token again is harmless: retried like a GET.
      return client.run(self, p, call and call.timeout or self.timeout, true, { prepared = req })
    end,
    get = function(path, query, call) return self:iam_get(iam_url, path, query, call) end,
  }
end

-- new{service=, region=, project_id=, domain_id=, endpoint=, iam_endpoint=,
--     credentials=, auth=, algorithm=, timeout=, retry=, clock=, transport=, tls=,
--     shared_dict=, on_event=}
function M.new(opts)
  argcheck(type(opts) == "table", "expected a table of options, got a " .. type(opts))
  local service = opts.service
  argcheck(type(service) == "string" and service:match("^[%w%-]+$"), "service must be a name such as \"vpcep\"")
  service = service:lower()
  local region = opts.region
  argcheck(region == nil or (type(region) == "string" and region:match("^[%w%-]+$")),
           "region must be a region id such as \"cn-north-4\"")
  argcheck(region ~= nil or opts.endpoint ~= nil or GLOBAL[service],
           "region is required for the regional service '" .. service .. "' (or pass endpoint)")
  local algorithm = opts.algorithm or "SDK-HMAC-SHA256"
  argcheck(algorithm == "SDK-HMAC-SHA256" or algorithm == "V11-HMAC-SHA256",
           "algorithm must be \"SDK-HMAC-SHA256\" or \"V11-HMAC-SHA256\"")
  argcheck(algorithm ~= "V11-HMAC-SHA256" or region ~= nil, "the V11 algorithm needs a region")
  local auth = opts.auth
  argcheck(auth == nil or auth == "aksk" or auth == "token", "auth must be \"aksk\" or \"token\"")
  local c = opts.credentials
  if auth == nil and type(c) == "table" and type(c.get) ~= "function" then
    auth = c.password ~= nil and "token" or "aksk"
  end -- else the first credential decides
  local dict = opts.shared_dict
  argcheck(dict == nil or type(dict) == "string", "shared_dict must be the name of a lua_shared_dict")
  argcheck(dict == nil or (ngx and ngx.shared), "shared_dict needs OpenResty (ngx.shared)")
  argcheck(dict == nil or ngx.shared[dict], "no lua_shared_dict named '" .. tostring(dict) .. "'")
  local self = client.init({
    service = service,
    region = region,
    project_id = optional_id(opts.project_id, "project_id") or os.getenv("HUAWEICLOUD_SDK_PROJECT_ID"),
    domain_id = optional_id(opts.domain_id, "domain_id") or os.getenv("HUAWEICLOUD_SDK_DOMAIN_ID"),
    global = GLOBAL[service] or false,
    algorithm = algorithm,
    auth = auth,
    shared_dict = dict,
    paths = require("cloudapi.path").cache(), -- filled paths without per-call values
  }, opts, { check = argcheck, host = endpoints.host(service, region),
             credentials = creds_spec.default_provider,
             label = "huaweicloud " .. service })
  -- An overridden endpoint (an emulator, a proxy) serves IAM too unless told otherwise.
  local iam_url = opts.iam_endpoint and options.url(opts.iam_endpoint, nil, argcheck)
                  or (opts.endpoint and options.url(opts.endpoint, nil, argcheck))
                  or options.url(nil, endpoints.host("iam", region), argcheck)
  self.iam_url = iam_url.base
  self.iam = lend_iam(self, iam_url)
  self.iam_given = opts.iam_endpoint ~= nil or opts.endpoint ~= nil
  self.cred_ctx.global = self.global -- a profile reads [global] for global services
  return setmetatable(self, Client)
end

local TOKEN, AKSK = creds_spec.TOKEN, creds_spec.AKSK

-- What the client was not given, a credential may bring (a profile's
-- project_id, domain_id, iam_endpoint).
local function adopt(self, creds)
  for _, k in ipairs({ "project_id", "domain_id" }) do
    local v = creds[k]
    if v ~= nil and not (type(v) == "string" and v:match("^[%w%-_]+$")) then
      return nil, errors.new{ kind = "credentials", message = "the credential's " .. k .. " is not an id" }
    end
  end
  if self.project_id == nil then self.project_id, self.iam.project_id = creds.project_id, creds.project_id end
  if self.domain_id == nil then self.domain_id = creds.domain_id end
  if creds.iam_endpoint and not self.iam_given then
    local u, why = url.parse(creds.iam_endpoint)
    if not u then return nil, errors.new{ kind = "credentials", message = "the credential's iam_endpoint: " .. why } end
    self.iam_url, self.iam = u.base, lend_iam(self, u)
  end
  self.adopted = true
  return creds
end

-- The first credential: it decides the auth method unless the client was
-- told (a password means IAM tokens), and lends what the client lacks.
local function first_credentials(self, remaining)
  local v, err = self.provider:get(client.credential_ctx(self, remaining))
  if self.auth == nil and type(v) == "table" then self.auth = v.password ~= nil and "token" or "aksk" end
  local creds
  creds, err = client.accept(self, self.auth == "token" and TOKEN or AKSK, v, err)
  if not creds then return nil, err end
  return adopt(self, creds)
end

-- The credentials of the client's auth method.
local function credentials(self, remaining)
  if not self.adopted then return first_credentials(self, remaining) end
  return client.credentials(self, self.auth == "token" and TOKEN or AKSK, remaining)
end

-- A signed (or token) GET to IAM with this client's credentials, through
-- the attempt loop: each attempt signed anew.
function Client:iam_get(iam_url, path, query, call)
  local creds, err = credentials(self)
  if not creds then return nil, err end
  local ctx = { creds = creds, global = true, method = "GET", path = path, opts = { query = query },
                base = iam_url.base, hostport = iam_url.hostport, call = call }
  if self.auth == "token" then
    local entry
    entry, err = iam.token(self.iam, creds, nil, call)
    if not entry then return nil, err end
    client.hold_token(self, entry.token)
    ctx.token = entry.token
  end
  local p
  p, err = left(self, call)
  if not p then return nil, err end
  return client.run(self, p, call and call.timeout or self.timeout, true, ctx)
end

-- build(ctx, _, timeout, remaining, idempotent) -> req | nil, err: one
-- attempt, signed now (a fresh X-Sdk-Date); or a copy of a request made
-- elsewhere (ctx.prepared: the IAM token request).
function Client:build(ctx, _, timeout, remaining, idempotent)
  local pre = ctx.prepared
  if pre then
    return { method = pre.method, url = pre.url, headers = pre.headers, body = pre.body, timeout = timeout,
             total_timeout = remaining, idempotent = idempotent }
  end
  local req, err = build.request(self, ctx.base or self.base_url, ctx.hostport or self.hostport, ctx.method,
                                 ctx.path, ctx.opts, ctx)
  if not req then return nil, err end
  req.timeout, req.total_timeout, req.idempotent = timeout, remaining, idempotent
  if #req.url > client.MAX_URL then return client.too_long(self, req) end
  return req
end

-- prepare(method, path, {query=, headers=, body=, path=}, {date=}) -> req | nil, err
-- Pure: no I/O. Token auth needs a cached token (after one request()).
function Client:prepare(method, path, opts, sign_opts)
  local creds, err = credentials(self)
  if not creds then return nil, err end
  local ctx = { creds = creds, project_id = self.project_id, global = self.global,
                date = sign_opts and sign_opts.date }
  if ctx.date ~= nil and (type(ctx.date) ~= "string" or not ctx.date:match("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$")) then
    return nil, errors.config("date must look like 20200608T023900Z")
  end
  if self.auth == "token" then
    local entry = self.token_seen and iam.cached(self.iam, creds)
    if not entry then
      return nil, errors.config("token auth: no valid token cached yet; call request() first")
    end
    client.hold_token(self, entry.token)
    ctx.token = entry.token
    ctx.project_id = ctx.project_id or entry.project_id
  end
  local req
  req, err = build.request(self, self.base_url, self.hostport, method, path, opts, ctx)
  if not req then return nil, err end
  if #req.url > client.MAX_URL then return client.too_long(self, req) end
  return setmetatable(req, client.Request)
end

-- decode(req, res) -> result, nil, request_id | nil, err
function Client:decode(_, res)
  return decode.response(res)
end

function Client:skewed(err)
  return self.auth ~= "token" and decode.skewed(err)
end

-- A token the gateway no longer accepts: refresh it and sign again once.
function Client:reauth(err, ctx)
  if err.status ~= 401 or not (ctx and ctx.token) then return false end
  iam.forget_token(self.iam, ctx.creds)
  local entry, why = iam.token(self.iam, ctx.creds, { force = true }, ctx.call)
  if not entry then return false, why end
  ctx.token = entry.token
  client.hold_token(self, entry.token)
  return true
end

function Client:signed_string()
  return nil -- req.canonical_request is always kept
end

-- request(method, path, opts) -> result, nil, info | nil, err
-- opts: query=, headers=, body=, path= (template values), and per call
-- retry= (false or a table), deadline=, timeout=, idempotent= (true lets a
-- POST/PATCH be retried like a GET). info.attempts says how many attempts
-- were made, info.errors the failures before the success.
function Client:request(method, path, opts)
  local policy, timeout, why = options.call(self, opts)
  if why then return nil, errors.config(why) end
  if opts and opts.idempotent ~= nil and type(opts.idempotent) ~= "boolean" then
    return nil, errors.config("idempotent must be a boolean, got a " .. type(opts.idempotent))
  end
  local creds, err = credentials(self, policy.deadline) -- a fetch ends by the call's deadline
  if not creds then return nil, err end
  local ctx = { creds = creds, project_id = self.project_id, global = self.global,
                method = method, path = path, opts = opts }
  local needs_pid = not ctx.project_id and type(path) == "string" and path:find("{project_id}", 1, true)
  local call -- what IAM requests share with the call: its policy, timeouts and start
  if self.auth == "token" or needs_pid then
    call = { policy = policy, timeout = timeout, started = monotonic() }
    ctx.call = call
  end
  if self.auth == "token" then
    local entry
    entry, err = iam.token(self.iam, creds, nil, call)
    if not entry then return nil, err end
    client.hold_token(self, entry.token)
    self.token_seen = true -- prepare may use the cached token now
    ctx.token = entry.token
    ctx.project_id = ctx.project_id or entry.project_id
  end
  if not ctx.project_id and needs_pid then
    if not self.region then
      return nil, errors.config("path needs {project_id}: pass project_id or region")
    end
    local id
    id, err = iam.project_id(self.iam, creds.ak or creds.username, call)
    if not id then return nil, err end
    ctx.project_id = id
  end
  if call then -- IAM took some of the call's time
    policy, err = left(self, call)
    if not policy then return nil, err end
  end
  return client.run(self, policy, timeout, rest.idempotent(method, opts), ctx)
end

rest.shorthands(Client)

return M
