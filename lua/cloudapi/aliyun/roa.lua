-- The Alibaba Cloud ROA client (REST products: Container Service, ...):
-- its options, the request it builds (path template, query, headers,
-- JSON or raw body), and the steps it plugs into the client skeleton
-- (cloudapi.client): sign (aliyun/sign_roa for "acs", aliyun/sign_acs3
-- for "ACS3-HMAC-SHA256", chosen once at construction) and decode
-- (aliyun/decode).
local core = require "cloudapi.core"
local client = require "cloudapi.client"
local errors = require "cloudapi.errors"
local clock = require "cloudapi.clock"
local options = require "cloudapi.options"
local paths, rest = require "cloudapi.path", require "cloudapi.rest"

local endpoints = require "cloudapi.aliyun.endpoints"
local decode = require "cloudapi.aliyun.decode"
local creds_spec = require "cloudapi.aliyun.credentials"
local sign_roa, sign_acs3 = require "cloudapi.aliyun.sign_roa", require "cloudapi.aliyun.sign_acs3"

local M = {}

local argcheck = options.checker("cloudapi.aliyun.roa")

-- The signature families and their sign steps.
local STEPS = { acs = sign_roa, ["ACS3-HMAC-SHA256"] = sign_acs3 }

local Client = client.class("cloudapi.aliyun.roa")
Client.URL_HINT = "send large values in the body"
Client.SIGNATURE = decode.SIGNATURE -- acs: the server quotes its string to sign
Client.CALL = { method = "request", query = 3, opts = 3 } -- request(method, path, {query=}): pages, items, wait

function Client:__tostring()
  return "cloudapi.aliyun.roa(" .. self.product .. ", " .. tostring(self.region) .. ", " .. self.base_url .. ")"
end

-- Headers a caller may not set: what either signature computes.
local RESERVED = {}
for _, step in pairs(STEPS) do
  for k in pairs(step.RESERVED_HEADERS) do RESERVED[k] = true end
end
RESERVED["x-acs-date"] = true

local PATH_RULES = {} -- ROA paths take only the caller's values; '/' is sent as %2F

-- roa{product=, region=, version=, endpoint=, network=, credentials=,
--     signature=, timeout=, retry=, clock=, transport=, tls=, on_event=}
function M.new(opts)
  argcheck(type(opts) == "table", "expected a table of options, got a " .. type(opts))
  local product, region, version, host = endpoints.where(opts, endpoints.ROA_VERSIONS, argcheck, "\"cs\"")
  local signature = opts.signature or "acs"
  local step = STEPS[signature]
  argcheck(step, "signature must be \"acs\" or \"ACS3-HMAC-SHA256\"")
  local self = client.init({
    product = product, region = region, version = version, signature = signature,
    step = step, SIGNATURE = step == sign_acs3 and sign_acs3.SIGNATURE or nil,
    paths = paths.cache(),
  }, opts, { check = argcheck, host = host, credentials = creds_spec.default_provider,
             label = "aliyun " .. product })
  return setmetatable(self, Client)
end

local FIELDS = creds_spec.FIELDS
local NONE = {}
local METHOD = rest.METHOD

-- build_request(self, creds, method, path, opts, nonce, date, want) -> req
-- | nil, err: one signed request. date: seconds or the string the
-- signature sends; want: keep what was signed (string_to_sign, and ACS3's
-- canonical_request), otherwise made again when asked for (again());
-- timeout, remaining, idempotent: the transport fields of a call's attempt.
local function build_request(self, creds, method, path, opts, nonce, date, want, timeout, remaining, idempotent)
  local why
  if METHOD[method] then
    method = METHOD[method]
  else
    method, why = rest.method(method)
    if not method then return nil, why end
  end
  if opts == nil then
    opts = NONE
  elseif type(opts) ~= "table" then
    return nil, errors.config("options must be a table")
  end
  local action = opts.action
  if action ~= nil and (type(action) ~= "string" or not action:match("^%w+$")) then
    return nil, errors.config("action must be an API name such as \"DescribeClusterDetail\"")
  end
  if action == nil and self.step == sign_acs3 then
    return nil, errors.config("ACS3-HMAC-SHA256 needs the API name: pass action = \"DescribeClusterDetail\" (say)")
  end
  local filled
  if opts.path == nil then filled, why = paths.cached(self.paths, path, PATH_RULES)
  else filled, why = paths.fill(path, opts.path, PATH_RULES) end
  if not filled then return nil, errors.config(why) end
  local step = self.step
  local h, url, canonical, sts, body
  if step == sign_roa and opts.headers == nil and opts.body == nil then
    h, url, sts = sign_roa.fast(creds, method, self.base_url, filled, opts.query, self.version, nonce, date,
                                self.user_agent, want)
  end
  if not h then
    nonce = nonce or core.nonce()
    if type(date) == "number" then date = step.date(date) end
    local query, own, q
    query, why = rest.query(opts.query)
    if not query then return nil, why end
    h, own, body = rest.headers_and_body(opts, RESERVED, "application/octet-stream")
    if not h then return nil, own end
    if not own.accept then h.Accept = "application/json" end
    if not own["user-agent"] then h["User-Agent"] = self.user_agent end
    q, canonical, sts = step.sign(h, creds, method, self.hostport, filled, query, body, action,
                                  self.version, nonce, date, want)
    if not q then return nil, errors.config(canonical) end
    url = q ~= "" and (self.base_url .. filled .. "?" .. q) or (self.base_url .. filled)
  end
  -- Sized once: a table grown field by field is rehashed on the way.
  local req
  if timeout then
    req = { method = method, url = url, headers = h, body = body, path = filled, action = action,
            template = path, opts = opts, timeout = timeout, total_timeout = remaining, idempotent = idempotent }
  else
    req = { method = method, url = url, headers = h, body = body, path = filled, action = action,
            template = path, opts = opts }
  end
  if want then req.string_to_sign, req.canonical_request = sts, canonical end
  if #url > client.MAX_URL then return client.too_long(self, req) end
  return req
end

-- again(self, req) -> req signed again the same way (its nonce and date),
-- keeping what was signed
local function again(self, req)
  local creds = client.credentials(self, FIELDS)
  local h = req.headers
  local date = self.step == sign_acs3 and h["x-acs-date"] or h.Date
  return creds and build_request(self, creds, req.method, req.template, req.opts, h["x-acs-signature-nonce"],
                                 date, true)
end

-- A prepared request: string_to_sign (and canonical_request) made when
-- first read. One metatable per client, made at its first prepare.
local function prepared_mt(self)
  local mt = {
    __name = client.Request.__name, __tostring = client.Request.__tostring,
    __index = function(req, k)
      if k ~= "canonical_request" and k ~= "string_to_sign" then return nil end
      local r = again(self, req)
      if not r then return nil end
      rawset(req, "canonical_request", r.canonical_request)
      rawset(req, "string_to_sign", r.string_to_sign)
      return r[k]
    end,
  }
  self.prepared_mt = mt
  return mt
end

-- build(ctx, _, timeout, remaining, idempotent) -> req | nil, err: one
-- attempt, signed now (a fresh nonce and date).
function Client:build(ctx, _, timeout, remaining, idempotent)
  local creds, err = client.credentials(self, FIELDS, remaining)
  if not creds then return nil, err end
  local now, bad = clock.now(self)
  if not now then return nil, errors.config(bad) end
  return build_request(self, creds, ctx.method, ctx.path, ctx.opts, nil, now, false, timeout, remaining, idempotent)
end

-- signing(step, sign_opts) -> nonce, date | nil, nil, err: prepare's
-- {nonce=, date=}, checked.
local function signing(step, sign_opts)
  if type(sign_opts) ~= "table" then return nil, nil, errors.config("signing options must be a table") end
  local nonce, date = sign_opts.nonce, sign_opts.date
  local bad = nonce ~= nil and options.bad_nonce(nonce)
  if bad then return nil, nil, errors.config(bad) end
  local tdate = type(date)
  if tdate == "number" then
    if not (date >= clock.MIN and date < clock.MAX) then -- NaN fails too
      return nil, nil, errors.config("date must be seconds from 1970 to 9999, got " .. errors.show(date))
    end
  elseif tdate == "string" then
    if not step.date_ok(date) then
      return nil, nil, errors.config("date must be seconds since the epoch or " .. step.DATE_FORM .. ", got " ..
                                     errors.show(date))
    end
  elseif date ~= nil then
    return nil, nil, errors.config("date must be seconds since the epoch or the date string to send, got " ..
                                   errors.show(date))
  end
  return nonce, date
end

-- prepare(method, path, {query=, headers=, body=, path=, action=}, {nonce=, date=})
-- -> request | nil, err. date: seconds since the epoch, or the string put
-- on the wire (RFC 7231 Date for acs, x-acs-date for ACS3). Pure: no I/O.
function Client:prepare(method, path, opts, sign_opts)
  local nonce, date, err, creds, req
  if sign_opts ~= nil then
    nonce, date, err = signing(self.step, sign_opts)
    if err then return nil, err end
  end
  creds, err = client.credentials(self, FIELDS)
  if not creds then return nil, err end
  if date == nil then
    date, err = clock.now(self)
    if not date then return nil, errors.config(err) end
  end
  req, err = build_request(self, creds, method, path, opts, nonce, date, false)
  if not req then return nil, err end
  return setmetatable(req, self.prepared_mt or prepared_mt(self))
end

-- A success may have no body (202, 204): an empty table then.
function Client:decode(req, res)
  if res.status >= 200 and res.status < 300 and (res.body == nil or res.body == "") then
    return {}, nil, (res.headers or {})["x-acs-request-id"]
  end
  return decode.response(self, req, res)
end

function Client:skewed(err)
  return decode.SKEW_CODES[err.code] == true
end

function Client:signed_string(req)
  local r = again(self, req)
  return r and r[self.SIGNATURE.field]
end

-- request(method, path, opts) -> result, nil, info | nil, err
-- opts: query=, headers=, body=, path= (template values), action= (the API
-- name; ACS3 needs it), and per call retry=, deadline=, timeout=,
-- idempotent= (true lets a POST/PATCH be retried like a GET; a table body
-- with a client_token is idempotent by itself).
function Client:request(method, path, opts)
  local policy, timeout, why = options.call(self, opts)
  if why then return nil, errors.config(why) end
  local body = type(opts) == "table" and opts.body
  local idempotent = rest.idempotent(method, opts) or (type(body) == "table" and body.client_token ~= nil)
  return client.run(self, policy, timeout, idempotent, { method = method, path = path, opts = opts })
end

rest.shorthands(Client)

return M
