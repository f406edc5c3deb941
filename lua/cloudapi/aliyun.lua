-- Alibaba Cloud RPC client (ECS, VPC/EIP and every ?Action= product):
-- builds the flat parameter set, signs it (v1, HMAC-SHA1) through the C
-- core, sends it, decodes the answer into a table or an error object.
local core = require "cloudapi.core"
local params = require "cloudapi.params"
local errors = require "cloudapi.errors"
local decode = require "cloudapi.decode"
local credentials = require "cloudapi.credentials"
local endpoints = require "cloudapi.endpoints"
local retry = require "cloudapi.retry"
local options = require "cloudapi.options"
local clock = require "cloudapi.clock"
local curl = require "cloudapi.transport.curl"

local M = {}

local byte = string.byte
local USER_AGENT = "cloudapi-lua/" .. core.version

local ENV = {
  "ALIBABA_CLOUD_ACCESS_KEY_ID",
  access_key_id = "ALIBABA_CLOUD_ACCESS_KEY_ID",
  access_key_secret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  security_token = "ALIBABA_CLOUD_SECURITY_TOKEN",
}

local REQUIRED, OPTIONAL = { "access_key_id", "access_key_secret" }, { "security_token" }

-- Parameters the client owns; a caller setting one is a mistake.
local RESERVED = {
  Action = true, Version = true, Format = true, AccessKeyId = true,
  Signature = true, SignatureMethod = true, SignatureVersion = true,
  SignatureNonce = true, Timestamp = true, SecurityToken = true,
}

M.DEFAULT_TIMEOUT = options.DEFAULT_TIMEOUT
M.MAX_URL = options.MAX_URL

local Client = {}
Client.__index = Client
Client.__name = "cloudapi.aliyun"

function Client:__tostring()
  return string.format("cloudapi.aliyun(%s, %s, %s)", self.product,
                       tostring(self.region), self.base_url)
end

local argcheck = options.checker("cloudapi.aliyun.new")

-- Actions that create resources: the client gives each logical call a
-- ClientToken (kept on every retry) so a retry never creates a duplicate.
local CREATE_PREFIXES = { "Create", "Allocate", "Run", "Purchase" }

-- Server answers meaning our clock is off.
local SKEW_CODES = { ["InvalidTimeStamp.Expired"] = true, IllegalTimestamp = true }

-- new{product=, region=, endpoint=, credentials=, version=, format=,
--     method=, timeout=, retry=, client_token=, token_actions=, clock=,
--     transport=, tls=, xml_lists=}
function M.new(opts)
  argcheck(type(opts) == "table", "expected a table of options, got a " .. type(opts))
  local product = opts.product
  argcheck(type(product) == "string" and product:match("^[%w%-]+$"),
           "product must be a name such as \"ecs\" or \"vpc\"")
  product = product:lower()
  local region = opts.region
  argcheck(region == nil or (type(region) == "string" and region:match("^[%w%-]+$")),
           "region must be a region id such as \"cn-hangzhou\"")
  local version = opts.version or endpoints.ALIYUN_DEFAULT_VERSIONS[product]
  argcheck(type(version) == "string" and version ~= "",
           "no default API version for product '" .. product .. "': pass version = \"YYYY-MM-DD\"")
  local format = (opts.format or "JSON"):upper()
  argcheck(format == "JSON" or format == "XML", "format must be \"JSON\" or \"XML\"")
  local method = (opts.method or "GET"):upper()
  argcheck(method == "GET" or method == "POST", "method must be \"GET\" or \"POST\"")
  local url = options.url(opts.endpoint, endpoints.aliyun_host(product, region), argcheck)
  local policy, why = retry.policy(opts.retry)
  argcheck(policy ~= nil, tostring(why))
  argcheck(opts.client_token == nil or type(opts.client_token) == "boolean", "client_token must be a boolean")
  local token_actions = {}
  argcheck(opts.token_actions == nil or type(opts.token_actions) == "table",
           "token_actions must be a list of action names")
  for _, name in ipairs(opts.token_actions or {}) do
    argcheck(type(name) == "string", "token_actions must be a list of action names")
    token_actions[name] = true
  end
  local clock_fn = clock.source(opts.clock)
  argcheck(clock_fn, "clock must be a function returning seconds since the epoch")
  return setmetatable({
    product = product,
    region = region,
    version = version,
    format = format,
    method = method,
    base_url = url.base,
    get_prefix = url.base .. "/?",
    post_url = url.base .. "/",
    host = url.host,
    actions = {}, -- action names already checked
    creates = {}, -- action name -> whether it creates resources
    provider = credentials.provider(opts.credentials, ENV),
    transport = options.transport(opts.transport, opts.tls, argcheck),
    timeout = options.timeout(opts.timeout, M.DEFAULT_TIMEOUT, argcheck),
    xml_lists = opts.xml_lists,
    retry = policy,
    client_token = opts.client_token ~= false,
    token_actions = token_actions,
    clock = clock_fn,
    clock_offset = 0,
  }, Client)
end

local function config_error(msg)
  return errors.new{ kind = "config", message = msg }
end

-- A prepared request prints without its signature or security token.
local Request = {}
Request.__index = Request
Request.__name = "cloudapi.request"
function Request:__tostring()
  local url = self.url:gsub("([?&]Signature=)[^&]*", "%1[REDACTED]")
                      :gsub("([?&]SecurityToken=)[^&]*", "%1[REDACTED]")
  return self.method .. " " .. url
end

-- prepare(action, params, {nonce=, timestamp=}) -> request | nil, err
local EMPTY = {}

-- Header tables of requests a call makes and never hands out: shared.
local CALL_HEADERS = {
  GET = { ["User-Agent"] = USER_AGENT },
  POST = { ["User-Agent"] = USER_AGENT, ["Content-Type"] = "application/x-www-form-urlencoded" },
}

-- info.headers is parsed when first read (info[Info] holds the raw block
-- or the table); info.errors is the shared empty list until an attempt
-- failed. Four fields: the smallest hash part.
local NO_ERRORS = retry.NO_ERRORS
local Info = {}
Info.__index = function(t, k)
  if k == "errors" then return NO_ERRORS end
  if k ~= "headers" then return nil end
  local h = rawget(t, Info)
  if type(h) == "string" then h = core.parse_headers(h) end
  rawset(t, "headers", h)
  return h
end

-- Sign through the C fast path (a table of strings, integers, booleans,
-- arrays and maps of them) or return nil for the general one. The prefix
-- (the URL up to "?" for GET) comes back in front of the signed query; the
-- core adds SignatureMethod, SignatureVersion, SignatureNonce (drawn there
-- when nonce is nil) and Timestamp (time: seconds, or the string).
local function sign_fast(self, prefix, args, creds, action, nonce, time, want_sts)
  if args ~= nil and type(args) ~= "table" then return nil end
  args = args or EMPTY
  local m, secret, id, token = self.method, creds.access_key_secret, creds.access_key_id, creds.security_token
  local region = args.RegionId == nil and self.region or nil
  if token and token ~= "" then
    if region then
      return core.rpc_sign_args(m, secret, args, RESERVED, prefix, want_sts, time, nonce, "Action", action,
        "Version", self.version, "Format", self.format, "AccessKeyId", id, "SecurityToken", token,
        "RegionId", region)
    end
    return core.rpc_sign_args(m, secret, args, RESERVED, prefix, want_sts, time, nonce, "Action", action,
      "Version", self.version, "Format", self.format, "AccessKeyId", id, "SecurityToken", token)
  end
  if region then
    return core.rpc_sign_args(m, secret, args, RESERVED, prefix, want_sts, time, nonce, "Action", action,
      "Version", self.version, "Format", self.format, "AccessKeyId", id, "RegionId", region)
  end
  return core.rpc_sign_args(m, secret, args, RESERVED, prefix, want_sts, time, nonce, "Action", action,
    "Version", self.version, "Format", self.format, "AccessKeyId", id)
end

-- The general path: flatten in Lua (RepeatLists, maps, cloudapi.json,
-- any number), with an error naming any parameter that cannot be sent.
local function sign_general(self, prefix, args, creds, action, nonce, timestamp)
  local flat, why = params.flatten(args, RESERVED)
  if not flat then return nil, nil, why end
  nonce = nonce or core.nonce()
  if type(timestamp) == "number" then timestamp = core.timestamp(timestamp) end
  flat.Action = action
  flat.Version = self.version
  flat.Format = self.format
  flat.AccessKeyId = creds.access_key_id
  flat.SignatureMethod = "HMAC-SHA1"
  flat.SignatureVersion = "1.0"
  flat.SignatureNonce = nonce
  flat.Timestamp = timestamp
  if creds.security_token and creds.security_token ~= "" then
    flat.SecurityToken = creds.security_token
  end
  if flat.RegionId == nil and self.region then flat.RegionId = self.region end
  local signed, sts = core.rpc_sign(self.method, flat, creds.access_key_secret)
  return prefix .. signed, sts
end

local function check_action(self, action)
  if self.actions[action] then return true end
  if type(action) ~= "string" or action == "" then
    return nil, config_error("action must be a non-empty string, got " ..
                             (action == "" and "an empty string" or "a " .. type(action)))
  end
  if not action:match("^%w+$") then
    return nil, config_error("action '" .. action .. "' is not a valid action name")
  end
  self.actions[action] = true
  return true
end

-- The secrets to scrub from errors about a request signed with creds; one
-- list per credentials table, not one per request.
local function secrets_of(self, creds)
  if self.secrets_for ~= creds then
    self.secrets_for = creds
    -- The previous ones too: an answer may arrive after the credentials
    -- changed, quoting the old token.
    local old = self.secrets or {}
    self.secrets = { creds.access_key_secret, creds.security_token, old[1], old[2] }
  end
  return self.secrets
end

-- Scrub an error about a request of this client with the secrets it signs
-- with (current and previous): requests carry none, so no dump shows any.
local function scrub(self, e)
  return errors.redact(e, self.secrets)
end

-- build(action, args, nonce, time, want_sts [, timeout, remaining,
--       idempotent]) -> req | nil, err
-- nonce nil: a fresh one; time: seconds since the epoch or a timestamp.
-- With a timeout the request also carries the fields a transport reads
-- (a call hands it over as is: one table, sized once).
local function build(self, action, args, nonce, timestamp, want_sts, timeout, remaining, idempotent)
  local creds, err = credentials.fetch(self.provider, REQUIRED, OPTIONAL)
  if not creds then return nil, err end
  local get = self.method == "GET"
  local prefix = get and self.get_prefix or ""
  local signed, sts = sign_fast(self, prefix, args, creds, action, nonce, timestamp, want_sts)
  if not signed then
    local why
    signed, sts, why = sign_general(self, prefix, args, creds, action, nonce, timestamp)
    if not signed then return nil, config_error(why) end
  end
  if get and #signed > M.MAX_URL then
    return nil, config_error(string.format("the request URL would be %d bytes (over %d): " ..
      "create the client with method = \"POST\" to send large parameters", #signed, M.MAX_URL))
  end
  local req
  if timeout then -- eight fields for a GET: the smallest hash that holds them
    if get then
      req = { method = "GET", url = signed, action = action, args = args, headers = CALL_HEADERS.GET,
              timeout = timeout, total_timeout = remaining, idempotent = idempotent }
    else
      req = { method = "POST", url = self.post_url, body = signed, action = action, args = args,
              headers = CALL_HEADERS.POST, timeout = timeout, total_timeout = remaining,
              idempotent = idempotent }
    end
  elseif get then -- prepare: the caller may change its headers
    req = { method = "GET", url = signed, action = action, args = args,
            headers = { ["User-Agent"] = USER_AGENT } }
  else
    req = { method = "POST", url = self.post_url, body = signed, action = action, args = args,
            headers = { ["User-Agent"] = USER_AGENT, ["Content-Type"] = "application/x-www-form-urlencoded" } }
  end
  -- args, with the nonce and time in the query, is enough to sign it again.
  if sts then req.string_to_sign = sts end
  secrets_of(self, creds)
  return setmetatable(req, Request)
end

function Client:prepare(action, args, opts)
  local ok, err = check_action(self, action)
  if not ok then return nil, err end
  local timestamp, nonce
  if opts then
    timestamp, nonce = opts.timestamp, opts.nonce
    if type(timestamp) == "number" then
      timestamp = core.timestamp(timestamp)
    elseif timestamp ~= nil and type(timestamp) ~= "string" then
      return nil, config_error("timestamp must be a string or a number of seconds")
    end
    if nonce ~= nil and (type(nonce) ~= "string" or nonce == "") then
      return nil, config_error("nonce must be a non-empty string")
    end
  end
  return build(self, action, args, nonce, timestamp or (self.clock() + self.clock_offset), true)
end

local SIGNATURE_NAMES = { who = "server", what = "string to sign", whats = "strings to sign",
                         secret = "AccessKeySecret", id = "AccessKeyId" }

local SUCCESS_CODES = { ["200"] = true, OK = true, Success = true, ["0"] = true }

-- Turn an HTTP response into result, nil, info | nil, err.
function Client:decode_response(req, res)
  local body = res.body or ""
  local first = byte(body, 1) == 123 and "{" or body:match("^%s*(.)")
  local value, why
  if first == "<" then
    local _
    _, value = decode.xml(body, self.xml_lists)
    if not _ then why = value; value = nil end
  elseif first == "{" then
    value, why = decode.json(body)
  else
    why = body == "" and "empty body" or "neither JSON nor XML"
  end
  local status = res.status
  local request_id = value and value.RequestId
  if request_id == nil then request_id = (res.headers or EMPTY)["x-acs-request-id"] end
  local is_error = status < 200 or status >= 300
  if value and not is_error and type(value.Code) == "string" and value.Message ~= nil
     and value.Success ~= true and not SUCCESS_CODES[value.Code] then
    is_error = true
  end
  if not is_error then
    if value then
      return value, nil, setmetatable({ status = status, request_id = request_id, attempts = 1,
                                        [Info] = curl.unparsed(res) or res.headers or {} }, Info)
    end
    return nil, errors.new{ kind = "decode", status = status, request_id = request_id,
                            message = "cannot decode the response: " .. tostring(why) ..
                                      " (body starts: " .. body:sub(1, 120) .. ")" }
  end
  local e = {
    kind = "service", status = status, request_id = request_id,
    code = value and value.Code or ("HTTP" .. status),
    message = value and value.Message or body:sub(1, 200),
    host_id = value and value.HostId,
    recommend = value and value.Recommend,
    action = req.action,
  }
  e.retryable = retry.retryable(e)
  e = errors.new(e)
  if e.code == "SignatureDoesNotMatch" or e.code == "IncompleteSignature" then
    local theirs = type(e.message) == "string" and e.message:match("string to sign is:%s*(.-)%s*$")
    if theirs == "" then theirs = nil end
    local ours = req.string_to_sign
    if not ours then -- calls skip it; sign the same request again to see it
      local signed = req.body or req.url
      local nonce = signed:match("[?&]SignatureNonce=([^&]*)")
      local stamp = signed:match("[?&]Timestamp=([^&]*)")
      if nonce and stamp then
        local unescape = function(s) return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)) end
        local again = build(self, req.action, req.args, unescape(nonce), unescape(stamp), true)
        ours = again and again.string_to_sign
      end
    end
    e.server_string_to_sign = theirs
    e.client_string_to_sign = theirs and ours
    errors.diagnose_signature(e, ours, theirs, SIGNATURE_NAMES)
  end
  return nil, e
end

-- One attempt: treq (what the transport gets: req itself, or a copy with
-- the timeouts) goes out, the answer is decoded.
local function transmit(self, req, treq)
  local res, kind, msg, maybe_sent = self.transport:send(treq)
  if not res then
    local e = errors.new{ kind = kind == "timeout" and "timeout" or
                                 (kind == "config" and "config" or "network"),
                          message = tostring(msg), action = req.action, maybe_sent = maybe_sent ~= false }
    e.retryable = e.kind ~= "config" and retry.retryable(e)
    return nil, scrub(self, e)
  end
  local result, err, info = self:decode_response(req, res)
  if not result then
    err.retry_after = retry.retry_after(res.headers)
    -- Our clock is off: learn the server's time from its Date header and
    -- let the attempt loop sign again once.
    if SKEW_CODES[err.code] and clock.learn(self, res.headers) then err.resign = true end
    return nil, scrub(self, err)
  end
  return result, nil, info
end

-- send(req [, timeout, remaining, idempotent]) -> result, nil, info | nil, err:
-- one attempt of a prepared request. timeout = {connect=, read=}; remaining:
-- seconds left before the call's deadline; idempotent = false for a create
-- without a ClientToken.
function Client:send(req, timeout, remaining, idempotent)
  timeout = timeout or self.timeout
  return transmit(self, req, {
    method = req.method, url = req.url, headers = req.headers, body = req.body,
    timeout = timeout, total_timeout = remaining, idempotent = idempotent,
  })
end

-- One attempt of a call: built and signed anew (fresh nonce and time). The
-- request never leaves the call, so it carries the transport fields itself.
local function attempt(_, remaining, self, action, args, timeout, idempotent)
  local req, err = build(self, action, args, nil, self.clock() + self.clock_offset, false,
                         timeout, remaining, idempotent)
  if not req then return nil, err end
  return transmit(self, req, req)
end

local function creates(self, action)
  local known = self.creates[action]
  if known ~= nil then return known end
  known = self.token_actions[action] == true
  for _, prefix in ipairs(CREATE_PREFIXES) do
    if action:sub(1, #prefix) == prefix then known = true end
  end
  self.creates[action] = known
  return known
end

-- call(action, params [, opts]) -> result, nil, info | nil, err
-- opts: retry (false or a table), deadline (seconds for the whole call),
-- timeout ({connect=, read=}), client_token (false: never add one).
-- info.attempts says how many attempts were made, info.errors the failures
-- before the success.
function Client:call(action, args, opts)
  local policy, timeout, why = options.call(self, opts)
  if why then return nil, config_error(why) end
  if type(action) ~= "string" or action == "" then
    return self:prepare(action, args) -- the same clear config error
  end
  local token = args and type(args) == "table" and args.ClientToken
  if token ~= nil and (type(token) ~= "string" or #token == 0 or #token > 64 or token:find("[^\32-\126]")) then
    return nil, config_error("parameter 'ClientToken' must be 1 to 64 printable ASCII characters")
  end
  local wants_token = self.client_token and not (opts and opts.client_token == false)
  local is_create = creates(self, action)
  if token == nil and wants_token and is_create then
    -- One token per logical call, the same on every retry.
    local copy = {}
    for k, v in pairs(args or {}) do copy[k] = v end
    copy.ClientToken = core.nonce()
    args = copy
    token = copy.ClientToken
  end
  local transport = self.transport
  local idempotent = token ~= nil or not is_create
  local ok, aerr = check_action(self, action)
  if not ok then return nil, aerr end
  return retry.run(policy, attempt, idempotent, transport, self, action, args, timeout, idempotent)
end

function Client:close()
  if self.transport.close then self.transport:close() end
end

return M
