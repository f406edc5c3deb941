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

local M = {}

local USER_AGENT = "cloudapi-lua/" .. core.version

local ENV = {
  "ALIBABA_CLOUD_ACCESS_KEY_ID",
  access_key_id = "ALIBABA_CLOUD_ACCESS_KEY_ID",
  access_key_secret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  security_token = "ALIBABA_CLOUD_SECURITY_TOKEN",
}

-- Parameters the client owns; a caller setting one is a mistake.
local RESERVED = {
  Action = true, Version = true, Format = true, AccessKeyId = true,
  Signature = true, SignatureMethod = true, SignatureVersion = true,
  SignatureNonce = true, Timestamp = true, SecurityToken = true,
}

M.DEFAULT_TIMEOUT = { connect = 10, read = 60 }

local Client = {}
Client.__index = Client
Client.__name = "cloudapi.aliyun"

function Client:__tostring()
  return string.format("cloudapi.aliyun(%s, %s, %s)", self.product,
                       tostring(self.region), self.base_url)
end

local argcheck = options.checker("cloudapi.aliyun.new")

-- new{product=, region=, endpoint=, credentials=, version=, format=,
--     method=, timeout=, transport=, xml_lists=}
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
  return setmetatable({
    product = product,
    region = region,
    version = version,
    format = format,
    method = method,
    base_url = url.base,
    host = url.host,
    provider = credentials.provider(opts.credentials, ENV),
    transport = options.transport(opts.transport, opts.tls, argcheck),
    timeout = options.timeout(opts.timeout, M.DEFAULT_TIMEOUT, argcheck),
    xml_lists = opts.xml_lists,
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
function Client:prepare(action, args, opts)
  opts = opts or {}
  if type(action) ~= "string" or action == "" then
    return nil, config_error("action must be a non-empty string, got " ..
                             (action == "" and "an empty string" or "a " .. type(action)))
  end
  if not action:match("^[%w]+$") then
    return nil, config_error("action '" .. action .. "' is not a valid action name")
  end
  local flat, why = params.flatten(args)
  if not flat then return nil, config_error(why) end
  for name in pairs(flat) do
    local root = name:match("^[^.]+")
    if RESERVED[root] then
      return nil, config_error("parameter '" .. root .. "' is set by the client, not by the caller")
    end
  end
  local creds, err = credentials.fetch(self.provider, { "access_key_id", "access_key_secret" },
                                       { "security_token" })
  if not creds then return nil, err end

  local timestamp = opts.timestamp
  if timestamp == nil then
    timestamp = core.timestamp(core.now() + (self.clock_offset or 0))
  elseif type(timestamp) == "number" then
    timestamp = core.timestamp(timestamp)
  elseif type(timestamp) ~= "string" then
    return nil, config_error("timestamp must be a string or a number of seconds")
  end
  local nonce = opts.nonce or core.nonce()
  if type(nonce) ~= "string" or nonce == "" then
    return nil, config_error("nonce must be a non-empty string")
  end

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

  local method = self.method
  local sig, query, sts = core.rpc_sign(method, flat, creds.access_key_secret)
  local signed = query .. "&Signature=" .. core.encode(sig)
  local req = {
    method = method,
    headers = { ["User-Agent"] = USER_AGENT },
    string_to_sign = sts,
    action = action,
  }
  if method == "GET" then
    req.url = self.base_url .. "/?" .. signed
  else
    req.url = self.base_url .. "/"
    req.body = signed
    req.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  errors.remember(req, { creds.access_key_secret, creds.security_token })
  return setmetatable(req, Request)
end

local SIGNATURE_NAMES = { who = "server", what = "string to sign", whats = "strings to sign",
                         secret = "AccessKeySecret", id = "AccessKeyId" }

local SUCCESS_CODES = { ["200"] = true, OK = true, Success = true, ["0"] = true }

-- Turn an HTTP response into result, nil, info | nil, err.
function Client:decode_response(req, res)
  local body = res.body or ""
  local first = body:match("^%s*(.)")
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
  local headers = res.headers or {}
  local request_id = (value and value.RequestId) or headers["x-acs-request-id"]
  local is_error = status < 200 or status >= 300
  if value and not is_error and type(value.Code) == "string" and value.Message ~= nil
     and value.Success ~= true and not SUCCESS_CODES[value.Code] then
    is_error = true
  end
  if not is_error then
    if value then
      return value, nil, { status = status, headers = headers, request_id = request_id, attempts = 1 }
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
    e.server_string_to_sign = theirs
    e.client_string_to_sign = theirs and req.string_to_sign
    errors.diagnose_signature(e, req.string_to_sign, theirs, SIGNATURE_NAMES)
  end
  return nil, e
end

-- send(req) -> result, nil, info | nil, err: one attempt of a prepared request.
function Client:send(req)
  local res, kind, msg = self.transport:send{
    method = req.method, url = req.url, headers = req.headers, body = req.body,
    connect_timeout = self.timeout.connect, read_timeout = self.timeout.read,
  }
  if not res then
    local e = errors.new{ kind = kind == "timeout" and "timeout" or
                                 (kind == "config" and "config" or "network"),
                          message = tostring(msg), action = req.action }
    e.retryable = retry.retryable(e)
    return nil, errors.redact(e, req)
  end
  local result, err, info = self:decode_response(req, res)
  if not result then return nil, errors.redact(err, req) end
  return result, nil, info
end

-- call(action, params [, opts]) -> result, nil, info | nil, err
function Client:call(action, args, opts)
  local req, err = self:prepare(action, args, opts)
  if not req then return nil, err end
  return self:send(req)
end

function Client:close()
  if self.transport.close then self.transport:close() end
end

return M
