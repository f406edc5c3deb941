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

local M = {}

local Client = client.class("cloudapi.aliyun")

function Client:__tostring()
  return string.format("cloudapi.aliyun(%s, %s, %s)", self.product, tostring(self.region), self.base_url)
end

Client.URL_HINT = "create the client with method = \"POST\" to send large parameters"
Client.SIGNATURE = decode.SIGNATURE

local argcheck = options.checker("cloudapi.aliyun.new")

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
  local format = (opts.format or "JSON"):upper()
  argcheck(format == "JSON" or format == "XML", "format must be \"JSON\" or \"XML\"")
  local method = (opts.method or "GET"):upper()
  argcheck(method == "GET" or method == "POST", "method must be \"GET\" or \"POST\"")
  local signature = opts.signature or "v1"
  local step = STEPS[signature]
  argcheck(step, "signature must be \"v1\" or \"ACS3-HMAC-SHA256\"")
  argcheck(step == sign_v1 or format == "JSON", "format = \"XML\" needs signature v1 (ACS3 answers JSON)")
  argcheck(opts.client_token == nil or type(opts.client_token) == "boolean", "client_token must be a boolean")
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
    xml_lists = opts.xml_lists,
    client_token = opts.client_token ~= false,
    token_actions = token_actions,
    signature = signature,
    step = step.build, -- builds and signs one attempt
    prepared = step.prepared, -- makes a built request the one prepare returns
    eager = step == sign_v1, -- prepare signs v1's string to sign at once, ACS3's details when read
    SIGNATURE = step ~= sign_v1 and step.SIGNATURE or nil, -- how a mismatch is diagnosed
  }, opts, { check = argcheck, host = host, env = creds_spec.ENV,
             label = "aliyun " .. product })
  self.get_prefix = self.base_url .. "/?"
  self.post_url = self.base_url .. "/"
  return setmetatable(self, Client)
end

local FIELDS = creds_spec.FIELDS
local credentials = client.credentials
local MAX_URL = client.MAX_URL

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
  local creds, err = credentials(self, FIELDS)
  if not creds then return nil, err end
  local extra
  if type(action) == "table" then action, extra = action[1], action[2] end
  local req
  req, err = self.step(self, creds, action, args, nil, self.clock() + self.clock_offset, false,
                       timeout, remaining, idempotent, extra)
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
      timestamp = core.timestamp(timestamp)
    elseif timestamp ~= nil and type(timestamp) ~= "string" then
      return nil, errors.config("timestamp must be a string or a number of seconds")
    end
    if nonce ~= nil and (type(nonce) ~= "string" or nonce == "") then
      return nil, errors.config("nonce must be a non-empty string")
    end
  end
  local creds
  creds, err = credentials(self, FIELDS)
  if not creds then return nil, err end
  local req
  req, err = self.step(self, creds, action, args, nonce, timestamp or (self.clock() + self.clock_offset),
                       self.eager, nil, nil, nil, extra)
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
  local token = args and type(args) == "table" and args.ClientToken
  if token ~= nil and (type(token) ~= "string" or #token == 0 or #token > 64 or token:find("[^\32-\126]")) then
    return nil, errors.config("parameter 'ClientToken' must be 1 to 64 printable ASCII characters")
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
