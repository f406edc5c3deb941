-- The Alibaba Cloud RPC client (ECS, VPC/EIP and every ?Action= product):
-- its options, and the steps it plugs into the client skeleton
-- (cloudapi.client): build and sign (aliyun/sign_v1, or aliyun/sign_acs3
-- under signature = "ACS3-HMAC-SHA256", chosen once at construction),
-- decode (aliyun/decode), and the ClientToken that makes a retried create
-- safe.
local core = require "cloudapi.core"
local client = require "cloudapi.client"
local errors = require "cloudapi.errors"
local options = require "cloudapi.options"
local endpoints = require "cloudapi.aliyun.endpoints"
local decode = require "cloudapi.aliyun.decode"
local creds_spec = require "cloudapi.aliyun.credentials"
local sign_v1 = require "cloudapi.aliyun.sign_v1"
local headers_check = require "cloudapi.headers"
local clock = require "cloudapi.clock"
local tables = require "cloudapi.tables"

local M = {}

local Client = client.class("cloudapi.aliyun")

function Client:__tostring()
  return string.format("cloudapi.aliyun(%s, %s, %s)", self.product, tostring(self.region), self.base_url)
end

Client.CALL = { method = "call", params = 2, opts = 3 } -- call(action, params, opts)
Client.URL_HINT = "create the client with method = \"POST\" to send large parameters"
Client.SIGNATURE = decode.SIGNATURE

local argcheck = options.checker("cloudapi.aliyun.new")
local shown = errors.show

-- one_of(v, name, default, other) -> v upper-cased, when it names one of the two
local function one_of(v, name, default, other)
  if v == nil then return default end
  local up = type(v) == "string" and v:upper()
  argcheck(up == default or up == other,
           name .. " must be \"" .. default .. "\" or \"" .. other .. "\", got " .. shown(v))
  return up
end

-- xml_lists: a set of dotted paths ({["A.B"] = true}) or a list of them,
-- kept as a set.
local function xml_lists(v)
  if v == nil then return nil end
  argcheck(type(v) == "table", "xml_lists must be a set of dotted paths {[\"A.B\"] = true}, got " .. shown(v))
  local set = {}
  for k, on in pairs(v) do
    local path = type(k) == "number" and on or k
    argcheck(type(path) == "string" and path ~= "" and (type(k) == "number" or on == true),
             "xml_lists must be a set of dotted paths {[\"A.B\"] = true}, got an entry " .. shown(path))
    set[path] = true
  end
  return set
end

-- Actions that create resources: the client gives each logical call a
-- ClientToken (kept on every retry) so a retry never creates a duplicate.
local CREATE_PREFIXES = { "Create", "Allocate", "Run", "Purchase" }

-- The signature families and their build steps.
local STEPS = { v1 = sign_v1, ["ACS3-HMAC-SHA256"] = require "cloudapi.aliyun.sign_acs3" }

-- Headers a caller may not set (the form body's Content-Type included).
local RESERVED_HEADERS = { ["content-type"] = true }
for k in pairs(STEPS["ACS3-HMAC-SHA256"].RESERVED_HEADERS) do RESERVED_HEADERS[k] = true end

-- new{product=, region=, endpoint=, credentials=, version=, format=,
--     method=, signature=, network=, timeout=, retry=, client_token=, token_actions=, clock=,
--     transport=, tls=, xml_lists=, on_event=}
function M.new(opts)
  argcheck(type(opts) == "table", "expected a table of options, got a " .. type(opts))
  local product, region, version, host = endpoints.where(opts, endpoints.DEFAULT_VERSIONS, argcheck,
                                                        "\"ecs\" or \"vpc\"")
  local format = one_of(opts.format, "format", "JSON", "XML")
  local method = one_of(opts.method, "method", "GET", "POST")
  local signature = opts.signature or "v1"
  local step = STEPS[signature]
  argcheck(step, "signature must be \"v1\" or \"ACS3-HMAC-SHA256\"")
  argcheck(step == sign_v1 or format == "JSON", "format = \"XML\" needs signature v1 (ACS3 answers JSON)")
  argcheck(opts.client_token == nil or type(opts.client_token) == "boolean",
           "client_token must be a boolean, got " .. shown(opts.client_token))
  local token_actions = {}
  argcheck(opts.token_actions == nil or type(opts.token_actions) == "table",
           "token_actions must be a list of action names")
  for _, name in ipairs(opts.token_actions or {}) do
    argcheck(type(name) == "string", "token_actions must be a list of action names")
    token_actions[name] = true
  end
  local self = client.init({
    product = product,
    region = region,
    version = version,
    format = format,
    method = method,
    actions = {}, -- action names already checked
    creates = {}, -- action name -> whether it creates resources
    xml_lists = xml_lists(opts.xml_lists),
    client_token = opts.client_token ~= false,
    token_actions = token_actions,
    signature = signature,
    step = step.build, -- builds and signs one attempt
    prepared = step.prepared, -- makes a built request the one prepare returns
    eager = step == sign_v1, -- prepare signs v1's string to sign at once, ACS3's details when read
    SIGNATURE = step ~= sign_v1 and step.SIGNATURE or nil, -- how a mismatch is diagnosed
  }, opts, { check = argcheck, host = host, credentials = creds_spec.default_provider,
             label = "aliyun " .. product })
  self.get_prefix = self.base_url .. "/?"
  self.post_url = self.base_url .. "/"
  return setmetatable(self, Client)
end

local FIELDS = creds_spec.FIELDS
local credentials = client.credentials
local MAX_URL = client.MAX_URL
local clock_now, wall = clock.now, core.now

-- now(self) -> the time to sign with | nil, err: the system clock needs no
-- check (the hot path, inline); a caller's clock is checked (clock.now).
local function now(self)
  local t = self.clock == wall and wall() + self.clock_offset
  if t then return t end
  local bad
  t, bad = clock_now(self)
  if not t then return nil, errors.config(bad) end
  return t
end

local function check_action(self, action)
  if self.actions[action] then return true end
  if type(action) ~= "string" or action == "" then
    return nil, errors.config("action must be a non-empty string, got " ..
                              (action == "" and "an empty string" or "a " .. type(action)))
  end
  if not action:match("^%w+$") then
    return nil, errors.config("action '" .. action .. "' is not a valid action name")
  end
  self.actions[action] = true
  return true
end

-- build(action, args, timeout, remaining, idempotent) -> req | nil, err:
-- one attempt, signed now. action is {action, headers} when the call has
-- headers of its own.
function Client:build(action, args, timeout, remaining, idempotent)
  local creds, err = credentials(self, FIELDS, remaining)
  if not creds then return nil, err end
  local extra
  if type(action) == "table" then action, extra = action[1], action[2] end
  local t
  t, err = now(self)
  if not t then return nil, err end
  local req
  req, err = self.step(self, creds, action, args, nil, t, false, timeout, remaining, idempotent, extra)
  if not req then return nil, err end
  if #req.url > MAX_URL then return client.too_long(self, req) end
  return req
end

-- The caller's headers, checked once per call: a copy | nil, nil | nil, err
local function extra_headers(h)
  if h == nil then return nil end
  local out, why = headers_check.check(h, RESERVED_HEADERS)
  if not out then return nil, errors.config(why) end
  return out
end

-- prepare(action, params, {nonce=, timestamp=, headers=}) -> request | nil, err
-- (ACS3: the request keeps its canonical_request and string_to_sign)
function Client:prepare(action, args, opts)
  local ok, err = check_action(self, action)
  if not ok then return nil, err end
  local timestamp, nonce, extra
  if opts then
    extra, err = extra_headers(opts.headers)
    if err then return nil, err end
    timestamp, nonce = opts.timestamp, opts.nonce
    if type(timestamp) == "number" then
      if not (timestamp >= clock.MIN and timestamp < clock.MAX) then
        return nil, errors.config("timestamp must be seconds from 1970 to 9999, got " .. shown(timestamp))
      end
      timestamp = core.timestamp(timestamp)
    elseif timestamp ~= nil and (type(timestamp) ~= "string" or timestamp:find("%c")) then
      -- (ACS3 sends both as headers: a control character would split one)
      return nil, errors.config("timestamp must be a string without control characters or a number of seconds")
    end
    local bad = nonce ~= nil and options.bad_nonce(nonce)
    if bad then return nil, errors.config(bad) end
  end
  local creds
  creds, err = credentials(self, FIELDS)
  if not creds then return nil, err end
  if not timestamp then
    timestamp, err = now(self)
    if not timestamp then return nil, err end
  end
  local req
  req, err = self.step(self, creds, action, args, nonce, timestamp, self.eager, nil, nil, nil, extra)
  if not req then return nil, err end
  if #req.url > MAX_URL then return client.too_long(self, req) end
  return self.prepared(self, req)
end

-- decode(req, res) -> result, nil, request_id | nil, err
Client.decode = decode.response

function Client:skewed(err)
  return decode.SKEW_CODES[err.code] == true
end

function Client:signed_string(req)
  local creds = credentials(self, FIELDS)
  return creds and STEPS[self.signature].string_to_sign(self, creds, req)
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
-- timeout ({connect=, read=}), client_token (false: never add one),
-- headers (added to every attempt; signed when x-acs-* under ACS3).
-- info.attempts says how many attempts were made, info.errors the failures
-- before the success.
function Client:call(action, args, opts)
  local policy, timeout, why = options.call(self, opts)
  if why then return nil, errors.config(why) end
  if type(action) ~= "string" or action == "" then
    return self:prepare(action, args) -- the same clear config error
  end
  if args ~= nil and type(args) ~= "table" then
    return nil, errors.config("parameters must be a table, got a " .. type(args))
  end
  if opts and opts.client_token ~= nil and type(opts.client_token) ~= "boolean" then
    return nil, errors.config("client_token must be a boolean, got a " .. type(opts.client_token))
  end
  local token = args and args.ClientToken
  if token ~= nil and (type(token) ~= "string" or #token == 0 or #token > 64 or token:find("[^\32-\126]")) then
    return nil, errors.config("parameter 'ClientToken' must be 1 to 64 printable ASCII characters")
  end
  local wants_token = self.client_token and not (opts and opts.client_token == false)
  local is_create = creates(self, action)
  if token == nil and wants_token and is_create then
    -- One token per logical call, the same on every retry.
    local plain, unlisted = tables.plain(args or {})
    if not plain then return nil, errors.config("the parameters table " .. unlisted) end
    local copy = {}
    for k, v in pairs(plain) do copy[k] = v end
    copy.ClientToken = core.nonce()
    args = copy
    token = copy.ClientToken
  end
  local ok, aerr = check_action(self, action)
  if not ok then return nil, aerr end
  local op = action
  if opts and opts.headers ~= nil then
    local extra, herr = extra_headers(opts.headers)
    if herr then return nil, herr end
    op = { action, extra }
  end
  return client.run(self, policy, timeout, token ~= nil or not is_create, op, args)
end

return M
