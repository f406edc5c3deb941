-- The build and sign steps of a Huawei Cloud REST request: path templates
-- filled and encoded, the query in canonical form, headers checked, a
-- table body as JSON, then signed with SDK-HMAC-SHA256 (or V11) by the C
-- core, or carrying an IAM token.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local values = require "cloudapi.values"
local tables = require "cloudapi.tables"
local errors = require "cloudapi.errors"
local clock = require "cloudapi.clock"

local M = {}

local scalar = values.scalar

local METHODS = { GET = true, POST = true, PUT = true, DELETE = true, PATCH = true, HEAD = true }

-- Headers the client computes; a caller setting one is a mistake.
local RESERVED = { authorization = true, ["x-sdk-date"] = true, host = true, ["x-auth-token"] = true,
                   ["content-length"] = true }

local function build_query(q)
  local out = {}
  if q == nil then return out end
  if type(q) ~= "table" then return nil, "query must be a table" end
  local plain, why = tables.plain(q)
  if not plain then return nil, "query " .. why end
  for k, v in pairs(plain) do
    if type(k) ~= "string" or k == "" then return nil, "query parameter names must be non-empty strings" end
    if type(v) == "table" then
      -- A list repeats the key; a map has no query form.
      local kind
      v, why = tables.plain(v)
      if v then kind, why = json.kind_of(v) end
      if v and kind == "object" and next(v) ~= nil then why = "a map cannot be sent in a query" end
      if why then return nil, "query parameter '" .. k .. "': " .. why end
      local list = {}
      for i = 1, #v do
        local s, bad = scalar(v[i], "query parameter", k)
        if not s then return nil, bad end
        list[i] = s
      end
      out[k] = list
    else
      local s, bad = scalar(v, "query parameter", k)
      if not s then return nil, bad end
      out[k] = s
    end
  end
  return out
end

-- Characters a path may carry as they are; anything else is encoded.
local function encode_path_literal(p)
  return (p:gsub("[^%w%-%._~/%%!$&'()*+,;=:@]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- fill_path("/v1/{project_id}/x/{id}", values, project_id, domain_id) -> path | nil, err
local function fill_path(path, vals, project_id, domain_id)
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
    elseif name == "domain_id" then v = domain_id
    elseif vals then v = vals[name] end
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

local function filled_path(self, path, vals, project_id)
  if vals ~= nil then return fill_path(path, vals, project_id, self.domain_id) end
  local c = self.paths[path]
  if c and c[1] == project_id and c[2] == self.domain_id then return c[3] end
  local filled, why = fill_path(path, nil, project_id, self.domain_id)
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

-- check_headers(h) -> a copy, and the caller's own values of the headers
-- the client otherwise sets or uses, by lowercase name | nil, err
local function check_headers(h)
  local out, own = {}, nil
  if h == nil then return out end
  if type(h) ~= "table" then return nil, "headers must be a table" end
  for k, v in pairs(h) do
    if type(k) ~= "string" or not k:match("^[!#$%%&'*+%-.^_`|~%w]+$") then
      return nil, "header name " .. shown(k) .. " is not a valid HTTP token"
    end
    if type(v) ~= "string" then return nil, "header '" .. k .. "' must be a string" end
    if v:find("[\r\n%z]") then return nil, "header '" .. k .. "' contains CR, LF or NUL" end
    local lower = k:lower()
    if RESERVED[lower] then return nil, "header '" .. k .. "' is set by the client" end
    out[k] = v
    own = own or {}
    own[lower] = v
  end
  return out, own
end

local NONE = {}

-- request(self, base_url, hostport, method, path, opts, ctx) -> req | nil, err
-- ctx: { creds=, project_id=, token=, date=, global= }
function M.request(self, base_url, hostport, method, path, opts, ctx)
  if type(method) ~= "string" or not METHODS[method:upper()] then
    return nil, errors.config("method must be one of GET, POST, PUT, DELETE, PATCH, HEAD, got " ..
                              tostring(method))
  end
  method = method:upper()
  opts = opts or {}
  if type(opts) ~= "table" then return nil, errors.config("options must be a table") end
  local filled, why = filled_path(self, path, opts.path, ctx.project_id)
  if not filled then return nil, errors.config(why) end
  local query
  query, why = build_query(opts.query)
  if not query then return nil, errors.config(why) end
  local headers, own = check_headers(opts.headers)
  if not headers then return nil, errors.config(own) end
  own = own or NONE

  local body = opts.body
  if type(body) == "table" then
    body, why = json.encode(body, "body")
    if not body then return nil, errors.config(why) end
  elseif body ~= nil and type(body) ~= "string" then
    return nil, errors.config("body must be a table (sent as JSON) or a string")
  end
  if body ~= nil and not own["content-type"] then headers["Content-Type"] = "application/json" end

  headers.Host = hostport
  if ctx.global then
    if self.domain_id then headers["X-Domain-Id"] = self.domain_id end
  elseif ctx.project_id then
    headers["X-Project-Id"] = ctx.project_id
  end

  local req = { method = method, headers = headers, body = body, path = filled }
  local creds = ctx.creds
  local q
  if ctx.token then
    headers["X-Auth-Token"] = ctx.token
    -- Nothing to sign, but the query goes out in canonical form all the same.
    q = core.canonical_query(query)
  else
    if creds.security_token and creds.security_token ~= "" then
      headers["X-Security-Token"] = creds.security_token
    end
    local date = ctx.date
    if not date then
      local now, bad = clock.now(self)
      if not now then return nil, errors.config(bad) end
      date = core.sdk_date(now)
    end
    headers["X-Sdk-Date"] = date
    local ok, auth, canonical, cq = pcall(core.sdk_sign, {
      method = method, path = filled, query = query, headers = headers,
      body = body, payload_hash = own["x-sdk-content-sha256"], ak = creds.ak, sk = creds.sk,
      date = date, algorithm = self.algorithm, region = self.region, service = self.service,
    })
    if not ok then return nil, errors.config("cannot sign: " .. tostring(auth)) end
    headers.Authorization = auth
    req.canonical_request = canonical
    q = cq
  end
  -- Sent, not signed: a proxy may rewrite it.
  if not own["user-agent"] then headers["User-Agent"] = self.user_agent end
  req.url = base_url .. filled .. (q ~= "" and ("?" .. q) or "")
  return req
end

return M
