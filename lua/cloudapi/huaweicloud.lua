-- Huawei Cloud REST client (VPC Endpoint, IAM, ...): fills path templates,
-- signs with SDK-HMAC-SHA256 (or V11) through the C core, or sends an IAM
-- token; decodes JSON answers into tables or error objects.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local errors = require "cloudapi.errors"
local credentials = require "cloudapi.credentials"
local endpoints = require "cloudapi.endpoints"
local retry = require "cloudapi.retry"
local iam = require "cloudapi.iam"
local options = require "cloudapi.options"
local clock = require "cloudapi.clock"

local M = {}

local ENV = {
  "HUAWEICLOUD_SDK_AK",
  ak = "HUAWEICLOUD_SDK_AK",
  sk = "HUAWEICLOUD_SDK_SK",
  security_token = "HUAWEICLOUD_SDK_SECURITY_TOKEN",
}

-- Services addressed by domain, not project: they get X-Domain-Id.
local GLOBAL = { iam = true, bss = true, ["bss-intl"] = true, cdn = true, eps = true }

local METHODS = { GET = true, POST = true, PUT = true, DELETE = true, PATCH = true, HEAD = true }

-- Headers the client computes; a caller setting one is a mistake.
local RESERVED = { authorization = true, ["x-sdk-date"] = true, host = true, ["x-auth-token"] = true,
                   ["content-length"] = true }

M.DEFAULT_TIMEOUT = options.DEFAULT_TIMEOUT
M.MAX_URL = options.MAX_URL

local Client = {}
Client.__index = Client
Client.__name = "cloudapi.huaweicloud"

function Client:__tostring()
  return string.format("cloudapi.huaweicloud(%s, %s, %s)", self.service, tostring(self.region), self.base_url)
end

local argcheck = options.checker("cloudapi.huaweicloud.new")

local function config_error(msg)
  return errors.new{ kind = "config", message = msg }
end

local function optional_id(v, name)
  argcheck(v == nil or (type(v) == "string" and v:match("^[%w%-_]+$")), name .. " must be an id string")
  return v
end

-- new{service=, region=, project_id=, domain_id=, endpoint=, iam_endpoint=,
--     credentials=, auth=, algorithm=, timeout=, retry=, clock=, transport=, tls=,
--     shared_dict=}
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
  if auth == nil then
    local c = opts.credentials
    auth = (type(c) == "table" and c.password ~= nil) and "token" or "aksk"
  end
  local url = options.url(opts.endpoint, endpoints.huawei_host(service, region), argcheck)
  local policy, why = retry.policy(opts.retry)
  argcheck(policy ~= nil, tostring(why))
  local clock_fn = clock.source(opts.clock)
  argcheck(clock_fn, "clock must be a function returning seconds since the epoch")
  -- An overridden endpoint (an emulator, a proxy) serves IAM too unless told otherwise.
  local iam_url = opts.iam_endpoint and options.url(opts.iam_endpoint, nil, argcheck)
                  or (opts.endpoint and url)
                  or options.url(nil, endpoints.huawei_host("iam", region), argcheck)
  local dict = opts.shared_dict
  argcheck(dict == nil or type(dict) == "string", "shared_dict must be the name of a lua_shared_dict")
  argcheck(dict == nil or (ngx and ngx.shared), "shared_dict needs OpenResty (ngx.shared)")
  argcheck(dict == nil or ngx.shared[dict], "no lua_shared_dict named '" .. tostring(dict) .. "'")
  return setmetatable({
    service = service,
    region = region,
    project_id = optional_id(opts.project_id, "project_id") or os.getenv("HUAWEICLOUD_SDK_PROJECT_ID"),
    domain_id = optional_id(opts.domain_id, "domain_id") or os.getenv("HUAWEICLOUD_SDK_DOMAIN_ID"),
    global = GLOBAL[service] or false,
    algorithm = algorithm,
    auth = auth,
    base_url = url.base,
    hostport = url.hostport,
    iam_url = iam_url.base,
    iam_hostport = iam_url.hostport,
    provider = credentials.provider(opts.credentials, ENV),
    transport = options.transport(opts.transport, opts.tls, argcheck),
    timeout = options.timeout(opts.timeout, M.DEFAULT_TIMEOUT, argcheck),
    retry = policy,
    clock = clock_fn,
    clock_offset = 0,
    shared_dict = dict,
    paths = {}, npaths = 0, -- filled paths without per-call values (see filled_path)
  }, Client)
end

-- The same tables every time: credentials.fetch checks a static table once
-- for a given required list.
local TOKEN_REQUIRED, TOKEN_OPTIONAL = { "username", "password", "domain" }, { "project" }
local AKSK_REQUIRED, AKSK_OPTIONAL = { "ak", "sk" }, { "security_token" }

local function fetch_credentials(self)
  if self.auth == "token" then
    return credentials.fetch(self.provider, TOKEN_REQUIRED, TOKEN_OPTIONAL)
  end
  return credentials.fetch(self.provider, AKSK_REQUIRED, AKSK_OPTIONAL)
end

local function secrets_of(creds, token)
  return { creds.sk, creds.security_token, creds.password, token }
end

-- ---- building a request -----------------------------------------------------

-- scalar(v, what, name) -> string | nil, "<what> '<name>' ..." (the
-- message is only built on failure)
local function scalar(v, what, name)
  local tv = type(v)
  if tv == "string" then
    if v:find("\0", 1, true) then return nil, what .. " '" .. name .. "' contains a NUL byte" end
    return v
  end
  if tv == "boolean" then return v and "true" or "false" end
  if tv == "number" then
    local s, why = json.format_number(v)
    if not s then return nil, what .. " '" .. name .. "': " .. why end
    return s
  end
  return nil, what .. " '" .. name .. "': a " .. tv .. " cannot be sent"
end

local function build_query(q)
  local out = {}
  if q == nil then return out end
  if type(q) ~= "table" then return nil, "query must be a table" end
  for k, v in pairs(q) do
    if type(k) ~= "string" or k == "" then return nil, "query parameter names must be non-empty strings" end
    if type(v) == "table" then
      local list = {}
      for i = 1, #v do
        local s, why = scalar(v[i], "query parameter", k)
        if not s then return nil, why end
        list[i] = s
      end
      out[k] = list
    else
      local s, why = scalar(v, "query parameter", k)
      if not s then return nil, why end
      out[k] = s
    end
  end
  return out
end

-- Characters a path may carry as they are; anything else is encoded.
local function encode_path_literal(p)
  return (p:gsub("[^%w%-%._~/%%!$&'()*+,;=:@]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- fill_path("/v1/{project_id}/x/{id}", values) -> path | nil, err
local function fill_path(self, path, values, project_id)
  if type(path) ~= "string" or path:sub(1, 1) ~= "/" then
    return nil, "path must be a string starting with '/', got " ..
                (type(path) == "string" and ("'" .. path .. "'") or "a " .. type(path))
  end
  if path:find("[?#]") then return nil, "path must not contain '?' or '#': pass query = {...}" end
  if path:find("[%c]") then return nil, "path contains control characters" end
  local missing
  local filled = path:gsub("{([^}]*)}", function(name)
    local v
    if name == "project_id" then v = project_id
    elseif name == "domain_id" then v = self.domain_id
    elseif values then v = values[name] end
    if v == nil then missing = missing or name; return "" end
    local s = scalar(v, "path value", name)
    if not s or s == "" then missing = missing or name; return "" end
    return core.encode(s)
  end)
  if missing then return nil, "path needs a value for {" .. missing .. "}" end
  return encode_path_literal(filled)
end

-- fill_path, remembered for paths whose only values are the client's own
-- ({project_id}, {domain_id}): a client mostly calls the same few paths.
-- Bounded, so paths built per call cannot grow it without end.
local PATH_CACHE = 256

local function filled_path(self, path, values, project_id)
  if values ~= nil then return fill_path(self, path, values, project_id) end
  local c = self.paths[path]
  if c and c[1] == project_id and c[2] == self.domain_id then return c[3] end
  local filled, why = fill_path(self, path, nil, project_id)
  if filled then
    if c == nil then
      if self.npaths >= PATH_CACHE then self.paths, self.npaths = {}, 0 end
      self.npaths = self.npaths + 1
    end
    self.paths[path] = { project_id, self.domain_id, filled }
  end
  return filled, why
end

-- A name shown in a message: control bytes as \ddd, the same on every Lua.
local function shown(s)
  return '"' .. tostring(s):gsub("[%c\\\"]", function(c) return string.format("\\%d", c:byte()) end) .. '"'
end

local function check_headers(h)
  local out = {}
  if h == nil then return out end
  if type(h) ~= "table" then return nil, "headers must be a table" end
  for k, v in pairs(h) do
    if type(k) ~= "string" or not k:match("^[!#$%%&'*+%-.^_`|~%w]+$") then
      return nil, "header name " .. shown(k) .. " is not a valid HTTP token"
    end
    if type(v) ~= "string" then return nil, "header '" .. k .. "' must be a string" end
    if v:find("[\r\n%z]") then return nil, "header '" .. k .. "' contains CR, LF or NUL" end
    if RESERVED[k:lower()] then return nil, "header '" .. k .. "' is set by the client" end
    out[k] = v
  end
  return out
end

-- build(base_url, hostport, method, path, opts, ctx) -> req | nil, err
-- ctx: { creds=, project_id=, token=, date=, global= }
function Client:build(base_url, hostport, method, path, opts, ctx)
  if type(method) ~= "string" or not METHODS[method:upper()] then
    return nil, config_error("method must be one of GET, POST, PUT, DELETE, PATCH, HEAD, got " ..
                             tostring(method))
  end
  method = method:upper()
  opts = opts or {}
  if type(opts) ~= "table" then return nil, config_error("options must be a table") end
  local filled, why = filled_path(self, path, opts.path, ctx.project_id)
  if not filled then return nil, config_error(why) end
  local query
  query, why = build_query(opts.query)
  if not query then return nil, config_error(why) end
  local headers
  headers, why = check_headers(opts.headers)
  if not headers then return nil, config_error(why) end

  local body = opts.body
  if type(body) == "table" then
    body, why = json.encode(body, "body")
    if not body then return nil, config_error(why) end
  elseif body ~= nil and type(body) ~= "string" then
    return nil, config_error("body must be a table (sent as JSON) or a string")
  end
  local has_ct = false
  for k in pairs(headers) do if k:lower() == "content-type" then has_ct = true end end
  if body ~= nil and not has_ct then headers["Content-Type"] = "application/json" end

  headers.Host = hostport
  if ctx.global then
    if self.domain_id then headers["X-Domain-Id"] = self.domain_id end
  elseif ctx.project_id then
    headers["X-Project-Id"] = ctx.project_id
  end

  local req = { method = method, headers = headers, body = body }
  local creds = ctx.creds
  local payload_hash
  for k, v in pairs(headers) do
    if k:lower() == "x-sdk-content-sha256" then payload_hash = v end
  end
  if ctx.token then
    headers["X-Auth-Token"] = ctx.token
    -- Nothing to sign, but the query goes out in canonical form all the same.
    local q = core.canonical_query(query)
    req.url = base_url .. filled .. (q ~= "" and ("?" .. q) or "")
  else
    if creds.security_token and creds.security_token ~= "" then
      headers["X-Security-Token"] = creds.security_token
    end
    local date = ctx.date or core.sdk_date(clock.now(self))
    headers["X-Sdk-Date"] = date
    local ok, auth, canonical, q = pcall(core.sdk_sign, {
      method = method, path = filled, query = query, headers = headers,
      body = body, payload_hash = payload_hash, ak = creds.ak, sk = creds.sk, date = date,
      algorithm = self.algorithm, region = self.region, service = self.service,
    })
    if not ok then return nil, config_error("cannot sign: " .. tostring(auth)) end
    headers.Authorization = auth
    req.canonical_request = canonical
    req.url = base_url .. filled .. (q ~= "" and ("?" .. q) or "")
  end
  if #req.url > M.MAX_URL then
    return nil, config_error(string.format("the request URL would be %d bytes (over %d): " ..
                                           "send large values in the body", #req.url, M.MAX_URL))
  end
  return errors.remember(req, secrets_of(creds, ctx.token))
end

-- prepare(method, path, {query=, headers=, body=, path=}, {date=}) -> req | nil, err
-- Pure: no I/O. Token auth needs a cached token (after one request()).
function Client:prepare(method, path, opts, sign_opts)
  local creds, err = fetch_credentials(self)
  if not creds then return nil, err end
  local ctx = { creds = creds, project_id = self.project_id, global = self.global,
                date = sign_opts and sign_opts.date }
  if ctx.date ~= nil and (type(ctx.date) ~= "string" or not ctx.date:match("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$")) then
    return nil, config_error("date must look like 20200608T023900Z")
  end
  if self.auth == "token" then
    local entry = self.cached_token
    if not entry or core.now() >= entry.expires then
      return nil, config_error("token auth: no valid token cached yet; call request() first")
    end
    ctx.token = entry.token
    ctx.project_id = ctx.project_id or entry.project_id
  end
  return self:build(self.base_url, self.hostport, method, path, opts, ctx)
end

-- ---- sending ----------------------------------------------------------------

-- raw(method, url, headers, body [, req, timeout, remaining, idempotent])
-- -> {status, headers, body} | nil, err (redacted with req's secrets)
function Client:raw(method, url, headers, body, req, timeout, remaining, idempotent)
  timeout = timeout or self.timeout
  local res, kind, msg, maybe_sent = self.transport:send{
    method = method, url = url, headers = headers, body = body,
    timeout = timeout, total_timeout = remaining, idempotent = idempotent,
  }
  if not res then
    local e = errors.new{ kind = kind == "timeout" and "timeout" or (kind == "config" and "config" or "network"),
                          message = tostring(msg), maybe_sent = maybe_sent ~= false }
    e.retryable = e.kind ~= "config" and retry.retryable(e)
    return nil, errors.redact(e, req)
  end
  return res
end

local function error_fields(t)
  if type(t) ~= "table" then return nil, nil end
  if type(t.error) == "table" then
    return t.error.code, t.error.message or t.error.title
  end
  return t.error_code or t.errorCode or t.code, t.error_msg or t.errorMsg or t.message
end

local SIGNATURE_NAMES = { who = "gateway", what = "canonical request", whats = "canonical requests",
                         secret = "SK", id = "AK" }

-- service_error(res, req) -> error object for a non-2xx answer
function Client:service_error(res, req)
  local decoded = json.decode(res.body or "")
  local code, message = error_fields(decoded)
  local headers = res.headers or {}
  local e = {
    kind = "service", status = res.status,
    code = code ~= nil and tostring(code) or ("HTTP" .. res.status),
    message = message ~= nil and tostring(message) or (res.body or ""):sub(1, 200),
    request_id = headers["x-request-id"] or (type(decoded) == "table" and decoded.request_id) or nil,
  }
  e.retryable = retry.retryable(e)
  if req and req.kind_override then e.kind = req.kind_override end
  e = errors.new(e)
  if e.code == "APIGW.0301" or e.code == "APIG.0301" then
    local theirs = type(e.message) == "string" and e.message:match("canonicalRequest:%s?(.*)$") or nil
    local ours = req and req.canonical_request
    e.server_canonical_request = theirs
    e.client_canonical_request = theirs and ours
    errors.diagnose_signature(e, ours, theirs, SIGNATURE_NAMES)
  end
  return e
end

local function decode_success(res)
  local body = res.body or ""
  if body == "" then return {} end
  local ct = (res.headers or {})["content-type"] or ""
  if ct:find("json", 1, true) or body:match("^%s*[{%[]") then
    local v, err = json.decode(body)
    if v == nil then
      return nil, errors.new{ kind = "decode", status = res.status,
                              message = "cannot decode the response: invalid JSON: " .. tostring(err) }
    end
    if type(v) ~= "table" then v = { value = v } end
    return v
  end
  return { body = body }
end

-- A signed (or token) GET to IAM with this client's credentials.
function Client:iam_get(path, query)
  local creds, err = fetch_credentials(self)
  if not creds then return nil, err end
  local ctx = { creds = creds, global = true }
  if self.auth == "token" then
    local entry
    entry, err = iam.token(self, creds)
    if not entry then return nil, err end
    ctx.token = entry.token
  end
  local req
  req, err = self:build(self.iam_url, self.iam_hostport, "GET", path, { query = query }, ctx)
  if not req then return nil, err end
  local res
  res, err = self:raw(req.method, req.url, req.headers, req.body, req)
  if not res then return nil, err end
  if res.status < 200 or res.status >= 300 then
    return nil, errors.redact(self:service_error(res, req), req)
  end
  return decode_success(res)
end

-- The gateway says our X-Sdk-Date is too far off.
local function skewed(e)
  return e.code == "APIGW.0303" or (e.status == 401 and type(e.message) == "string"
                                    and e.message:lower():find("expired", 1, true) ~= nil)
end

-- request(method, path, opts) -> result, nil, info | nil, err
-- opts: query=, headers=, body=, path= (template values), and per call
-- retry= (false or a table), deadline=, timeout=, idempotent= (true lets a
-- POST/PATCH be retried like a GET). info.attempts says how many attempts
-- were made, info.errors the failures before the success.
function Client:request(method, path, opts)
  local policy, timeout, why = options.call(self, opts)
  if why then return nil, config_error(why) end
  local creds, err = fetch_credentials(self)
  if not creds then return nil, err end
  local ctx = { creds = creds, project_id = self.project_id, global = self.global }
  local needs_project = type(path) == "string" and path:find("{project_id}", 1, true)
  local token_auth = self.auth == "token"
  if token_auth then
    local entry
    entry, err = iam.token(self, creds)
    if not entry then return nil, err end
    self.cached_token = entry
    ctx.token = entry.token
    ctx.project_id = ctx.project_id or entry.project_id
  end
  if needs_project and not ctx.project_id then
    if not self.region then
      return nil, config_error("path needs {project_id}: pass project_id or region")
    end
    local id
    id, err = iam.project_id(self, creds.ak or creds.username)
    if not id then return nil, err end
    ctx.project_id = id
  end
  local upper = type(method) == "string" and method:upper()
  local idempotent = (opts and opts.idempotent == true) or (upper ~= "POST" and upper ~= "PATCH")
  local transport = self.transport
  return retry.run(policy, function(_, remaining)
    -- Built and signed anew each attempt: a fresh X-Sdk-Date.
    local req, berr = self:build(self.base_url, self.hostport, method, path, opts, ctx)
    if not req then return nil, berr end
    local res, rerr = self:raw(req.method, req.url, req.headers, req.body, req, timeout, remaining, idempotent)
    if not res then return nil, rerr end
    if res.status >= 200 and res.status < 300 then
      local result, derr = decode_success(res)
      if not result then return nil, derr end
      return result, nil, { status = res.status, headers = res.headers,
                            request_id = res.headers and res.headers["x-request-id"],
                            attempts = 1, errors = retry.NO_ERRORS }
    end
    local e = self:service_error(res, req)
    e.retry_after = retry.retry_after(res.headers)
    if res.status == 401 and token_auth then
      -- A token the gateway no longer accepts: refresh it, try again once.
      iam.forget_token(self, creds)
      local entry, terr = iam.token(self, creds, { force = true })
      if not entry then return nil, terr end
      self.cached_token = entry
      ctx.token = entry.token
      e.resign = true
    elseif not token_auth and skewed(e) and clock.learn(self, res.headers) then
      e.resign = true -- sign again once with the corrected clock
    end
    return nil, errors.redact(e, req)
  end, idempotent, transport)
end

for _, m in ipairs({ "get", "post", "put", "patch", "delete", "head" }) do
  local method = m:upper()
  Client[m] = function(self, path, opts) return self:request(method, path, opts) end
end

function Client:close()
  if self.transport.close then self.transport:close() end
end

return M
